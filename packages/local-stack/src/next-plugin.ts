// The one piece of app code that knows about the offline local stack (`npm run dev`).
// Delete this file when copying the app into your product, with its uses in proxy.ts and lib/env.ts.
//
// The local stack's Clerk keys are generated per checkout, but its seeded password is public, so an
// app holding them must only ever answer this machine. That is decided from facts a client cannot
// set: the process says it is the local stack and its Clerk services are on loopback. The Host check
// on top stops a page that DNS-rebinds its own name to 127.0.0.1 from driving a local app.
import { productionReason } from './platform';
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

/** This process is the local stack's app: its keys, LOCAL_STACK, and Clerk's services on loopback. */
export const onLocalStack = (env: Record<string, string | undefined>) => isLocalPublishableKey(env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY) && !localKeysMisuse(env);

/** For lib/env.ts: the local keys out of place, or the stack's plumbing set in production. */
export function localStackProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const misuse = localKeysMisuse(env);
  if (misuse) problems.push(misuse);
  // Set in production, these would send the real secret key to another server.
  const production = productionReason(env, onLocalStack(env));
  for (const name of production ? ['LOCAL_STACK', 'CLERK_API_URL', 'CLERK_FAPI_URL'] : []) {
    if (env[name] && !(name === 'CLERK_API_URL' && env[name] === 'https://api.clerk.com')) {
      problems.push(`${name} is set, but this is production (${production}). It belongs to the local stack only: remove it from the host's environment settings.`);
    }
  }
  return problems;
}

/** The servers this process listens with (Node's own list of open handles), as their addresses. */
function listeningAddresses(): string[] {
  const handles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles?.() ?? [];
  return handles
    .filter((h): h is { listening: boolean; address(): unknown } => typeof (h as { address?: unknown })?.address === 'function' && (h as { listening?: unknown }).listening === true)
    .map((h) => h.address())
    .filter((a): a is { address: string; port: number } => typeof a === 'object' && a !== null && 'address' in a)
    .map((a) => (a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`));
}

const isLoopbackListen = (address: string) => /^(127\.\d+\.\d+\.\d+|\[::1\]|\[::ffff:127\.\d+\.\d+\.\d+\]):\d+$/.test(address);

/**
 * For lib/check-env.ts, at start-up (Next.js listens before it loads the app): why this server may
 * not run, when it holds the local keys and listens beyond loopback (`next start` binds every
 * interface unless told `-H localhost`). The Host check in localKeysGuard rests on a header the
 * client sets, so the socket itself must be out of the network's reach.
 */
export function localKeysListenProblem(env: Record<string, string | undefined> = process.env, addresses: string[] = listeningAddresses()): string | null {
  if (!isLocalPublishableKey(env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY)) return null;
  const open = addresses.filter((a) => !isLoopbackListen(a));
  if (!open.length) return null;
  return `This server holds the local stack's Clerk keys and listens on ${open.join(', ')}, which the network can reach. Start it on loopback: \`npm run start:local -- -p ${env.PORT ?? 3000}\` (next start --hostname localhost), or \`npm run dev\`.`;
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
