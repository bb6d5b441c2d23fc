// Runs before every page and API request. Clerk verifies the session (cookie or Bearer token)
// locally with CLERK_JWT_KEY; then the route rules below decide who may pass.
// (Next.js 16 suggests renaming this file to proxy.ts; middleware.ts still works and is what the
// project layout documents.)
import { clerkMiddleware, createRouteMatcher } from '@clerk/nextjs/server';
import { NextResponse } from 'next/server';
import { isLocalHost, isLocalPublishableKey } from '@/lib/env';

// Deny by default: only these are public (the webhook is authenticated by its Svix signature).
// A page added later is signed-in only unless someone lists it here on purpose.
const isPublic = createRouteMatcher(['/', '/sign-in(.*)', '/sign-up(.*)', '/api/webhooks/clerk']);
const isApi = createRouteMatcher(['/api(.*)']);

// Read once per server start. The SDK does not read CLERK_JWT_KEY by itself: without `jwtKey` it
// would fetch the JWKS from Clerk, a network call on the request path. Hosts often store the PEM on
// one line with literal \n.
const jwtKey = process.env.CLERK_JWT_KEY?.replace(/\\n/g, '\n') || undefined;
const authorizedParties = process.env.CLERK_AUTHORIZED_PARTIES?.split(',').map((s) => s.trim()).filter(Boolean);
const localKeys = isLocalPublishableKey(process.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY ?? '');
// A proxy URL that is a path (locally /__clerk) means this app serves Clerk's Frontend API itself.
const proxyPath = process.env.NEXT_PUBLIC_CLERK_PROXY_URL?.startsWith('/') ? process.env.NEXT_PUBLIC_CLERK_PROXY_URL : undefined;

/**
 * Next.js decodes a server action's arguments before any of our code runs and answers a body it
 * cannot decode with a 500. A browser always sends them as React encodes them: a JSON array (text),
 * or multipart form data whose field "0" is that array. Anything else is a malformed request: 400.
 */
async function malformedServerAction(req: Request): Promise<boolean> {
  if (req.method !== 'POST' || !req.headers.has('next-action')) return false;
  const type = req.headers.get('content-type') ?? '';
  try {
    const root = type.startsWith('multipart/form-data') ? (await req.clone().formData()).get('0') : await req.clone().text();
    return typeof root !== 'string' || !Array.isArray(JSON.parse(root));
  } catch {
    return true;
  }
}

export default clerkMiddleware(
  async (auth, req) => {
    if (await malformedServerAction(req)) {
      return NextResponse.json({ error: 'Malformed server action request: send the form from the page.' }, { status: 400 });
    }
    // The local stack's keys are public knowledge: refuse to serve them to anyone but this machine.
    if (localKeys && !isLocalHost(req.headers.get('host'))) {
      return NextResponse.json(
        { error: 'This deployment uses the local stack Clerk keys (clerk.local.localhost). Set your Clerk instance keys in the hosting environment.' },
        { status: 503 },
      );
    }
    if (isPublic(req)) return;
    const { userId, redirectToSignIn } = await auth();
    if (userId) return;
    // An API client wants a status it can act on, not an HTML redirect.
    if (isApi(req)) return NextResponse.json({ error: 'Sign in first (send a Clerk session cookie or an Authorization: Bearer token).' }, { status: 401 });
    return redirectToSignIn({ returnBackUrl: req.url });
  },
  {
    jwtKey,
    authorizedParties,
    signInUrl: '/sign-in',
    signUpUrl: '/sign-up',
    // Serves Clerk's Frontend API (and the clerk-js bundles) from this app's origin at /__clerk,
    // forwarding to CLERK_FAPI_URL (locally: the stack's stand-in). Keep '/__clerk/(.*)' in the matcher.
    frontendApiProxy: { enabled: Boolean(proxyPath), path: proxyPath },
  },
);

export const config = {
  matcher: [
    // Every page, skipping Next.js internals and static files...
    '/((?!_next|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)',
    // ...always the API...
    '/(api|trpc)(.*)',
    // ...and the Frontend API proxy, whose clerk-js bundle paths end in .js.
    '/__clerk/(.*)',
  ],
};
