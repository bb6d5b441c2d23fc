// When the browser holds a Clerk session but this server refuses it (a token minted for another
// origin, signed by another key, from a skewed clock), clerk-js believes it is signed in while every
// page the server renders says signed out, and Clerk's <SignIn/> then shows nothing at all. This tells
// that case apart from "simply signed out" (no imports: proxy.ts and pages both use it).

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
