// The one piece of app code that knows about the offline local stack (`npm run dev`).
// Delete this file when copying the app into your product, with its uses in proxy.ts and lib/env.ts.
//
// The local stack's Clerk keys are generated per checkout, but its seeded password is public, so an
// app holding them must only ever answer this machine. That is decided from facts a client cannot
// set: the process says it is the local stack and its Clerk services are on loopback. The Host check
// on top stops a page that DNS-rebinds its own name to 127.0.0.1 from driving a local app.
import { deployedPlatform } from './platform';
import { isDroppedSessionReason } from './session-refusal';

/** The host the local stack encodes in its publishable key (`.localhost` never leaves the machine). */
const LOCAL_CLERK_HOST = 'clerk.local.localhost';

/** A Clerk publishable key is pk_(test|live)_ + base64("<frontend API host>$"). */
export function isLocalPublishableKey(pk: string | undefined): boolean {
  try {
    return Boolean(pk) && atob(pk!.replace(/^pk_(test|live)_/, '')).replace(/\$$/, '') === LOCAL_CLERK_HOST;
  } catch {
    return false;
  }
}

const isLoopbackUrl = (url: string | undefined) => {
  try {
    return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url ?? '').hostname);
  } catch {
    return false;
  }
};

/**
 * Why this process may not serve the local keys, or null when it may (or holds real keys). Read
 * once: the environment does not change while the server runs.
 */
export function localKeysMisuse(env: Record<string, string | undefined> = process.env): string | null {
  if (!isLocalPublishableKey(env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY)) return null;
  if (env.LOCAL_STACK && isLoopbackUrl(env.CLERK_API_URL) && isLoopbackUrl(env.CLERK_FAPI_URL)) return null;
  return 'This app holds the local stack Clerk keys (clerk.local.localhost) but is not running on the local stack. Set your Clerk instance keys in the hosting environment.';
}

/** For lib/env.ts: the local keys out of place, or the stack's plumbing set in a deployment. */
export function localStackProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const misuse = localKeysMisuse(env);
  if (misuse) problems.push(misuse);
  // Set in a deployment, these would send the real secret key to another server.
  const platform = deployedPlatform(env);
  for (const name of platform ? ['LOCAL_STACK', 'CLERK_API_URL', 'CLERK_FAPI_URL'] : []) {
    if (env[name] && !(name === 'CLERK_API_URL' && env[name] === 'https://api.clerk.com')) {
      problems.push(`${name} is set, but this is a deployment (${platform} is set). It belongs to the local stack only: remove it from the platform's environment settings.`);
    }
  }
  return problems;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);
const isLoopbackHost = (host: string | null) => {
  const name = (host ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return LOOPBACK_HOSTS.has(name) || name.endsWith('.localhost');
};

/**
 * For proxy.ts: a guard answering 503 to every request (the Frontend API proxy included) when the
 * local keys are out of place, before Clerk runs. Built once from the server's environment.
 */
export function localKeysGuard(env: Record<string, string | undefined> = process.env): (req: Request) => Response | null {
  if (!isLocalPublishableKey(env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY)) return () => null;
  const misuse = localKeysMisuse(env);
  return (req) => {
    const reason = misuse ?? (isLoopbackHost(req.headers.get('host')) ? null : 'The local stack only answers requests addressed to this machine (localhost).');
    return reason ? Response.json({ error: reason }, { status: 503 }) : null;
  };
}

/**
 * The app's authorized parties on the local stack: the configured list plus this server's own
 * origins at the port it listens on (Next.js sets PORT once it listens, for `PORT=3001 npm run dev`,
 * `next dev -p` and `next start -p 3108` alike), so a session minted for the app is never refused
 * because of its port. Anywhere else: the configured list, unchanged.
 */
export function localAuthorizedParties(configured: string[] | undefined, env: Record<string, string | undefined> = process.env): string[] | undefined {
  if (!isLocalPublishableKey(env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY) || localKeysMisuse(env) || !env.PORT) return configured;
  return [...new Set([...(configured ?? []), `http://localhost:${env.PORT}`, `http://127.0.0.1:${env.PORT}`])];
}

/** What to do about each way clerkMiddleware drops a session (x-clerk-auth-reason). */
function dropFix(reason: string, parties: string[] | undefined): string {
  if (reason === 'token-invalid-authorized-parties') {
    return `the token was minted for another origin (its azp). This server accepts ${parties?.join(', ') ?? 'any origin'}: open the app at one of those, or add its origin to CLERK_AUTHORIZED_PARTIES.`;
  }
  if (/^(token-invalid-signature|jwk-)/.test(reason)) return 'the token was signed by another Clerk instance: CLERK_JWT_KEY and the Clerk keys must come from the same .local/stack.env (restart `npm run dev`).';
  if (/expired|iat|nbf|not-active-yet/.test(reason)) return 'the token is too old or from the future: clerk-js renews it every minute, so check the clock; a token pasted into curl lasts 60 s (`npm run local:token` mints another).';
  return 'see the message above; signing out and in again gives the browser a fresh session.';
}

const REPORTED = Symbol.for('clerk-supabase-reference.reported-session-drops');

/**
 * For proxy.ts and lib/api-auth.ts, local stack only: logs once per reason, on the server, why clerkMiddleware dropped a
 * session the request carried (Clerk answers such a request as signed out and says nothing else).
 * Returns the response unchanged.
 */
export function droppedSessionReporter(parties: string[] | undefined, env: Record<string, string | undefined> = process.env) {
  // One set per process, shared by proxy.ts and the API routes (lib/api-auth.ts), which Next.js bundles apart.
  const reported = ((globalThis as { [REPORTED]?: Set<string> })[REPORTED] ??= new Set<string>());
  const local = isLocalPublishableKey(env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY);
  return <R extends Response | null | undefined | void>(req: Request, res: R): R => {
    if (!local || !res) return res;
    const reason = res.headers.get('x-clerk-auth-reason');
    if (res.headers.get('x-clerk-auth-status') !== 'signed-out' || !isDroppedSessionReason(reason) || reported.has(reason)) return res;
    reported.add(reason);
    const message = res.headers.get('x-clerk-auth-message');
    console.warn(`[local stack] Clerk refused the session of ${req.method} ${new URL(req.url).pathname} (${reason})${message ? `: ${message}` : ''}\n  Fix: ${dropFix(reason, parties)}`);
    return res;
  };
}
