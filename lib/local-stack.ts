// The one piece of app code that knows about the offline local stack (`npm run dev`).
// Delete this file when copying the app into your product, with its two uses (proxy.ts, lib/env.ts).
//
// The local stack's Clerk keys are generated per checkout, but its seeded password is public, so an
// app holding them must only ever answer this machine. That is decided from facts a client cannot
// set: the process says it is the local stack and its Clerk services are on loopback. The Host check
// on top stops a page that DNS-rebinds its own name to 127.0.0.1 from driving a local app.
import { deployedPlatform } from './platform';

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
