// Tokens the data API accepts but the app never meant to trust. Supabase verifies each one (a provider
// the project trusts signed it), so PostgREST runs it as `authenticated`; the claim helpers must then
// give it nothing: no rows read, no row written (supabase/migrations/20261123120100_claim_helpers.sql).
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_FAPI_HOST } from 'clerk-supabase-local-stack';
import { clerkOtherTemplateToken, clerkSessionToken, foreignProviderToken, supabaseAuthToken } from '../support/foreign-tokens.ts';
import { mintToken, restHeaders, restUrl, uniqueUserId, withDb } from '../support/tokens-and-db.ts';

async function rest(method: string, pathAndQuery: string, token: string, body?: unknown) {
  const res = await fetch(restUrl(pathAndQuery), {
    method,
    headers: { ...restHeaders(token), prefer: 'return=representation' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
const tasksOf = (user: string) =>
  withDb(async (c) =>
    (await c.query<{ title: string }>('select title from public.tasks where user_id = $1 order by title', [user])).rows.map((r) => r.title),
  );
const projectsOf = (org: string) =>
  withDb(async (c) =>
    (await c.query<{ name: string }>('select name from public.projects where org_id = $1 order by name', [org])).rows.map((r) => r.name),
  );
const whoami = async (token: string) =>
  (await rest('POST', 'rpc/whoami', token, {})).body as {
    role: string;
    sub: string | null;
    org_id: string | null;
    org_role: string | null;
    token_problem: string | null;
  };

describe('tokens the app never meant to trust', () => {
  const victim = uniqueUserId('victim');
  const org = `org_victim_${randomBytes(5).toString('hex')}`;

  beforeAll(async () => {
    await withDb(async (c) => {
      await c.query(`insert into public.tasks (user_id, title) values ($1, 'victim task')`, [victim]);
      await c.query(`insert into public.projects (org_id, created_by, name) values ($1, $2, 'victim project')`, [org, victim]);
    });
  });

  it('a Supabase Auth token (uuid sub) is refused: no task inserted, no profile, nothing read', async () => {
    // Anyone can sign up with Supabase Auth while it is on; the data API runs its token as authenticated.
    const { sub, token } = await supabaseAuthToken();
    expect(await whoami(token)).toMatchObject({
      role: 'authenticated',
      sub: null,
      token_problem: expect.stringMatching(/issuer .*\/auth\/v1 is not a Clerk Frontend API/),
    });
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

  it('a pending session token is refused: no task read, inserted or changed', async () => {
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

  it("another provider's token with a top-level org_id is refused: the org's projects are neither read nor changed", async () => {
    // Its sub even looks like a Clerk id: only the issuer tells it apart.
    const token = await foreignProviderToken({ sub: uniqueUserId('foreign'), orgId: org });
    expect(await whoami(token)).toMatchObject({
      sub: null,
      org_id: null,
      token_problem: expect.stringMatching(/securetoken\.google\.com.* is not a Clerk Frontend API/),
    });
    expect((await rest('GET', 'projects?select=name', token)).body).toEqual([]);
    expect((await rest('POST', 'projects', token, { name: 'planted' })).status).toBe(403);
    expect((await rest('DELETE', 'projects?name=eq.victim%20project', token)).body).toEqual([]);
    expect(await projectsOf(org)).toEqual(['victim project']);
  });

  it('a session token v2 with a top-level org_id instead of o gets no organisation', async () => {
    // A v2 session token names its organisation in `o` only; a top-level org_id in it is not Clerk's org.
    const token = await clerkSessionToken(uniqueUserId('v2'), { org_id: org, org_role: 'org:admin' });
    expect(await whoami(token)).toMatchObject({ org_id: null, token_problem: null });
    expect((await rest('GET', 'projects?select=name', token)).body).toEqual([]);
    // The template token of a member names it in org_id, and reads it (template mode still works).
    const template = await mintToken({ user: uniqueUserId('member'), org, orgRole: 'member', template: 'supabase', expiresInSeconds: 600 });
    expect((await rest('GET', 'projects?select=name', template)).body).toEqual([{ name: 'victim project' }]);
  });

  it("a deleted user's still-valid token is refused after user.deleted: no task inserted or read, no profile", async () => {
    const user = uniqueUserId('deleted');
    const token = await mintToken({ user, expiresInSeconds: 600 });
    expect((await rest('POST', 'tasks', token, { title: 'before' })).status).toBe(201);
    await withDb(async (c) => {
      await c.query('set role service_role');
      await c.query(`select public.apply_clerk_user_event($1, 'user.deleted', $2)`, [
        `msg_${randomBytes(8).toString('hex')}`,
        JSON.stringify({ id: user, object: 'user', deleted: true }),
      ]);
    });
    expect(await whoami(token)).toMatchObject({ sub: null, token_problem: `user ${user} was deleted (Clerk webhook)` });
    expect((await rest('POST', 'tasks', token, { title: 'after' })).status).toBe(403);
    expect((await rest('GET', 'tasks?select=title', token)).body).toEqual([]);
    expect((await rest('POST', 'rpc/ensure_user_profile', token, {})).status).toBe(403);
    expect(await tasksOf(user)).toEqual([]);
    expect((await withDb((c) => c.query('select 1 from public.profiles where id = $1', [user]))).rowCount).toBe(0);
  });
});

describe('a token must be one of the two kinds the app sends (issue 19, item 7)', () => {
  const org = `org_mode_${randomBytes(5).toString('hex')}`;
  const admin = uniqueUserId('mode_admin');

  beforeAll(async () => {
    await withDb((c) => c.query(`insert into public.projects (org_id, created_by, name) values ($1, $2, 'mode project')`, [org, admin]));
  });

  it('another JWT template of the instance (no v, no sid) claiming org_id and org:admin is refused: no org role, nothing deleted', async () => {
    // What any signed-in user can mint by name when the instance has a second template with org claims.
    const token = await clerkOtherTemplateToken('user_alice', { org_id: org, org_role: 'org:admin' });
    expect(await whoami(token)).toMatchObject({
      role: 'authenticated',
      sub: null,
      org_id: null,
      org_role: null,
      token_problem:
        'the token is neither a Clerk session token (v 2 with a sid) nor the project\'s JWT template (token_kind "supabase-template")',
    });
    expect((await rest('GET', 'projects?select=name', token)).body).toEqual([]);
    expect((await rest('DELETE', 'projects?name=eq.mode%20project', token)).body).toEqual([]);
    expect(await projectsOf(org)).toEqual(['mode project']);
  });

  it('a v2 token without a session id (sid) is refused', async () => {
    const token = await clerkOtherTemplateToken(admin, { v: 2, o: { id: org, rol: 'admin' } });
    expect(await whoami(token)).toMatchObject({
      sub: null,
      org_role: null,
      token_problem: 'a Clerk session token (v 2) without a session id (sid)',
    });
    expect((await rest('DELETE', 'projects?name=eq.mode%20project', token)).body).toEqual([]);
    expect(await projectsOf(org)).toEqual(['mode project']);
  });

  it("the project's template (token_kind) and a session token (v 2 + sid) keep their organisation", async () => {
    const template = await mintToken({ user: admin, org, orgRole: 'admin', template: 'supabase', expiresInSeconds: 600 });
    expect(await whoami(template)).toMatchObject({ sub: admin, org_id: org, org_role: 'org:admin', token_problem: null });
    const session = await mintToken({ user: admin, org, orgRole: 'admin', expiresInSeconds: 600 });
    expect(await whoami(session)).toMatchObject({ sub: admin, org_id: org, org_role: 'org:admin', token_problem: null });
  });
});

/**
 * Realtime's policy check, and any server that copies PostgREST's pattern, never runs PostgREST's
 * hooks: it sets the role and the claims in its own transaction and queries. The refusals must hold
 * there too, and the helpers' per-transaction memo must vouch for exactly the claims it checked.
 */
describe('refusals without PostgREST (Realtime-style transactions)', () => {
  const victim = uniqueUserId('rt_victim');
  const deleted = uniqueUserId('rt_deleted');
  const clerk = { iss: `https://${LOCAL_FAPI_HOST}`, role: 'authenticated' };
  const session = (sub: string, extra: Record<string, unknown> = {}) => ({ ...clerk, sub, v: 2, sid: `sess_${sub}`, ...extra });

  beforeAll(async () => {
    await withDb(async (c) => {
      await c.query(`insert into public.tasks (user_id, title) values ($1, 'rt victim task')`, [victim]);
      await c.query('set role service_role');
      await c.query(`select public.apply_clerk_user_event($1, 'user.deleted', $2)`, [
        `msg_${randomBytes(8).toString('hex')}`,
        JSON.stringify({ id: deleted, object: 'user', deleted: true }),
      ]);
    });
  });

  /** One transaction as Realtime runs it: role, claims and topic set locally, then the queries; rolled back. */
  async function asRealtime<T>(
    fn: (q: (sql: string, claims?: Record<string, unknown>) => Promise<Record<string, unknown>[]>) => Promise<T>,
  ) {
    return withDb(async (c) => {
      await c.query('begin');
      try {
        await c.query('set local role authenticated');
        await c.query(`select set_config('realtime.topic', 'tasks:rt', true)`);
        return await fn(async (sql, claims) => {
          if (claims) await c.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
          return (await c.query(sql)).rows;
        });
      } finally {
        await c.query('rollback');
      }
    });
  }
  const mine = `select title from public.tasks where title = 'rt victim task'`;

  it.each([
    ['a pending session', session('VICTIM', { sts: 'pending' })],
    ['a Supabase Auth token', { iss: 'https://abcd1234.supabase.co/auth/v1', role: 'authenticated', sub: 'VICTIM' }],
    ['another provider', { iss: 'https://securetoken.google.com/x', role: 'authenticated', sub: 'VICTIM' }],
    ['another template of the instance (no v, no sid)', { ...clerk, sub: 'VICTIM' }],
  ])("%s is refused: the victim's task is not read and none is written", async (_label, claims) => {
    const c = JSON.parse(JSON.stringify(claims).replace('VICTIM', victim)) as Record<string, unknown>;
    await asRealtime(async (q) => {
      expect(await q(mine, c)).toEqual([]);
      expect(await q('select public.requesting_user_id() as sub, public.requesting_org_id() as org')).toEqual([{ sub: null, org: null }]);
      await expect(q(`insert into public.tasks (title) values ('planted')`)).rejects.toMatchObject({
        code: expect.stringMatching(/^(42501|23502)$/),
      });
    });
    await asRealtime(async (q) => {
      await expect(q('select public.ensure_user_profile()', c)).rejects.toMatchObject({ code: '42501' });
    });
  });

  it("a deleted user's token is refused", async () => {
    await asRealtime(async (q) => {
      expect(await q('select public.requesting_user_id() as sub', session(deleted))).toEqual([{ sub: null }]);
      await expect(q('select public.ensure_user_profile()')).rejects.toMatchObject({
        code: '42501',
        message: expect.stringMatching(/was deleted/),
      });
    });
  });

  it('claims set anew within one transaction are checked anew: a trusted token never vouches for the next', async () => {
    await asRealtime(async (q) => {
      expect(await q(mine, session(victim))).toEqual([{ title: 'rt victim task' }]);
      // Same user, same transaction, now a pending session: refused although the previous claims passed.
      expect(await q(mine, session(victim, { sts: 'pending' }))).toEqual([]);
      expect(await q('select public.requesting_user_id() as sub', { ...clerk, sub: victim })).toEqual([{ sub: null }]);
      expect(await q(mine, session(victim))).toEqual([{ title: 'rt victim task' }]);
    });
  });

  it('a memo written for other claims vouches for nothing, and none outlives its transaction', async () => {
    const foreign = { iss: 'https://securetoken.google.com/x', role: 'authenticated', sub: victim };
    await asRealtime(async (q) => {
      // As if someone planted the memo of a trusted token, then presented other claims.
      await q(
        `select set_config('clerk.trusted_claims', $$${JSON.stringify(session(victim))}$$, true), set_config('clerk.user_id', '${victim}', true)`,
      );
      expect(await q('select public.requesting_user_id() as sub', foreign)).toEqual([{ sub: null }]);
      expect(await q(mine)).toEqual([]);
    });
    await withDb(async (c) => {
      await c.query('begin');
      await c.query('set local role authenticated');
      await c.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(session(victim))]);
      expect((await c.query('select public.requesting_user_id() as sub')).rows).toEqual([{ sub: victim }]);
      await c.query('commit');
      // The next transaction on the same connection: the memo is gone with the claims.
      const after = await c.query(
        `select current_setting('clerk.trusted_claims', true) as memo, current_setting('request.jwt.claims', true) as claims`,
      );
      expect(after.rows[0]).toEqual({ memo: '', claims: '' });
    });
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
        await c.query(`select set_config('request.jwt.claims', $1, true)`, [
          JSON.stringify({ sub: 'user_2issuer', role: 'authenticated', iss, v: 2, sid: 'sess_2issuer' }),
        ]);
        return (await c.query<{ sub: string | null }>('select public.requesting_user_id() as sub')).rows[0].sub;
      } finally {
        await c.query('rollback');
      }
    });
  }

  it("accepts Clerk's Frontend API shapes while nothing is pinned, and nothing else", async () => {
    for (const iss of [`https://${LOCAL_FAPI_HOST}`, 'https://clerk.example.com', 'https://verb-noun-12.clerk.accounts.dev'])
      expect(await userIdFor(iss), iss).toBe('user_2issuer');
    for (const iss of [
      'https://abcd1234.supabase.co/auth/v1',
      'https://clerk.example.com/',
      'http://clerk.example.com',
      'https://evil.example/clerk.accounts.dev',
      'https://evil-clerk.accounts.dev',
      'https://example.com',
      '',
    ]) {
      expect(await userIdFor(iss), iss).toBeNull();
    }
  });

  it('accepts exactly the pinned issuers once private.clerk_issuers has rows', async () => {
    expect(await userIdFor('https://app.example.com/__clerk', ['https://app.example.com/__clerk'])).toBe('user_2issuer');
    expect(await userIdFor('https://clerk.example.com', ['https://clerk.other.example'])).toBeNull();
    expect(await userIdFor(`https://${LOCAL_FAPI_HOST}`, ['https://clerk.other.example'])).toBeNull();
  });
});
