// Used by proxy.ts and lib/api-auth.ts, with Clerk development keys only. In a development instance clerk-js
// itself writes the __client_uat cookie ("when did this browser last sign in or out"), and it rewrites it on
// every session token update (every poll, every organisation switch) by deleting it and setting it again. A
// request the browser sends in that instant carries the session token without __client_uat, and
// clerkMiddleware answers it as signed out: a 401 from the API, a redirect to sign-in for a page's data
// request. Measured with clerk-js 6.40 while clerk-js refreshed its token in a loop: 17 of 3,445 same-page
// fetches (tests/e2e organizations.spec.ts failed this way once). The session token is a complete credential
// on its own (sent as a Bearer token it needs no cookie at all), so such a request gets its companion back at
// the weakest value Clerk accepts: the token's own `iat`. Clerk still verifies the token. An explicit
// __client_uat=0 (signed out in another tab) is left alone, and so is production, where Clerk's servers set
// __client_uat and the page never deletes it.
//
// Only where the flake happens, and only for the page's own requests: a development instance outside
// production (`next dev`, or the offline stack's builds: lib/env.ts isProduction), with `Sec-Fetch-Site:
// same-origin`. A staging `next start` on a development instance gets Clerk's own behaviour. Clerk sets
// __client_uat SameSite=Strict and __session Lax, so a top-level GET from another site carries the session
// without its companion, and the missing cookie is how Clerk knows to answer it with a handshake instead of
// as signed in. Every browser that sends Sec-Fetch-Site marks such a request `cross-site`; a request without
// the header (an old browser, or a script that sets its own cookies) gets nothing restored either, since an
// old browser's cross-site request looks exactly like that.
import { NextRequest } from 'next/server';
import { isProduction } from './env';

const SESSION = /(?:^|;\s*)__session(?:_[\w-]+)?=([^;]+)/;
const CLIENT_UAT = /(?:^|;\s*)__client_uat(?:_[\w-]+)?=/;

/** The request with __client_uat restored when clerk-js was caught rewriting it; else the request itself. */
export function restoreClientUat(
  req: NextRequest,
  publishableKey: string,
  env: Record<string, string | undefined> = process.env,
): NextRequest {
  if (!publishableKey.startsWith('pk_test_') || isProduction(env)) return req;
  if (req.headers.get('sec-fetch-site') !== 'same-origin') return req;
  const cookie = req.headers.get('cookie') ?? '';
  const token = SESSION.exec(cookie)?.[1];
  if (!token || CLIENT_UAT.test(cookie) || req.headers.has('authorization')) return req;
  let iat: unknown;
  try {
    iat = (JSON.parse(atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as { iat?: unknown }).iat;
  } catch {
    return req; // not a JWT: Clerk refuses it as it is
  }
  if (typeof iat !== 'number' || !Number.isInteger(iat) || iat <= 0) return req;
  const headers = new Headers(req.headers);
  headers.set('cookie', `${cookie}; __client_uat=${iat}`);
  // A copy of the body (a server action's form): the original stays readable for Next.js.
  const init = { method: req.method, headers, body: req.body ? req.clone().body : null, duplex: 'half' };
  return new NextRequest(req.url, init as ConstructorParameters<typeof NextRequest>[1]);
}
