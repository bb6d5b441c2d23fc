// Use in server components, server actions and route handlers: a supabase-js client acting as the
// signed-in Clerk user. Every query carries the user's token and row-level security decides what it
// may see. Build one per request (it is cheap: no connection is opened); a client kept in module scope
// would serve one user's token to everybody.
import 'server-only';
import { auth } from '@clerk/nextjs/server';
import { createClient as createSupabaseClient } from '@supabase/supabase-js';
import type { Database } from '@/lib/database.types';
import { serverEnv } from '@/lib/env';
import { templateToken } from './template-token';

/** What the client needs from Clerk's auth(): pass the session your code already checked. */
export type ClerkSession = Pick<Awaited<ReturnType<typeof auth>>, 'sessionId' | 'orgId' | 'getToken'>;

/**
 * @param session The result of the `auth()` (or `auth.protect()`) call that checked the request.
 * Passing it saves reading the session a second time (each read decrypts Clerk's request data).
 */
export async function createClient(session?: ClerkSession) {
  const { sessionId, orgId, getToken } = session ?? (await auth());
  const env = serverEnv();
  const template = env.CLERK_SUPABASE_TEMPLATE;
  return createSupabaseClient<Database>(env.NEXT_PUBLIC_SUPABASE_URL, env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY, {
    // Called before every request. Third-party mode: the Clerk session token itself (Supabase checks
    // it against Clerk's keys). Template mode: a JWT-template token signed with the Supabase JWT
    // secret, cached per session. Signed out: null, and supabase-js falls back to the anon key.
    accessToken: async () => {
      if (!sessionId) return null;
      return template ? templateToken(sessionId, template, orgId) : getToken();
    },
    // supabase-js retries failed reads with back-off (1 + 2 + 4 s). On the server that holds the
    // visitor's request for 7 s; fail fast instead: the API answers 503 and the caller retries.
    db: { retry: false },
  });
}
