// What makes RLS fast: at a few thousand rows, "my tasks" as a signed-in user must use the
// (user_id, created_at) index and evaluate the claim once per statement (an InitPlan), not once per
// row. Runs as `authenticated` with the claims PostgREST would set, inside a transaction that is
// rolled back, so no row outlives the test.
import { describe, expect, it } from 'vitest';
import { LOCAL_FAPI_HOST } from 'clerk-supabase-local-stack';
import { uniqueUserId, withDb } from '../support/tokens-and-db.ts';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Parent Relationship'?: string;
  'Subplan Name'?: string;
  'Actual Loops'?: number;
  Filter?: string;
  Output?: string[];
  Plans?: PlanNode[];
}
const flatten = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(flatten)];

describe('the "my tasks" query plan', () => {
  it('uses the index and evaluates requesting_user_id() once (InitPlan)', async () => {
    const me = uniqueUserId('plan');
    await withDb(async (c) => {
      await c.query('begin');
      try {
        // 5,000 tasks over 250 other users, plus 20 of mine.
        await c.query(
          `insert into public.tasks (user_id, title)
           select 'user_plan_other_' || (g % 250), 'task ' || g from generate_series(1, 5000) g
           union all select $1, 'mine ' || g from generate_series(1, 20) g`,
          [me],
        );
        await c.query('analyze public.tasks');
        await c.query('set local role authenticated');
        await c.query(`select set_config('request.jwt.claims', $1, true)`, [
          JSON.stringify({ sub: me, role: 'authenticated', iss: `https://${LOCAL_FAPI_HOST}`, v: 2, sid: `sess_${me}` }),
        ]);
        // What supabase-js sends for .from('tasks').select('*').order('created_at', { ascending: false }).
        const sql = 'select * from public.tasks order by created_at desc';
        const rows = await c.query(sql);
        expect(rows.rows).toHaveLength(20);
        expect(rows.rows.every((r) => r.user_id === me)).toBe(true);

        const plan = (await c.query(`explain (analyze, verbose, format json) ${sql}`)).rows[0]['QUERY PLAN'][0].Plan as PlanNode;
        const nodes = flatten(plan);
        const scan = nodes.find((n) => /^(Bitmap )?Index (Only )?Scan$/.test(n['Node Type']));
        expect(scan?.['Index Name'], JSON.stringify(plan, null, 1)).toBe('tasks_user_id_created_at_idx');
        expect(scan?.['Index Cond']).toMatch(/user_id = \(InitPlan 1\)/);
        expect(nodes.some((n) => n['Node Type'] === 'Seq Scan')).toBe(false);

        const initPlan = nodes.find((n) => n['Parent Relationship'] === 'InitPlan');
        expect(initPlan?.['Subplan Name']).toMatch(/^InitPlan 1/);
        expect(initPlan?.Output?.join(' ')).toMatch(/requesting_user_id\(\)/);
        expect(initPlan?.['Actual Loops']).toBe(1);
        // And the helper is nowhere in a per-row filter.
        expect(nodes.filter((n) => n.Filter?.includes('requesting_user_id'))).toEqual([]);
      } finally {
        await c.query('rollback');
      }
    });
  });
});

describe('the token check behind the claim helpers', () => {
  it('runs once per transaction, however often the helpers are called (bare, per row, as a naive policy calls them)', async () => {
    const me = uniqueUserId('check_once');
    await withDb(async (c) => {
      await c.query('begin');
      try {
        // Counts this transaction's function calls (pg_stat_get_xact_function_calls); set before dropping to authenticated.
        await c.query(`set local track_functions = 'all'`);
        await c.query('set local role authenticated');
        await c.query(`select set_config('request.jwt.claims', $1, true)`, [
          JSON.stringify({
            sub: me,
            role: 'authenticated',
            iss: `https://${LOCAL_FAPI_HOST}`,
            v: 2,
            sid: `sess_${me}`,
            o: { id: 'org_check_once', rol: 'admin' },
          }),
        ]);
        // Every column is used, so the planner cannot drop a call: 3,000 helper calls (before the memo: 3,000 checks).
        const r = await c.query(`select count(u) as users, count(o) as orgs, count(r) as roles, count(distinct u) as distinct_users
                                   from (select public.requesting_user_id() as u, public.requesting_org_id() as o, public.requesting_org_role() as r from generate_series(1, 1000)) s`);
        expect(r.rows[0]).toEqual({ users: '1000', orgs: '1000', roles: '1000', distinct_users: '1' });
        const checks = await c.query(`select pg_stat_get_xact_function_calls('private.clerk_token_problem'::regproc) as n`);
        expect(Number(checks.rows[0].n)).toBe(1);
      } finally {
        await c.query('rollback');
      }
    });
  });
});
