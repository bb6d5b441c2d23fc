// clerkMiddleware on every page, and Clerk's Frontend API served from this app's origin at
// NEXT_PUBLIC_CLERK_PROXY_URL (/__clerk): the one option an app needs for the local stack, and a
// common one in production too.
import { clerkMiddleware } from '@clerk/nextjs/server';

const proxyPath = process.env.NEXT_PUBLIC_CLERK_PROXY_URL;

export default clerkMiddleware({
  signInUrl: '/sign-in',
  frontendApiProxy: { enabled: Boolean(proxyPath?.startsWith('/')), path: proxyPath },
});

export const config = {
  matcher: ['/((?!_next|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico)).*)', '/__clerk/(.*)'],
};
