// doctor's vocabulary: every problem it can name, with a stable id (the README's pitfalls table and
// tests/db/doctor.test.ts use the ids), and the error a check throws to name one.
export const CAUSES = {
  'env-missing': 'A required environment variable is not set',
  'env-malformed': 'An environment variable has the wrong shape',
  'middleware-and-proxy': 'The project has both middleware.ts and proxy.ts (next build stops)',
  'proxy-outside-src': 'proxy.ts is beside src/ instead of inside it, so Next.js never runs it',
  'production-keys-domain': "Production Clerk keys on an origin outside the production instance's domain",
  'secret-in-public-env': 'A secret key is in a NEXT_PUBLIC_ variable (shipped to every browser)',
  'clerk-instance-mismatch': 'The Clerk publishable and secret keys belong to different instances',
  'clerk-secret-key-invalid': "Clerk's Backend API refuses CLERK_SECRET_KEY",
  'supabase-unreachable': 'The Supabase URL does not answer',
  'supabase-unavailable': 'The Supabase data API answers with a server error',
  'not-supabase-endpoint': 'The URL answers, but not like a Supabase data API',
  'supabase-api-key-invalid': 'The Supabase API key is refused',
  'migrations-missing': "The database has not got this app's migrations",
  'template-missing': 'The Clerk JWT template does not exist',
  'template-signing-key': 'The JWT template is not signed with a custom HS256 key',
  'template-deprecated': 'JWT-template mode is deprecated by Supabase (since 2025-04-01)',
  'no-token': 'No token to test with',
  'token-malformed': 'The token is not a Clerk JWT',
  'token-expired': 'The token has expired',
  'token-clock-skew': 'The token is issued in the future (clocks disagree: "JWT issued at future")',
  'session-pending': 'The session is pending (Organizations "Membership required"): the app and the database refuse it',
  'missing-role-claim': 'The token has no "role" claim, so Postgres runs it as anon',
  'wrong-role-claim': 'The token\'s "role" claim is not "authenticated"',
  'wrong-clerk-instance': 'The token comes from another Clerk instance than the configured keys',
  'token-mode-mismatch': 'The token kind does not match the integration mode',
  'template-secret-mismatch': 'The template token is not signed with SUPABASE_JWT_SECRET',
  'token-rejected': 'The data API rejects the token (invalid JWT, 401)',
  'token-runs-as-anon': 'Postgres runs the request as anon, not authenticated',
  'token-not-clerk': "Postgres accepts the token but the policies do not trust it (not a Clerk user's active session)",
  'missing-grant': 'A GRANT is missing (42501, 403)',
  'rls-disabled': 'Row-level security is off or a policy lets others read rows',
  'auth-uid-cast': 'A policy or default uses auth.uid(), which casts the Clerk id to uuid',
  'realtime-policies-missing': 'Private Realtime channels have no policies on realtime.messages, so every join is refused',
  'uuid-owner-column': 'An owner column is uuid, but Clerk user ids are text',
  'ensure-profile-failed': 'ensure_user_profile() does not work for the test user',
  'profile-missing': 'The user exists in Clerk but not in the database',
  'supabase-signups-open': 'Supabase Auth still lets anyone sign up (its users are not Clerk users)',
  'webhook-redirects': 'The webhook URL answers with a redirect, which Clerk does not follow',
  'webhook-refused': 'The webhook URL refuses requests before the route runs (401/403/404)',
  'function-missing': 'The task-report Edge Function is not deployed',
  'function-verify-jwt': 'The Edge Function has verify_jwt on, so Supabase refuses Clerk tokens ("Invalid JWT")',
  'function-misconfigured': "The Edge Function refuses the test user's token for a configuration reason",
  'unexpected-error': 'doctor itself hit an unexpected error',
} as const;
export type CauseId = keyof typeof CAUSES;

export class Problem extends Error {
  readonly cause: CauseId;
  readonly fix: string;
  constructor(cause: CauseId, message: string, fix: string) {
    super(message);
    this.cause = cause;
    this.fix = fix;
  }
}
export const problem = (cause: CauseId, message: string, fix: string) => new Problem(cause, message, fix);
