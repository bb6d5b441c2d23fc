// Used by proxy.ts and lib/api-auth.ts, with Clerk development keys only. A development instance
// marks each browser with a dev-browser cookie, __clerk_db_jwt (a plain and a suffixed copy), and
// clerk-js 6.40 rewrites it by removing both copies and setting them again: on every page load (after
// its environment fetch) and after every Frontend API answer that carries a Clerk-Db-Jwt header. A
// request the browser sends in that instant carries __session and __client_uat without it, and
// Clerk's authenticateRequest answers every request that is not a page visit as signed out for that
// alone (x-clerk-auth-reason: dev-browser-missing): a 401 from the API, "Sign in first" from a server
// action, a redirect to sign-in from a client-side navigation. Seen once in about ten e2e runs on a
// busy machine (docs/e2e.md).
//
// Such a request gets its dev browser back; Clerk then decides as it always does. Why that is safe:
// - Clerk checks the dev-browser cookie for presence only (any value passes), and so can every client
//   that writes its own cookies: restoring it gives no caller anything it could not send itself.
// - The session is still verified in full: the token's signature, expiry and azp, __client_uat and
//   its iat rule, signed out in another tab (__client_uat=0). Nothing is restored without __session.
// - No cross-site request gains a session: clerk-js gives __clerk_db_jwt the SameSite of __session,
//   so another site's request carries both or neither; __client_uat (SameSite=Strict) is Clerk's own
//   cross-site signal and is not touched here. A request a browser marks cross-site or same-site is
//   left to Clerk all the same.
// - Live keys: never (production instances have no dev browser).
// A page visit (a request Clerk may answer with its handshake) gets a copy only from its twin (the
// other copy, same value), never the placeholder: the handshake sends the dev browser to Clerk's
// Frontend API, which must see a real one or none.
import { NextRequest } from 'next/server';

const DEV_BROWSER = '__clerk_db_jwt';
/** What a request that lost both copies gets. Clerk reads it for presence only; see isPageVisit. */
const PLACEHOLDER = 'dvb_restored_mid_rewrite';

function cookiesOf(header: string): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    // As Clerk reads them: the first of a name wins, and an empty value is no cookie.
    if (eq > 0 && value && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/** Clerk's own test (isRequestEligibleForHandshake): a request it may answer with the handshake redirect. */
function isPageVisit(req: Request): boolean {
  if (req.method !== 'GET') return false;
  const dest = req.headers.get('sec-fetch-dest');
  if (dest) return dest === 'document' || dest === 'iframe';
  return req.headers.get('accept')?.startsWith('text/html') ?? false;
}

/** The dev-browser cookies (name=value) to add to a request caught mid-rewrite; none for any other. */
export function devBrowserCookiesToRestore(req: Request, publishableKey: string): string[] {
  if (!publishableKey.startsWith('pk_test_')) return [];
  const site = req.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin') return [];
  // A Bearer token is verified on its own; Clerk does not look at the dev browser for it.
  if (req.headers.has('authorization')) return [];
  const cookies = cookiesOf(req.headers.get('cookie') ?? '');
  // clerk-js writes __session and __session_<suffix> with one token, and the two dev-browser copies with one value.
  const sessions = [...cookies.keys()].filter((name) => /^__session(?:_[\w-]+)?$/.test(name));
  const twinOf = (devBrowser: string): string | undefined => {
    if (devBrowser !== DEV_BROWSER) return cookies.get(DEV_BROWSER);
    const token = cookies.get('__session');
    const suffixed = sessions.find(
      (s) => s !== '__session' && cookies.get(s) === token && cookies.has(s.replace('__session', DEV_BROWSER)),
    );
    return suffixed && cookies.get(suffixed.replace('__session', DEV_BROWSER));
  };
  const restore: string[] = [];
  for (const session of sessions) {
    const devBrowser = session.replace('__session', DEV_BROWSER);
    if (cookies.has(devBrowser)) continue;
    const value = twinOf(devBrowser) ?? (isPageVisit(req) ? undefined : PLACEHOLDER);
    if (value) restore.push(`${devBrowser}=${value}`);
  }
  return restore;
}

/** The request with its dev browser restored when clerk-js was caught rewriting it; else the request itself. */
export function restoreDevBrowser(req: NextRequest, publishableKey: string): NextRequest {
  const restore = devBrowserCookiesToRestore(req, publishableKey);
  if (!restore.length) return req;
  const headers = new Headers(req.headers);
  headers.set('cookie', [req.headers.get('cookie'), ...restore].join('; '));
  // A copy of the body (a server action's form): the original stays readable for Next.js.
  const init = { method: req.method, headers, body: req.body ? req.clone().body : null, duplex: 'half' };
  return new NextRequest(req.url, init as ConstructorParameters<typeof NextRequest>[1]);
}
