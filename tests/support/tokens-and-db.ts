// Helpers for tests that run against the real local stack: locally minted Clerk tokens, supabase-js
// clients acting as a user, and a superuser database connection for setting up and checking rows.
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { loadKeys } from 'clerk-supabase-local-stack';
import { mintSessionToken, mintTemplateToken, type TokenSubject } from 'clerk-supabase-local-stack';
import type { Database } from '../../lib/database.types.ts';

export interface TokenOptions {
  user: string;
  org?: string;
  orgRole?: 'admin' | 'member';
  /** Mint a JWT-template token (HS256, template mode) instead of a session token. */
  template?: string;
  expiresInSeconds?: number;
  issuedAt?: number;
  /** The `azp` claim (the app origin). The app's middleware refuses session tokens without it. */
  azp?: string;
  /** The user's public metadata `plan`, which the token carries as the custom claim `plan`. */
  plan?: string;
  /** The session the token belongs to (default: a new random id), e.g. one registered with the Backend API. */
  sessionId?: string;
}

/** A unique user id per test, so tests never see each other's rows. */
export function uniqueUserId(label = 'test') {
  return `user_${label}_${randomBytes(6).toString('hex')}`;
}

export async function mintToken(o: TokenOptions): Promise<string> {
  const keys = await loadKeys();
  const subject: TokenSubject = {
    userId: o.user,
    sessionId: o.sessionId ?? `sess_${randomBytes(8).toString('hex')}`,
    email: `${o.user}@example.test`,
    org: o.org ? { id: o.org, slug: o.org.replace(/^org_/, ''), role: o.orgRole ?? 'member' } : undefined,
    authorizedParty: o.azp,
    publicMetadata: o.plan ? { plan: o.plan } : {},
  };
  const opts = { expiresInSeconds: o.expiresInSeconds, issuedAt: o.issuedAt };
  return o.template ? mintTemplateToken(keys, o.template, subject, opts) : mintSessionToken(keys, subject, opts);
}

/** supabase-js as the given user, exactly as the app builds it: the token goes through `accessToken`. */
export function clientFor(token: string): SupabaseClient<Database> {
  return createClient<Database>(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY!, {
    accessToken: async () => token,
  });
}

/** supabase-js with only the publishable key: the `anon` role. */
export function anonClient(): SupabaseClient<Database> {
  return createClient<Database>(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY!, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
}

/** Raw HTTP to the data API, for asserting status codes and error codes exactly. */
export function restUrl(pathAndQuery: string) {
  return `${process.env.NEXT_PUBLIC_SUPABASE_URL}/rest/v1/${pathAndQuery.replace(/^\//, '')}`;
}
export function restHeaders(token?: string): Record<string, string> {
  return {
    apikey: process.env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY!,
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    'content-type': 'application/json',
  };
}

/** A superuser connection (bypasses RLS): only for arranging and inspecting rows in tests. */
export async function withDb<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.SUPABASE_DB_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A session registered with the local Clerk Backend API (so that template mode can exchange it for a
 * template token at POST /v1/sessions/:sid/tokens/:template) and its session token, minted by that
 * API exactly as Clerk would. `azp` is the app origin the token is for.
 */
export async function createSession(o: {
  user: string;
  org?: string;
  azp?: string;
  expiresInSeconds?: number;
}): Promise<{ sessionId: string; token: string }> {
  const api = process.env.CLERK_API_URL!;
  const headers = { authorization: `Bearer ${process.env.CLERK_SECRET_KEY}`, 'content-type': 'application/json' };
  const res = await fetch(`${api}/v1/sessions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ user_id: o.user, active_organization_id: o.org }),
  });
  if (!res.ok) throw new Error(`POST /v1/sessions: ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  const tok = await fetch(`${api}/v1/sessions/${id}/tokens`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ ...(o.azp ? { azp: o.azp } : {}), ...(o.expiresInSeconds ? { expires_in_seconds: o.expiresInSeconds } : {}) }),
  });
  if (!tok.ok) throw new Error(`POST /v1/sessions/${id}/tokens: ${tok.status} ${await tok.text()}`);
  return { sessionId: id, token: ((await tok.json()) as { jwt: string }).jwt };
}

/** Calls counted by the local Clerk Backend API ("METHOD /pattern" -> n), to prove what the app cached. */
export async function backendApiCalls(): Promise<Record<string, number>> {
  const res = await fetch(`${process.env.CLERK_API_URL}/__local/stats`);
  return ((await res.json()) as { calls: Record<string, number> }).calls;
}

/** A user of the stack's Clerk with this id (the guide's checklist needs users Clerk knows: doctor mints their tokens through the Backend API). */
export async function clerkUser(id: string): Promise<string> {
  const res = await fetch(`${process.env.CLERK_API_URL}/v1/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${process.env.CLERK_SECRET_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: id, email_address: [`${id}@example.test`], password: 'checklist-user-password' }),
  });
  if (res.status !== 200) throw new Error(`the stack's Backend API did not create ${id}: ${res.status} ${await res.text()}`);
  return id;
}
