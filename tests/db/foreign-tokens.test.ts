// Tokens the data API accepts but the app never meant to trust. Supabase verifies each one (a provider
// the project trusts signed it), so PostgREST runs it as `authenticated`; the claim helpers must then
// give it nothing: no rows read, no row written (supabase/migrations/20261127120000_clerk_tokens_only.sql).
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_FAPI_HOST } from '../../local/keys.ts';
import { clerkSessionToken, foreignProviderToken, supabaseAuthToken } from '../support/foreign-tokens.ts';
import { mintToken, restHeaders, restUrl, uniqueUserId, withDb } from '../support/tokens-and-db.ts';

async function rest(method: string, pathAndQuery: string, token: string, body?: unknown) {
  const res = await fetch(restUrl(pathAndQuery), { method, headers: { ...restHeaders(token), prefer: 'return=representation' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
const tasksOf = (user: string) => withDb(async (c) => (await c.query<{ title: string }>('select title from public.tasks where user_id = $1 order by title', [user])).rows.map((r) => r.title));
const projectsOf = (org: string) => withDb(async (c) => (await c.query<{ name: string }>('select name from public.projects where org_id = $1 order by name', [org])).rows.map((r) => r.name));
const whoami = async (token: string) => (await rest('POST', 'rpc/whoami', token, {})).body as { role: string; sub: string | null; org_id: string | null; token_problem: string | null };

describe('tokens the app never meant to trust', () => {
  const victim = uniqueUserId('victim');
  const org = `org_victim_${randomBytes(5).toString('hex')}`;

  beforeAll(async () => {
    await withDb(async (c) => {
      await c.query(`insert into public.tasks (user_id, title) values ($1, 'victim task')`, [victim]);
      await c.query(`insert into public.projects (org_id, created_by, name) values ($1, $2, 'victim project')`, [org, victim]);
    });
  });

  it('supabase auth token with uuid sub inserts a task', async () => {
    // Anyone can sign up with Supabase Auth while it is on; the data API runs its token as authenticated.
    const { sub, token } = await supabaseAuthToken();
    expect(await whoami(token)).toMatchObject({ role: 'authenticated', sub: null, token_problem: expect.stringMatching(/issuer .*\/auth\/v1 is not a Clerk Frontend API/) });
    for (const body of [{ title: 'planted' }, { title: 'planted', user_id: sub }]) {
      const res = await rest('POST', 'tasks', token, body);
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body.code).toBe('42501');
    }
    const profile = await rest('POST', 'rpc/ensure_user_profile', token, {});
    expect(profile.status).toBe(403);
    expect(profile.body.message).toMatch(/needs a signed-in Clerk user: issuer/);
    // A row that somehow has its uuid as owner is not readable either.
    await withDb((c) => c.query(`insert into public.tasks (user_id, title) values ($1, 'uuid-owned')`, [sub]));
    expect((await rest('GET', 'tasks?select=title', token)).body).toEqual([]);
    expect(await tasksOf(sub)).toEqual(['uuid-owned']);
    expect((await withDb((c) => c.query('select 1 from public.profiles where id = $1', [sub]))).rowCount).toBe(0);
  });

  it('pending session token reads tasks', async () => {
    // A Clerk session with tasks left (sts: "pending"): auth() treats it as signed out, and so must RLS.
    const pending = await clerkSessionToken(victim, { sts: 'pending' });
    expect(await whoami(pending)).toMatchObject({ sub: null, token_problem: 'the Clerk session is pending, not active' });
    expect((await rest('GET', 'tasks?select=title', pending)).body).toEqual([]);
    expect((await rest('POST', 'tasks', pending, { title: 'while pending' })).status).toBe(403);
    expect((await rest('PATCH', 'tasks?title=eq.victim%20task', pending, { title: 'changed' })).body).toEqual([]);
    expect(await tasksOf(victim)).toEqual(['victim task']);
    // The same token once the session is active reads the task: `sts` alone made the difference.
    const active = await clerkSessionToken(victim, { sts: 'active' });
    expect((await rest('GET', 'tasks?select=title', active)).body).toEqual([{ title: 'victim task' }]);
  });

  it("foreign provider token with top-level org_id reads an org's projects", async () => {
    // Its sub even looks like a Clerk id: only the issuer tells it apart.
    const token = await foreignProviderToken({ sub: uniqueUserId('foreign'), orgId: org });
    expect(await whoami(token)).toMatchObject({ sub: null, org_id: null, token_problem: expect.stringMatching(/securetoken\.google\.com.* is not a Clerk Frontend API/) });
    expect((await rest('GET', 'projects?select=name', token)).body).toEqual([]);
    expect((await rest('POST', 'projects', token, { name: 'planted' })).status).toBe(403);
    expect((await rest('DELETE', 'projects?name=eq.victim%20project', token)).body).toEqual([]);
    expect(await projectsOf(org)).toEqual(['victim project']);
  });

  it("session token v2 with a top-level org_id instead of o reads an org's projects", async () => {
    // A v2 session token names its organisation in `o` only; a top-level org_id in it is not Clerk's org.
    const token = await clerkSessionToken(uniqueUserId('v2'), { org_id: org, org_role: 'org:admin' });
    expect(await whoami(token)).toMatchObject({ org_id: null, token_problem: null });
    expect((await rest('GET', 'projects?select=name', token)).body).toEqual([]);
    // The template token of a member names it in org_id, and reads it (template mode still works).
    const template = await mintToken({ user: uniqueUserId('member'), org, orgRole: 'member', template: 'supabase', expiresInSeconds: 600 });
    expect((await rest('GET', 'projects?select=name', template)).body).toEqual([{ name: 'victim project' }]);
  });

  it("deleted user's still-valid token inserts a task after user.deleted", async () => {
    const user = uniqueUserId('deleted');
    const token = await mintToken({ user, expiresInSeconds: 600 });
    expect((await rest('POST', 'tasks', token, { title: 'before' })).status).toBe(201);
    await withDb(async (c) => {
      await c.query('set role service_role');
      await c.query(`select public.apply_clerk_user_event($1, 'user.deleted', $2)`, [`msg_${randomBytes(8).toString('hex')}`, JSON.stringify({ id: user, object: 'user', deleted: true })]);
    });
    expect(await whoami(token)).toMatchObject({ sub: null, token_problem: `user ${user} was deleted (Clerk webhook)` });
    expect((await rest('POST', 'tasks', token, { title: 'after' })).status).toBe(403);
    expect((await rest('GET', 'tasks?select=title', token)).body).toEqual([]);
    expect((await rest('POST', 'rpc/ensure_user_profile', token, {})).status).toBe(403);
    expect(await tasksOf(user)).toEqual([]);
    expect((await withDb((c) => c.query('select 1 from public.profiles where id = $1', [user]))).rowCount).toBe(0);
  });
});

describe('which issuers count as Clerk', () => {
  /** What requesting_user_id() returns for these claims, as authenticated, inside a rolled-back transaction. */
  async function userIdFor(iss: string, pinned: string[] = []) {
    return withDb(async (c) => {
      await c.query('begin');
      try {
        // Uncommitted: no other test sees the pin.
        for (const issuer of pinned) await c.query('insert into private.clerk_issuers (issuer) values ($1)', [issuer]);
        await c.query('set local role authenticated');
        await c.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: 'user_2issuer', role: 'authenticated', iss, v: 2 })]);
        return (await c.query<{ sub: string | null }>('select public.requesting_user_id() as sub')).rows[0].sub;
      } finally {
        await c.query('rollback');
      }
    });
  }

  it("accepts Clerk's Frontend API shapes while nothing is pinned, and nothing else", async () => {
    for (const iss of [`https://${LOCAL_FAPI_HOST}`, 'https://clerk.example.com', 'https://verb-noun-12.clerk.accounts.dev']) expect(await userIdFor(iss), iss).toBe('user_2issuer');
    for (const iss of ['https://abcd1234.supabase.co/auth/v1', 'https://clerk.example.com/', 'http://clerk.example.com', 'https://evil.example/clerk.accounts.dev', 'https://evil-clerk.accounts.dev', 'https://example.com', '']) {
      expect(await userIdFor(iss), iss).toBeNull();
    }
  });

  it('accepts exactly the pinned issuers once private.clerk_issuers has rows', async () => {
    expect(await userIdFor('https://app.example.com/__clerk', ['https://app.example.com/__clerk'])).toBe('user_2issuer');
    expect(await userIdFor('https://clerk.example.com', ['https://clerk.other.example'])).toBeNull();
    expect(await userIdFor(`https://${LOCAL_FAPI_HOST}`, ['https://clerk.other.example'])).toBeNull();
  });
});
