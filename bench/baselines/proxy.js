// clerkMiddleware for the baselines' authenticated routes; the floor's /floor/ path is left out (the
// floor has no authentication at all).
// - peer (/api/tasks): Clerk's Clerk + Supabase example, clerkMiddleware() with no options (it verifies
//   session tokens with the instance's JWKS, fetched once from the Backend API);
// - matched (/matched/tasks): the alternative the app measured and did not choose, /api in the proxy
//   matcher with the app's options (jwtKey, authorizedParties) and auth() in the handler.
import { clerkMiddleware } from '@clerk/nextjs/server';

const appOptions = {
  jwtKey: process.env.CLERK_JWT_KEY,
  authorizedParties: process.env.CLERK_AUTHORIZED_PARTIES?.split(',').filter(Boolean),
  signInUrl: '/sign-in',
  signUpUrl: '/sign-up',
};

export default clerkMiddleware(undefined, (req) => (req.nextUrl.pathname.startsWith('/matched/') ? appOptions : {}));

export const config = {
  matcher: [
    '/((?!_next|floor/|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)',
    '/(api|trpc)(.*)',
  ],
};
