// Used by lib/api.ts: who calls the JSON API, decided in the route handler itself. /api is not in
// proxy.ts's matcher, so clerkMiddleware does not run for it; the handler authenticates the request
// with Clerk's authenticateRequest() (documented for verifying requests without the middleware) on one
// Clerk client per process, locally with CLERK_JWT_KEY: a session cookie or a Bearer token alike.
// Measured against auth() behind clerkMiddleware in docs/performance.md (the middleware pass, its
// encrypted request data and a Backend API client per call were most of the API's CPU).
//
// A Bearer token that Clerk's verifyToken() accepts is answered without the rest of
// authenticateRequest() (its request copy, cookie parsing, handshake state), which is most of its cost
// for an API client (docs/performance.md): for a token in the Authorization header authenticateRequest()
// itself does no more than that check, the token-type check and the auth object built here by the same
// Clerk function. Every other request, and every token refused here, goes through authenticateRequest(),
// so each refusal and its reason are Clerk's own.
//
// The answers are those clerkMiddleware + auth() gave: pending sessions are signed out, tokens minted
// for other origins (azp) are refused, a browser navigation gets Clerk's handshake redirect, the
// development instance's __client_uat and dev-browser restores apply, and so do machineLocalGuard and
// machineLocalAuthorizedParties (lib/machine-local.ts).
import 'server-only';
import { createClerkClient, verifyToken } from '@clerk/nextjs/server';
import { decodeJwt } from '@clerk/backend/jwt';
import { getAuthObjectFromJwt, isMachineToken } from '@clerk/backend/internal';
import { NextRequest, NextResponse } from 'next/server';
import { restoreClientUat } from '@/lib/clerk-client-uat';
import { restoreDevBrowser } from '@/lib/clerk-dev-browser';
import { serverEnv } from '@/lib/env';
import { machineLocalAuthorizedParties, machineLocalGuard } from '@/lib/machine-local';

type RequestState = Awaited<ReturnType<ReturnType<typeof createClerkClient>['authenticateRequest']>>;
/** The signed-in caller: the fields lib/supabase/server.ts and the routes read from Clerk's auth object. */
export type ApiSession = Extract<ReturnType<RequestState['toAuth']>, { userId: string }> & { sessionId: string };

/** Built once, on the first API request (not at import: `next build` loads route modules without the environment). */
function setUp() {
  const env = serverEnv();
  const authorizedParties = machineLocalAuthorizedParties(env.CLERK_AUTHORIZED_PARTIES);
  const proxyUrl = env.NEXT_PUBLIC_CLERK_PROXY_URL;
  const clerk = createClerkClient({
    secretKey: env.CLERK_SECRET_KEY,
    publishableKey: env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY,
    // CLERK_API_URL when set, as clerkMiddleware reads it; Clerk's own Backend API by default.
    apiUrl: process.env.CLERK_API_URL || undefined,
    jwtKey: env.CLERK_JWT_KEY,
  });
  const options = {
    jwtKey: env.CLERK_JWT_KEY,
    authorizedParties,
    signInUrl: '/sign-in',
    signUpUrl: '/sign-up',
    // A relative proxy URL is resolved against the request's origin, as clerkMiddleware does.
    proxyUrl,
    acceptsToken: 'session_token' as const,
  };
  return {
    authorizedParties,
    refuseLocalKeysOffMachine: machineLocalGuard(),
    publishableKey: env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY,
    authenticate: (req: Request) => clerk.authenticateRequest(req, options),
    // The same options authenticateRequest() passes to verifyToken() and to the auth object.
    bearerOptions: {
      ...options,
      secretKey: env.CLERK_SECRET_KEY,
      publishableKey: env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY,
      apiUrl: process.env.CLERK_API_URL || undefined,
    },
  };
}
let setup: ReturnType<typeof setUp> | undefined;
const apiAuth = () => (setup ??= setUp());

/** This server's own origins (CLERK_AUTHORIZED_PARTIES, via machineLocalAuthorizedParties), for the cross-site write rule. */
export const appOrigins = () => apiAuth().authorizedParties;

/** Refused before Clerk reads anything (machineLocalGuard): a machine-local key answering a request not addressed to this machine. */
export const localKeysRefusal = (req: Request) => apiAuth().refuseLocalKeysOffMachine(req);

/**
 * The caller's session, or the answer to give instead: Clerk's handshake redirect for a browser
 * navigation that needs one, else Clerk's decision headers (signed out, pending, or a refused token:
 * the caller answers 401 with them).
 */
export async function authenticate(req: NextRequest): Promise<ApiSession | Response | Headers> {
  const { authenticate: verify, publishableKey } = apiAuth();
  const accepted = await acceptedBearer(req);
  if (accepted) return accepted;
  // Headers only: Clerk's request wrapper would take over the body stream of a request that has one.
  const headersOnly = req.body ? new NextRequest(req.url, { method: req.method, headers: req.headers }) : req;
  // Development keys: a request caught while clerk-js rewrites __client_uat or __clerk_db_jwt keeps its session.
  const state = await verify(restoreDevBrowser(restoreClientUat(headersOnly, publishableKey), publishableKey));
  const location = state.headers.get('location');
  if (location) {
    const redirect = NextResponse.redirect(location);
    state.headers.forEach((value, key) => key !== 'location' && redirect.headers.append(key, value));
    return redirect;
  }
  const session = state.toAuth();
  if (session?.userId && session.sessionId) return session as ApiSession;
  // Clerk's decision, as clerkMiddleware sends it on every answer: it says why a caller is signed out.
  const decision = new Headers({ 'x-clerk-auth-status': 'signed-out' });
  if (state.reason) decision.set('x-clerk-auth-reason', state.reason);
  if (state.message) decision.set('x-clerk-auth-message', state.message);
  return decision;
}

/**
 * The session of a Bearer token Clerk accepts, checked as authenticateRequest() checks a token in the
 * Authorization header (same token, same options): not a machine token or another category of JWT,
 * verifyToken() (signature with CLERK_JWT_KEY, azp, exp/nbf/iat with Clerk's clock skew), then Clerk's
 * auth object, which signs out a pending session. Anything else: null, and authenticateRequest() decides.
 */
async function acceptedBearer(req: Request): Promise<ApiSession | null> {
  const [scheme, token] = (req.headers.get('authorization') ?? '').split(' ', 2);
  if (scheme !== 'Bearer' || !token || isMachineToken(token)) return null;
  let jwt: ReturnType<typeof decodeJwt>;
  try {
    jwt = decodeJwt(token);
  } catch {
    return null;
  }
  if (!SESSION_CATEGORIES.has(jwt.header.cat)) return null;
  const { bearerOptions } = apiAuth();
  try {
    await verifyToken(token, bearerOptions);
  } catch {
    return null;
  }
  const session = getAuthObjectFromJwt(jwt, bearerOptions);
  return session.userId && session.sessionId ? (session as ApiSession) : null;
}
/** JWT categories (header `cat`) authenticateRequest() takes for a session token: none, a session's, or "ignore". */
const SESSION_CATEGORIES = new Set<unknown>([undefined, 'cl_B7d4PD111AAA', 'cl_I7d4PD111III']);
