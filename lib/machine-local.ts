// A Clerk development instance whose Frontend API is a `.localhost` name (an offline stand-in such
// as this repository's local stack) exists on this machine only, and its test accounts' passwords
// may be public: an app holding its keys must then answer this machine alone. Decided from facts a
// client cannot set (the key, where Clerk's services are, the sockets this server listens on), plus
// a Host check that stops a page which DNS-rebinds its own name to 127.0.0.1. With any other Clerk
// key every function here is a no-op, so the file may stay when copying.
import { hasMachineLocalClerkKey, machineLocalClerk } from './platform';

/** For lib/env.ts: a machine-local key whose Clerk services are not on this machine. */
export function machineLocalKeyProblem(env: Record<string, string | undefined>): string | null {
  if (!hasMachineLocalClerkKey(env) || machineLocalClerk(env)) return null;
  return 'NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY belongs to a Clerk instance on this machine (a .localhost Frontend API), but CLERK_API_URL and CLERK_FAPI_URL do not point to this machine. Set your Clerk instance keys in the hosting environment.';
}

/** The servers this process listens with (Node's own list of open handles), as their addresses. */
function listeningAddresses(): string[] {
  const handles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles?.() ?? [];
  return handles
    .filter(
      (h): h is { listening: boolean; address(): unknown } =>
        typeof (h as { address?: unknown })?.address === 'function' && (h as { listening?: unknown }).listening === true,
    )
    .map((h) => h.address())
    .filter((a): a is { address: string; port: number } => typeof a === 'object' && a !== null && 'address' in a)
    .map((a) => (a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`));
}

const isLoopbackListen = (address: string) => /^(127\.\d+\.\d+\.\d+|\[::1\]|\[::ffff:127\.\d+\.\d+\.\d+\]):\d+$/.test(address);

/**
 * For lib/check-env.ts, at start-up (Next.js listens before it loads the app): why this server may
 * not run, when it holds a machine-local key and listens beyond loopback (`next start` binds every
 * interface unless told `-H localhost`). The Host check rests on a header the client sets, so the
 * socket itself must be out of the network's reach.
 */
export function machineLocalListenProblem(
  env: Record<string, string | undefined> = process.env,
  addresses: string[] = listeningAddresses(),
): string | null {
  if (!hasMachineLocalClerkKey(env)) return null;
  const open = addresses.filter((a) => !isLoopbackListen(a));
  if (!open.length) return null;
  return `This server holds the local stack's Clerk keys and listens on ${open.join(', ')}, which the network can reach. Start it on loopback: \`npm run start:local -- -p ${env.PORT ?? 3000}\` (next start --hostname localhost), or \`npm run dev\`.`;
}

/**
 * The app's authorized parties with a machine-local key: the configured list plus this server's own
 * origins at the port it listens on (Next.js sets PORT once it listens, for `PORT=3001 npm run dev`,
 * `next dev -p` and `next start -p 3108` alike), so a session minted for the app is never refused
 * because of its port. Anywhere else: the configured list, unchanged.
 */
export function machineLocalAuthorizedParties(
  configured: string[] | undefined,
  env: Record<string, string | undefined> = process.env,
): string[] | undefined {
  if (!hasMachineLocalClerkKey(env) || machineLocalKeyProblem(env) || !env.PORT) return configured;
  return [...new Set([...(configured ?? []), `http://localhost:${env.PORT}`, `http://127.0.0.1:${env.PORT}`])];
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);
const isLoopbackHost = (host: string | null) => {
  const name = (host ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return LOOPBACK_HOSTS.has(name) || name.endsWith('.localhost');
};

/**
 * For proxy.ts and lib/api.ts: a guard answering 503, before Clerk runs, to every request when a
 * machine-local key is out of place, and to a request not addressed to this machine. Built once
 * from the server's environment.
 */
export function machineLocalGuard(env: Record<string, string | undefined> = process.env): (req: Request) => Response | null {
  if (!hasMachineLocalClerkKey(env)) return () => null;
  const misuse = machineLocalKeyProblem(env);
  return (req) => {
    const reason =
      misuse ??
      (isLoopbackHost(req.headers.get('host'))
        ? null
        : 'This app holds the keys of a Clerk instance on this machine, so it only answers requests addressed to this machine (localhost).');
    return reason ? Response.json({ error: reason }, { status: 503 }) : null;
  };
}
