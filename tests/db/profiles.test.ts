// ensure_user_profile(): the caller's profile, created once from the token, whatever happens.
import { describe, expect, it } from 'vitest';
import { anonClient, clientFor, mintToken, restHeaders, restUrl, uniqueUserId, withDb } from '../support/tokens-and-db.ts';

const profileCount = (id: string) =>
  withDb(async (c) => (await c.query<{ n: number }>('select count(*)::int as n from public.profiles where id = $1', [id])).rows[0].n);

describe('ensure_user_profile()', () => {
  it.each(['session', 'template'] as const)('creates the profile once from a %s token and returns the same row after', async (kind) => {
    const user = uniqueUserId('profile');
    const token = await mintToken({ user, ...(kind === 'template' ? { template: 'supabase' } : {}) });
    expect(await profileCount(user)).toBe(0);

    const first = await clientFor(token).rpc('ensure_user_profile');
    expect(first.error).toBeNull();
    expect(first.data?.id).toBe(user);
    // The template carries the email claim; a default session token does not.
    expect(first.data?.email).toBe(kind === 'template' ? `${user}@example.test` : null);

    const second = await clientFor(token).rpc('ensure_user_profile');
    expect(second.data).toEqual(first.data);
    expect(await profileCount(user)).toBe(1);
  });

  it('is idempotent under concurrent first calls: one row, every caller gets it', async () => {
    const user = uniqueUserId('race');
    const token = await mintToken({ user });
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        fetch(restUrl('rpc/ensure_user_profile'), { method: 'POST', headers: restHeaders(token), body: '{}' }),
      ),
    );
    const bodies = await Promise.all(
      results.map(async (r) => ({ status: r.status, body: (await r.json()) as { id: string; created_at: string } })),
    );
    expect(bodies.map((b) => b.status)).toEqual(Array(12).fill(200));
    expect(new Set(bodies.map((b) => `${b.body.id} ${b.body.created_at}`)).size).toBe(1);
    expect(bodies[0].body.id).toBe(user);
    expect(await profileCount(user)).toBe(1);
  });

  it('cannot create a profile for anyone else: it takes no identity argument', async () => {
    const me = uniqueUserId('me');
    const other = uniqueUserId('other');
    const token = await mintToken({ user: me });
    // PostgREST finds no function with an `id` parameter (404 PGRST202), so nothing is created.
    const res = await fetch(restUrl('rpc/ensure_user_profile'), {
      method: 'POST',
      headers: restHeaders(token),
      body: JSON.stringify({ id: other }),
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe('PGRST202');
    // Query-string parameters are not an identity either.
    const viaGet = await fetch(restUrl(`rpc/ensure_user_profile?id=${other}`), { headers: restHeaders(token) });
    expect(viaGet.status).toBeGreaterThanOrEqual(400);
    expect(await profileCount(other)).toBe(0);
    expect(await profileCount(me)).toBe(0);
  });

  it('is not executable by anon (401 42501)', async () => {
    const r = await anonClient().rpc('ensure_user_profile');
    expect(r.status).toBe(401);
    expect(r.error?.code).toBe('42501');
    const privileges = await withDb((c) =>
      c.query(`select has_function_privilege('anon', 'public.ensure_user_profile()', 'execute') as anon,
                      has_function_privilege('authenticated', 'public.ensure_user_profile()', 'execute') as authenticated`),
    );
    expect(privileges.rows[0]).toEqual({ anon: false, authenticated: true });
  });
});

describe('whoami() and the claim helpers', () => {
  it('read user and org from a session token (o.id / o.rol)', async () => {
    const user = uniqueUserId('who');
    const { data, error } = await clientFor(await mintToken({ user, org: 'org_acme', orgRole: 'admin' })).rpc('whoami');
    expect(error).toBeNull();
    expect(data).toMatchObject({ role: 'authenticated', sub: user, org_id: 'org_acme', org_role: 'org:admin' });
  });

  it('read user and org from a template token (org_id / org_role)', async () => {
    const user = uniqueUserId('who');
    const { data } = await clientFor(await mintToken({ user, org: 'org_globex', orgRole: 'member', template: 'supabase' })).rpc('whoami');
    expect(data).toMatchObject({ role: 'authenticated', sub: user, org_id: 'org_globex', org_role: 'org:member' });
  });

  it('give null org and role without an active organisation', async () => {
    const { data } = await clientFor(await mintToken({ user: uniqueUserId('who') })).rpc('whoami');
    expect(data).toMatchObject({ org_id: null, org_role: null });
  });

  it('return text for Clerk ids where auth.uid() fails (22P02)', async () => {
    await withDb(async (c) => {
      await c.query('begin');
      try {
        await c.query('set local role authenticated');
        await c.query(`select set_config('request.jwt.claims', $1, true)`, [
          JSON.stringify({
            sub: 'user_2abcDEF',
            role: 'authenticated',
            iss: 'https://clerk.example.com',
            v: 2,
            sid: 'sess_2abc',
            o: { id: 'org_1', rol: 'org:custom' },
          }),
        ]);
        const r = await c.query(
          'select public.requesting_user_id() as sub, public.requesting_org_id() as org, public.requesting_org_role() as role',
        );
        expect(r.rows[0]).toEqual({ sub: 'user_2abcDEF', org: 'org_1', role: 'org:custom' });
        await expect(c.query('select auth.uid()')).rejects.toMatchObject({ code: '22P02' });
      } finally {
        await c.query('rollback');
      }
    });
  });
});
