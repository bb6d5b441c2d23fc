// Use in server components and server actions: a supabase-js client acting as the signed-in Clerk
// user. Every query carries the user's token and row-level security decides what it may see. Build one
// per request (no connection is opened); a client kept in module scope holding a user's token would
// serve it to everybody.
//
// The JSON API's routes, which run on every request, use the cheaper form measured in
// docs/performance.md: one client per process that holds no user token (dataApi()), and the user's
// token set on each query itself (asUser()).
//
// Template mode: the token is asked for before any query is sent, so a token Clerk will not issue
// reaches the caller as a TemplateTokenError (lib/supabase/token-errors.ts, an ApiError), never as a
// failed query whose text names it.
import 'server-only';
import { auth } from '@clerk/nextjs/server';
import { createClient as createSupabaseClient, type SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '@/lib/database.types';
import { serverEnv } from '@/lib/env';
import { ApiError, dbError, type DbFailure } from '@/lib/errors';
import { templateToken } from './template-token';
import { TemplateTokenError } from './token-errors';

/** What the client needs from Clerk's auth(): pass the session your code already checked. */
export type ClerkSession = Pick<Awaited<ReturnType<typeof auth>>, 'sessionId' | 'orgId' | 'getToken'>;

/**
 * @param session The result of the `auth()` (or `auth.protect()`) call that checked the request.
 * Passing it saves reading the session a second time (each read decrypts Clerk's request data).
 * @throws TemplateTokenError (template mode) when Clerk does not issue this session's token.
 */
export async function createClient(session?: ClerkSession) {
  const { sessionId, orgId, getToken } = session ?? (await auth());
  const env = serverEnv();
  // Asked now, so that a refusal is thrown here as itself; the calls below then hit the cache.
  await tokenFor({ sessionId, orgId, getToken });
  return createSupabaseClient<Database>(env.NEXT_PUBLIC_SUPABASE_URL, env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY, {
    // Called before every request, so a long request gets a fresh template token when its own nears
    // expiry. Signed out: null, and supabase-js falls back to the anon key.
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
export async function asUser<R>(
  session: ClerkSession,
  query: PromiseLike<R> & { setHeader(name: string, value: string): unknown },
): Promise<R> {
  const token = await tokenFor(session); // a TemplateTokenError propagates: route() answers it
  if (token) query.setHeader('Authorization', `Bearer ${token}`);
  return query;
}

type ServerClient = Awaited<ReturnType<typeof createClient>>;

/**
 * For pages and server actions, which show a failure instead of throwing it: runs `run` on a
 * createClient(session) client and gives back its data, or the ApiError whose message to show (the
 * query's failure through dbError, or the template token Clerk did not issue).
 */
export async function queryAsUser<T>(
  session: ClerkSession,
  run: (db: ServerClient) => PromiseLike<DbFailure & { data: T | null }>,
): Promise<{ data: T; error: null } | { data: null; error: ApiError }> {
  let db: ServerClient;
  try {
    db = await createClient(session);
  } catch (e) {
    if (e instanceof TemplateTokenError) return { data: null, error: e };
    throw e;
  }
  const result = await run(db);
  return result.error ? { data: null, error: dbError(result) } : { data: result.data as T, error: null };
}
