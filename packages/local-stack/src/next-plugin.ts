// The local stack's one plug-in for a Next.js app, added in proxy.ts with one line (delete it when
// copying the app into your product; nothing else in the app knows about this package):
//
//   clerk = (await import('clerk-supabase-local-stack/next')).withLocalStack(clerk);
//
// It wraps clerkMiddleware and, on the local stack only (LOCAL_STACK set by `local-stack dev`), logs
// once per reason, on the server, why Clerk refused a session the request carried, with the fix:
// Clerk answers such a request as signed out and says nothing else. Anywhere else it returns
// clerkMiddleware unchanged. The protections an app holding the stack's keys needs (answer this
// machine only) do not depend on it: they follow from the keys themselves (see README.md).

/**
 * Clerk's reasons (x-clerk-auth-reason) for refusing a session the request carried. Not in the list:
 * "no session at all" (session-token-and-uat-missing) and the handshake steps of a page visit.
 */
export function isRefusedSessionReason(reason: string | null | undefined): reason is string {
  return (
    Boolean(reason) &&
    /^(token-|jwk-|secret-key-invalid|unexpected-error|session-token-(expired|iat|nbf|outdated|but-no-client-uat)|client-uat-but-no-session-token)/.test(
      reason!,
    )
  );
}

/** What to do about each way clerkMiddleware refuses a session (x-clerk-auth-reason). */
function refusalFix(reason: string, parties: string[] | undefined): string {
  if (reason === 'token-invalid-authorized-parties') {
    return `the token was minted for another origin (its azp). This server accepts ${parties?.join(', ') ?? 'any origin'}: open the app at one of those, or add its origin to CLERK_AUTHORIZED_PARTIES.`;
  }
  if (/^(token-invalid-signature|jwk-)/.test(reason))
    return 'the token was signed by another Clerk instance: CLERK_JWT_KEY and the Clerk keys must come from the same .local/stack.env (restart `npm run dev`).';
  if (/expired|iat|nbf|not-active-yet/.test(reason))
    return 'the token is too old or from the future: clerk-js renews it every minute, so check the clock; a token pasted into curl lasts 60 s (`local-stack token` mints another).';
  return 'see the message above; signing out and in again gives the browser a fresh session.';
}

const REPORTED = Symbol.for('clerk-supabase-local-stack.reported-session-refusals');

/** Logs why Clerk refused the session of this request, once per reason per process. Returns the response unchanged. */
export function reportRefusedSession<R extends Response | null | undefined | void>(req: Request, res: R, parties: string[] | undefined): R {
  if (!res) return res;
  const reason = res.headers.get('x-clerk-auth-reason');
  // One set per process: Next.js may bundle proxy.ts more than once.
  const reported = ((globalThis as { [REPORTED]?: Set<string> })[REPORTED] ??= new Set<string>());
  if (res.headers.get('x-clerk-auth-status') !== 'signed-out' || !isRefusedSessionReason(reason) || reported.has(reason)) return res;
  reported.add(reason);
  const message = res.headers.get('x-clerk-auth-message');
  console.warn(
    `[local stack] Clerk refused the session of ${req.method} ${new URL(req.url).pathname} (${reason})${message ? `: ${message}` : ''}\n  Fix: ${refusalFix(reason, parties)}`,
  );
  return res;
}

/** clerkMiddleware (or any proxy function) wrapped for the local stack; unchanged anywhere else. */
export function withLocalStack<M extends (...args: never[]) => unknown>(
  middleware: M,
  env: Record<string, string | undefined> = process.env,
): M {
  if (!env.LOCAL_STACK) return middleware;
  // As the app accepts them: the configured origins and its own at the port it listens on.
  const configured =
    env.CLERK_AUTHORIZED_PARTIES?.split(',')
      .map((s) => s.trim())
      .filter(Boolean) ?? [];
  const parties = [...new Set([...configured, ...(env.PORT ? [`http://localhost:${env.PORT}`, `http://127.0.0.1:${env.PORT}`] : [])])];
  return (async (...args: Parameters<M>) =>
    reportRefusedSession(args[0] as Request, (await middleware(...args)) as Response | null, parties)) as unknown as M;
}
