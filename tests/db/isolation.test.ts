// The isolation matrix: who can see and change which rows, through supabase-js (as the app calls
// it) and through raw HTTP (to pin status codes), with both kinds of Clerk token:
//   session  - Clerk session token v2 (RS256, org in `o`), third-party auth mode
//   template - the `supabase` JWT template (HS256, org in org_id/org_role), template mode
// RLS hides other people's rows: reading, updating or deleting them affects 0 rows (not an error).
// Writing a row that would belong to someone else is refused with 42501 (403). anon gets 401.
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  anonClient,
  clientFor,
  mintToken,
  restHeaders,
  restUrl,
  uniqueUserId,
  withDb,
  type TokenOptions,
} from '../support/tokens-and-db.ts';

async function http(method: string, pathAndQuery: string, token?: string, body?: unknown) {
  const res = await fetch(restUrl(pathAndQuery), {
    method,
    headers: { ...restHeaders(token), prefer: 'return=representation' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function taskRow(id: string) {
  return withDb(async (c) => (await c.query('select user_id, title, done from public.tasks where id = $1', [id])).rows[0] ?? null);
}
async function projectRow(id: string) {
  return withDb(async (c) => (await c.query('select org_id, name from public.projects where id = $1', [id])).rows[0] ?? null);
}

describe.each(['session', 'template'] as const)('isolation with %s tokens', (kind) => {
  const A = uniqueUserId('alice');
  const B = uniqueUserId('bob');
  const M = uniqueUserId('member');
  const N = uniqueUserId('noorg');
  const orgX = `org_x_${randomBytes(5).toString('hex')}`;
  const orgY = `org_y_${randomBytes(5).toString('hex')}`;
  const tok: Record<'A' | 'B' | 'M' | 'N', string> = { A: '', B: '', M: '', N: '' };
  let taskA: string, taskB: string, projX1: string, projX2: string, projY: string;

  const token = (o: TokenOptions) => mintToken({ ...o, expiresInSeconds: 600, ...(kind === 'template' ? { template: 'supabase' } : {}) });

  beforeAll(async () => {
    tok.A = await token({ user: A, org: orgX, orgRole: 'admin' });
    tok.M = await token({ user: M, org: orgX, orgRole: 'member' });
    tok.B = await token({ user: B, org: orgY, orgRole: 'admin' });
    tok.N = await token({ user: N });
    await withDb(async (c) => {
      await c.query(`insert into public.profiles (id, display_name) values ($1, 'A'), ($2, 'B')`, [A, B]);
      const t = await c.query(`insert into public.tasks (user_id, title) values ($1, 'A task'), ($2, 'B task') returning id`, [A, B]);
      [taskA, taskB] = t.rows.map((r) => r.id);
      const p = await c.query(
        `insert into public.projects (org_id, created_by, name) values ($1, $3, 'X one'), ($1, $3, 'X two'), ($2, $4, 'Y one') returning id`,
        [orgX, orgY, A, B],
      );
      [projX1, projX2, projY] = p.rows.map((r) => r.id);
    });
  });

  describe('tasks', () => {
    it('the owner reads, creates, changes and deletes their own tasks', async () => {
      const db = clientFor(tok.A);
      const own = await db.from('tasks').select('id, user_id');
      expect(own.error).toBeNull();
      expect(own.data).toEqual([{ id: taskA, user_id: A }]);
      const created = await db.from('tasks').insert({ title: 'new' }).select().single();
      expect(created.status).toBe(201);
      expect(created.data?.user_id).toBe(A);
      const updated = await db.from('tasks').update({ done: true }).eq('id', created.data!.id).select();
      expect(updated.data?.[0]?.done).toBe(true);
      const deleted = await db.from('tasks').delete().eq('id', created.data!.id).select('id');
      expect(deleted.data).toEqual([{ id: created.data!.id }]);
      expect(await taskRow(created.data!.id)).toBeNull();
    });

    it("B's task is invisible to A: read, update and delete affect 0 rows", async () => {
      const db = clientFor(tok.A);
      expect((await db.from('tasks').select().eq('id', taskB)).data).toEqual([]);
      const upd = await db.from('tasks').update({ title: 'hacked' }).eq('id', taskB).select();
      expect(upd).toMatchObject({ error: null, data: [] });
      const del = await db.from('tasks').delete().eq('id', taskB).select();
      expect(del).toMatchObject({ error: null, data: [] });

      expect(await http('GET', `tasks?id=eq.${taskB}`, tok.A)).toEqual({ status: 200, body: [] });
      expect(await http('PATCH', `tasks?id=eq.${taskB}`, tok.A, { done: true })).toEqual({ status: 200, body: [] });
      expect(await http('DELETE', `tasks?id=eq.${taskB}`, tok.A)).toEqual({ status: 200, body: [] });

      expect(await taskRow(taskB)).toEqual({ user_id: B, title: 'B task', done: false });
    });

    it('A cannot create a task owned by B, nor give a task away (403 42501)', async () => {
      const db = clientFor(tok.A);
      const ins = await db.from('tasks').insert({ title: 'planted', user_id: B });
      expect(ins.status).toBe(403);
      expect(ins.error?.code).toBe('42501');
      const raw = await http('POST', 'tasks', tok.A, { title: 'planted', user_id: B });
      expect(raw.status).toBe(403);
      expect(raw.body.code).toBe('42501');
      // user_id is not updatable at all (column grant), so a task cannot change owner.
      const give = await db.from('tasks').update({ user_id: B }).eq('id', taskA);
      expect(give.status).toBe(403);
      expect(give.error?.code).toBe('42501');
      expect((await taskRow(taskA))?.user_id).toBe(A);
      const planted = await withDb((c) => c.query(`select 1 from public.tasks where user_id = $1 and title = 'planted'`, [B]));
      expect(planted.rowCount).toBe(0);
    });
  });

  describe('profiles', () => {
    it('a user reads only their own profile', async () => {
      const db = clientFor(tok.A);
      expect((await db.from('profiles').select('id').in('id', [A, B])).data).toEqual([{ id: A }]);
      expect(await http('GET', `profiles?id=eq.${B}`, tok.A)).toEqual({ status: 200, body: [] });
    });

    it('profiles are read-only for clients: insert, update and delete are refused (403 42501)', async () => {
      const db = clientFor(tok.A);
      for (const r of [
        await db.from('profiles').insert({ id: B, display_name: 'forged' }),
        await db.from('profiles').update({ display_name: 'forged' }).eq('id', B),
        await db.from('profiles').delete().eq('id', B),
        await db.from('profiles').update({ display_name: 'forged' }).eq('id', A),
      ]) {
        expect(r.status).toBe(403);
        expect(r.error?.code).toBe('42501');
      }
      const rows = await withDb((c) =>
        c.query('select id, display_name from public.profiles where id = any($1) order by display_name', [[A, B]]),
      );
      expect(rows.rows).toEqual([
        { id: A, display_name: 'A' },
        { id: B, display_name: 'B' },
      ]);
    });
  });

  describe('projects', () => {
    it("members read their active org's projects and nothing else", async () => {
      for (const t of [tok.A, tok.M]) {
        const { data, error } = await clientFor(t).from('projects').select('id, org_id').in('id', [projX1, projX2, projY]).order('name');
        expect(error).toBeNull();
        expect(data).toEqual([
          { id: projX1, org_id: orgX },
          { id: projX2, org_id: orgX },
        ]);
      }
      expect((await http('GET', `projects?select=id&id=eq.${projY}`, tok.M)).body).toEqual([]);
      expect((await http('GET', `projects?select=id&id=eq.${projX1}`, tok.B)).body).toEqual([]);
    });

    it("members cannot touch another org's projects (0 rows) or create one there (403 42501)", async () => {
      const db = clientFor(tok.M);
      expect(await db.from('projects').update({ name: 'hacked' }).eq('id', projY).select()).toMatchObject({ error: null, data: [] });
      expect(await db.from('projects').delete().eq('id', projY).select()).toMatchObject({ error: null, data: [] });
      expect(await http('PATCH', `projects?id=eq.${projY}`, tok.M, { name: 'hacked' })).toEqual({ status: 200, body: [] });
      // Even the other org's admin: admin rights apply to the active org only.
      expect(await http('DELETE', `projects?id=eq.${projX1}`, tok.B)).toEqual({ status: 200, body: [] });

      const ins = await db.from('projects').insert({ name: 'planted', org_id: orgY });
      expect(ins.status).toBe(403);
      expect(ins.error?.code).toBe('42501');
      const raw = await http('POST', 'projects', tok.M, { name: 'planted', org_id: orgY });
      expect(raw.status).toBe(403);
      expect(raw.body.code).toBe('42501');
      // org_id is not updatable (column grant): a project cannot be moved to another org.
      const move = await db.from('projects').update({ org_id: orgY }).eq('id', projX1);
      expect(move.status).toBe(403);

      expect(await projectRow(projY)).toEqual({ org_id: orgY, name: 'Y one' });
      expect(await projectRow(projX1)).toEqual({ org_id: orgX, name: 'X one' });
      expect((await withDb((c) => c.query(`select 1 from public.projects where org_id = $1 and name = 'planted'`, [orgY]))).rowCount).toBe(
        0,
      );
    });

    it('members create and rename projects in their org; the org id comes from the token', async () => {
      const db = clientFor(tok.M);
      const created = await db.from('projects').insert({ name: 'by member' }).select().single();
      expect(created.status).toBe(201);
      expect(created.data).toMatchObject({ org_id: orgX, created_by: M, name: 'by member' });
      const renamed = await db.from('projects').update({ name: 'renamed' }).eq('id', created.data!.id).select('name');
      expect(renamed.data).toEqual([{ name: 'renamed' }]);
    });

    it('a member cannot delete (0 rows); an admin can', async () => {
      expect(await clientFor(tok.M).from('projects').delete().eq('id', projX1).select()).toMatchObject({ error: null, data: [] });
      expect(await http('DELETE', `projects?id=eq.${projX1}`, tok.M)).toEqual({ status: 200, body: [] });
      expect(await projectRow(projX1)).not.toBeNull();

      const del = await clientFor(tok.A).from('projects').delete().eq('id', projX2).select('id');
      expect(del.data).toEqual([{ id: projX2 }]);
      expect(await projectRow(projX2)).toBeNull();
    });

    it('a user with no active org sees no projects and cannot create one', async () => {
      const db = clientFor(tok.N);
      const all = await db.from('projects').select('id');
      expect(all).toMatchObject({ error: null, data: [] });
      expect(await http('GET', 'projects?select=id', tok.N)).toEqual({ status: 200, body: [] });
      const ins = await db.from('projects').insert({ name: 'orphan' });
      expect(ins.error).not.toBeNull();
      expect([400, 403]).toContain(ins.status);
      expect((await withDb((c) => c.query(`select 1 from public.projects where created_by = $1`, [N]))).rowCount).toBe(0);
    });
  });
});

describe('anon (no user token)', () => {
  it.each(['tasks', 'projects', 'profiles'] as const)(
    'is refused on %s with 401 42501, through supabase-js and raw HTTP',
    async (table) => {
      const read = await anonClient().from(table).select('*');
      expect(read.status).toBe(401);
      expect(read.error?.code).toBe('42501');
      const raw = await http('GET', `${table}?select=*`);
      expect(raw.status).toBe(401);
      expect(raw.body.code).toBe('42501');
      const body = { tasks: { title: 'x' }, projects: { name: 'x', org_id: 'org_acme', created_by: 'user_x' }, profiles: { id: 'user_x' } }[
        table
      ];
      const write = await http('POST', table, undefined, body);
      expect(write.status).toBe(401);
      expect((await http('DELETE', `${table}?id=not.is.null`)).status).toBe(401);
    },
  );

  it('cannot call the RPCs meant for users or the webhook (401)', async () => {
    for (const fn of ['ensure_user_profile', 'whoami', 'apply_clerk_user_event']) {
      const r = await http(
        'POST',
        `rpc/${fn}`,
        undefined,
        fn === 'apply_clerk_user_event' ? { event_id: 'x', event_type: 'user.deleted', data: { id: 'user_x' } } : {},
      );
      expect(r.status, fn).toBe(401);
      expect(r.body.code).toBe('42501');
    }
  });
});
