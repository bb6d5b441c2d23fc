// Runs before every page and server action (Next.js 16 calls this file proxy.ts; older guides call it
// middleware.ts). It decides no access itself: each page, route
// handler and server action checks the session on its own (Clerk's resource-level protection), so a
// path pattern here can never leave a resource open. The JSON API (/api) is not matched at all: its
// routes carry their own guards and verify the session themselves (lib/api.ts), which costs a
// fraction of a pass through here (docs/performance.md). Nor is Clerk's Frontend API at /__clerk: its
// route handler streams bodies through (lib/clerk-frontend-api.ts), which Next.js cannot do here.
//   1. Guards that must answer before Next.js or Clerk parse anything: a machine-local Clerk key off
//      this machine (machineLocalGuard, before Clerk uses it), undecodable paths (Next.js would answer a bare 500),
//      malformed server-action bodies (Next.js decodes them before any of our code runs).
//   2. clerkMiddleware: verifies the session (cookie or Bearer) locally with CLERK_JWT_KEY and hands
//      the result to auth() and auth.protect(), and runs Clerk's handshake for page visits; refuses
//      tokens minted for other origins (authorizedParties).
import { clerkMiddleware } from '@clerk/nextjs/server';
import type { NextFetchEvent, NextRequest } from 'next/server';
import { serverEnv } from '@/lib/env';
import { machineLocalAuthorizedParties, machineLocalGuard } from '@/lib/machine-local';
import { rejectMalformedServerAction, rejectUndecodablePath } from '@/lib/request-guards';
import { restoreClientUat } from '@/lib/clerk-client-uat';
import { restoreDevBrowser } from '@/lib/clerk-dev-browser';
import { contentSecurityPolicy } from '@/lib/security-headers';

const env = serverEnv();
const refuseLocalKeysOffMachine = machineLocalGuard();

let clerk = clerkMiddleware({
  // Without jwtKey the SDK fetches Clerk's JWKS over the network; it does not read CLERK_JWT_KEY itself.
  jwtKey: env.CLERK_JWT_KEY,
  // The origins whose session tokens (azp) this app accepts. With a machine-local key the app's own
  // port joins the list when it runs on another one (PORT=3001, next start -p 3108).
  authorizedParties: machineLocalAuthorizedParties(env.CLERK_AUTHORIZED_PARTIES),
  signInUrl: '/sign-in',
  signUpUrl: '/sign-up',
  contentSecurityPolicy: contentSecurityPolicy(env), // Clerk's directives, a nonce per request (lib/security-headers.ts)
});
clerk = (await import('clerk-supabase-local-stack/next')).withLocalStack(clerk); // The local stack's plug-in: delete this line when copying.

const pk = env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY;
const restoreClerkCookies = (req: NextRequest) => restoreDevBrowser(restoreClientUat(req, pk), pk);

export default async function proxy(req: NextRequest, event: NextFetchEvent) {
  return (
    refuseLocalKeysOffMachine(req) ??
    rejectUndecodablePath(req) ??
    (await rejectMalformedServerAction(req)) ??
    // Development keys: a request caught while clerk-js rewrites __client_uat or __clerk_db_jwt keeps its session.
    (await clerk(restoreClerkCookies(req), event))
  );
}

export const config = {
  matcher: [
    // Every page, skipping the JSON API and Clerk's Frontend API (their routes guard themselves), Next.js internals and static files...
    '/((?!api/|__clerk/|_next|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)',
    // ...and a path of theirs with percent-encoding, only so that an undecodable one gets a 400, not Next.js's 500.
    '/api/(.*%.*)',
    '/__clerk/(.*%.*)',
  ],
};
