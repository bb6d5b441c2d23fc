// The names a failed template token request carries (lib/supabase/template-token.ts). supabase-js
// turns an error thrown by `accessToken` into a failed query whose message starts with the name, so
// the caller (lib/errors.ts) can blame Clerk (503), the session (401) or an organisation switch (409)
// instead of the database. No imports: safe to use anywhere.
export const CLERK_UNAVAILABLE = 'ClerkUnavailableError';
export const CLERK_SESSION_REFUSED = 'ClerkSessionRefusedError';
export const CLERK_ORG_MISMATCH = 'ClerkOrgMismatchError';
