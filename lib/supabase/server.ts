// Use in server components and server actions: a supabase-js client acting as the signed-in Clerk
// user. Every query carries the user's token and row-level security decides what it may see. Build one
// per request (no connection is opened); a client kept in module scope holding a user's token would
// serve it to everybody.
//
// The JSON API's routes, which run on every request, use the cheaper form measured in
// docs/performance.md: one client per process that holds no user token (dataApi()), and the user's
// token set on each query itself (asUser()).
import 'server-only';
import { auth } from '@clerk/nextjs/server';
import { createClient as createSupabaseClient, type SupabaseClient } from '@supabase/supabase-js';
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
  return createSupabaseClient<Database>(env.NEXT_PUBLIC_SUPABASE_URL, env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY, {
    // Called before every request. Signed out: null, and supabase-js falls back to the anon key.
    accessToken: async () => tokenFor({ sessionId, orgId, getToken }),
    // supabase-js retries failed reads with back-off (1 + 2 + 4 s). On the server that holds the
    // visitor's request for 7 s; fail fast instead: the API answers 503 and the caller retries.
    db: { retry: false },
  });
}

/**
 * The token the data API gets for a session. Third-party mode: the Clerk session token itself
 * (Supabase checks it against Clerk's keys). Template mode: a JWT-template token signed with the
 * Supabase JWT secret, cached per session. No session: null.
 */
async function tokenFor({ sessionId, orgId, getToken }: ClerkSession): Promise<string | null> {
  if (!sessionId) return null;
  const template = serverEnv().CLERK_SUPABASE_TEMPLATE;
  return template ? templateToken(sessionId, template, orgId) : getToken();
}

let shared: SupabaseClient<Database> | undefined;

/**
 * The JSON API's supabase-js client: one per process, holding the publishable key and never a user's
 * token. Send every query through asUser(), which sets the caller's token on that query alone; a query
 * sent without it runs as the anon role, which sees no rows.
 */
export function dataApi(): SupabaseClient<Database> {
  const env = serverEnv();
  return (shared ??= createSupabaseClient<Database>(env.NEXT_PUBLIC_SUPABASE_URL, env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY, {
    accessToken: async () => null,
    db: { retry: false }, // see createClient
  }));
}

/** Runs a query built on dataApi() as the session's user: `unwrap(await asUser(session, dataApi().from('tasks').select()))`. */
export async function asUser<R>(session: ClerkSession, query: PromiseLike<R> & { setHeader(name: string, value: string): unknown }): Promise<R> {
  let token: string | null;
  try {
    token = await tokenFor(session);
  } catch (e) {
    // The failed query createClient would give (supabase-js reports an accessToken failure as
    // `<name>: <message>` with status 0), so that dbError (lib/errors.ts) answers the same.
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { data: null, error: { name: 'PostgrestError', message, details: '', hint: '', code: '' }, count: null, status: 0, statusText: '' } as R;
  }
  if (token) query.setHeader('Authorization', `Bearer ${token}`);
  return query;
}
