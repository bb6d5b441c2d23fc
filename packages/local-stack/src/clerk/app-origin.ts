// Which app a Frontend API request is for: the origin the stand-in puts in a token's `azp`, builds the
// environment's URLs from, and lets the handshake redirect to. Clerk's real Frontend API knows its
// instance's domains; the local stand-in knows the stack's authorized parties: the app on this
// machine (http://localhost or http://127.0.0.1, any port, since `PORT=3001 npm run dev` and
// `next start -p 3108` are both the local app). The app itself accepts only its own port (its
// authorizedParties, lib/local-stack.ts), so a token minted for another port is still refused there.
import type { IncomingMessage } from 'node:http';

const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** One of the stack's authorized parties: an http(s) origin on this machine. */
function isStackAppOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTNAMES.has(url.hostname) && url.origin === origin;
  } catch {
    return false;
  }
}

/** The origin in a header; `null` (an opaque page: sandboxed frame, file://) stays "null", which no app is. */
const originOf = (value: string | string[] | undefined): string | null => {
  if (typeof value !== 'string' || !value) return null;
  try {
    return new URL(value).origin;
  } catch {
    return 'null';
  }
};

export type AppOrigin = { origin: string } | { refused: string };

/**
 * The app origin of a request, from facts the stand-in can check:
 * - `Clerk-Proxy-Url`: set by the app's /__clerk proxy (Clerk's Frontend API proxy) to the app's own origin;
 * - `Origin`: the page that sent the request. When present it must be that same app: a page of
 *   another site (or another app on this machine) posting to /__clerk gets nothing.
 * Without either (a direct call holding the secret key, e.g. a test) it is `fallback`, the stack's
 * default app origin. Anything that is not an app on this machine is refused.
 */
export function appOriginOf(req: IncomingMessage, fallback: string): AppOrigin {
  const proxied = originOf(req.headers['clerk-proxy-url']);
  const page = originOf(req.headers.origin);
  const origin = page ?? proxied ?? fallback;
  const stackApp = `the app on this machine (http://localhost:<port> or http://127.0.0.1:<port>)`;
  if (!isStackAppOrigin(origin)) return { refused: `The local Clerk instance only serves ${stackApp}; this request came from ${origin}.` };
  if (proxied && page && page !== proxied) return { refused: `A page of ${page} may not use the Clerk proxy of ${proxied}.` };
  return { origin };
}

/** The handshake's redirect_url, when it points at the app the request is for; null otherwise. */
export function handshakeTarget(redirectUrl: string | null, appOrigin: string): URL | null {
  try {
    const target = new URL(redirectUrl ?? '');
    return target.origin === appOrigin ? target : null;
  } catch {
    return null;
  }
}
