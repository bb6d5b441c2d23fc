// RLS at scale. Loads tasks and projects into the real tables (as the superuser, so the load itself
// bypasses RLS), then runs the "my rows" queries three ways, interleaved in the same run:
//   rls      through PostgREST with the user's own Clerk token: the project's policies decide
//   baseline the same query by service_role (BYPASSRLS) with the filter written out explicitly.
//            Its token is the user's token with `role: "service_role"`, signed by the same RS256
//            key, so PostgREST spends the same on verifying it: the difference is RLS alone.
//   naive    the same policy written the common slow way (claim helper unwrapped, so it runs once
//            per row, and no index on the owner column) on a copy of the table, via PostgREST too
// Each is also run as plain SQL inside a transaction (set role + request.jwt.claims, exactly what
// PostgREST does) with EXPLAIN (ANALYZE, BUFFERS), so the plans explain the numbers.
// The naive contrast is cut off by a statement timeout (`naiveCutoffSeconds`) and then reported as
// "slower than N s": the bench always finishes. Before the queries, bench/claims.ts times the claim
// helpers against reading the claim directly (`auth.jwt() ->> 'sub'`).
import { importPKCS8, SignJWT } from 'jose';
import pg from 'pg';
import { loadKeys, type LocalKeys } from 'clerk-supabase-local-stack';
import { mintSessionToken } from 'clerk-supabase-local-stack';
import { benchClaimHelpers } from './claims.ts';
import { logLine, measure, measureInterleaved, now, ratio, round, summarize, type Summary } from './stats.ts';

export interface RlsSizes {
  tasks: number;
  users: number;
  projects: number;
  orgs: number;
}
export interface RlsOptions {
  warmup: number;
  repeats: number;
  naiveWarmup: number;
  naiveRepeats: number;
  naiveSqlRepeats: number;
  sampleUsers: number;
  /** A naive request or statement still running after this long is cancelled and reported as "slower than". */
  naiveCutoffSeconds?: number;
  /** Samples per claim-helper variant (each sample is CLAIM_CALLS calls in one statement). */
  claimRepeats?: number;
}
const DEFAULT_NAIVE_CUTOFF_S = 60;

const pad = (n: number, width: number) => String(n).padStart(width, '0');
export const benchUser = (i: number) => `user_bench_${pad(i, 5)}`;
const benchOrg = (i: number) => `org_bench_${pad(i, 4)}`;

/** Loads the data set with generate_series (one statement per table, no row-by-row round trips). */
async function loadData(db: pg.Client, s: RlsSizes) {
  const existing = await db.query<{ tasks: string; projects: string; naive: boolean }>(
    `select (select count(*) from public.tasks where user_id like 'user\\_bench\\_%') as tasks,
            (select count(*) from public.projects where org_id like 'org\\_bench\\_%') as projects,
            to_regclass('public.bench_naive_projects') is not null as naive`,
  );
  const row = existing.rows[0];
  if (Number(row.tasks) === s.tasks && Number(row.projects) === s.projects && row.naive) {
    logLine('rls', `data already loaded (${s.tasks} tasks, ${s.projects} projects); reusing it`);
    return { seconds: 0, reused: true };
  }
  const started = now();
  await db.query(`drop table if exists public.bench_naive_tasks, public.bench_naive_projects`);
  await db.query(`delete from public.tasks where user_id like 'user\\_bench\\_%'`);
  await db.query(`delete from public.projects where org_id like 'org\\_bench\\_%'`);
  // The usual bulk-load order: drop the secondary indexes the migrations define, insert, rebuild
  // them (one sort instead of a million random inserts), with the exact definitions saved first.
  // One transaction: should anything fail, the rollback puts the indexes back as they were.
  await db.query('begin');
  try {
    const indexes = await db.query<{ name: string; def: string }>(
      `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
         from pg_index i
        where i.indrelid in ('public.tasks'::regclass, 'public.projects'::regclass)
          and not exists (select from pg_constraint c where c.conindid = i.indexrelid)`,
    );
    for (const ix of indexes.rows) await db.query(`drop index ${ix.name}`);
    await db.query(`set local maintenance_work_mem = '256MB'`);
    // Spread over about a year so "latest" means something; every user gets tasks/users rows.
    await db.query(
      `insert into public.tasks (user_id, title, done, created_at, updated_at)
       select 'user_bench_' || lpad((g % $2)::text, 5, '0'),
              'Benchmark task ' || g,
              g % 3 = 0,
              now() - g * ($3::float8 * interval '1 second'),
              now() - g * ($3::float8 * interval '1 second')
         from generate_series(0, $1 - 1) as g`,
      [s.tasks, s.users, (365 * 86400) / s.tasks],
    );
    await db.query(
      `insert into public.projects (org_id, created_by, name, created_at)
       select 'org_bench_' || lpad((g % $2)::text, 4, '0'),
              'user_bench_' || lpad((g % $3)::text, 5, '0'),
              'Benchmark project ' || g,
              now() - g * ($4::float8 * interval '1 second')
         from generate_series(0, $1 - 1) as g`,
      [s.projects, s.orgs, s.users, (365 * 86400) / s.projects],
    );
    for (const ix of indexes.rows) await db.query(ix.def);
    await db.query('commit');
  } catch (e) {
    await db.query('rollback');
    throw e;
  }
  const loadedMs = now() - started;
  // The naive copies: same columns and rows, the claim helper called bare (once per row, because
  // a function with `set search_path` is never inlined), and no index on the owner column.
  await db.query(`
    create table public.bench_naive_tasks (like public.tasks including defaults including constraints);
    alter table public.bench_naive_tasks add primary key (id);
    insert into public.bench_naive_tasks select * from public.tasks;
    alter table public.bench_naive_tasks enable row level security;
    create policy "naive: owners read their tasks" on public.bench_naive_tasks for select
      using (user_id = public.requesting_user_id());
    grant select on public.bench_naive_tasks to authenticated, service_role;

    create table public.bench_naive_projects (like public.projects including defaults including constraints);
    alter table public.bench_naive_projects add primary key (id);
    insert into public.bench_naive_projects select * from public.projects;
    alter table public.bench_naive_projects enable row level security;
    create policy "naive: members read the active org's projects" on public.bench_naive_projects for select
      using (org_id = public.requesting_org_id());
    grant select on public.bench_naive_projects to authenticated, service_role;
  `);
  await db.query(`vacuum analyze public.tasks, public.projects, public.bench_naive_tasks, public.bench_naive_projects`);
  await db.query(`notify pgrst, 'reload schema'`);
  const seconds = round((now() - started) / 1000, 1);
  logLine(
    'rls',
    `loaded ${s.tasks} tasks and ${s.projects} projects in ${(loadedMs / 1000).toFixed(1)} s (with naive copies and VACUUM ANALYZE: ${seconds} s)`,
  );
  return { seconds, loadSeconds: round(loadedMs / 1000, 1), reused: false };
}

interface Caller {
  user: string;
  org: string;
  token: string;
  claims: Record<string, unknown>;
  baselineToken: string;
  baselineClaims: Record<string, unknown>;
}

async function callers(keys: LocalKeys, s: RlsSizes, count: number): Promise<Caller[]> {
  const out: Caller[] = [];
  const key = await importPKCS8(keys.privateKeyPem, 'RS256');
  // Users spread evenly over the whole id range, each in an org of the bench set.
  for (let k = 0; k < count; k++) {
    const u = Math.floor((k * s.users) / count + (k % 7));
    const user = benchUser(u % s.users);
    const org = benchOrg((u * 13) % s.orgs);
    const token = await mintSessionToken(
      keys,
      { userId: user, sessionId: `sess_bench_${k}`, org: { id: org, slug: org, role: 'member' } },
      { expiresInSeconds: 3600 },
    );
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    const baselineClaims = { ...claims, role: 'service_role' };
    const baselineToken = await new SignJWT(baselineClaims).setProtectedHeader({ alg: 'RS256', kid: keys.kid, typ: 'JWT' }).sign(key);
    out.push({ user, org, token, claims, baselineToken, baselineClaims });
  }
  return out;
}

type Variant = 'rls' | 'baseline' | 'naive';
interface QuerySpec {
  name: string;
  /** PostgREST path (after /rest/v1/) and method per variant. */
  rest: (v: Variant, c: Caller) => { method: 'GET' | 'HEAD'; path: string; headers?: Record<string, string> };
  /** Equivalent SQL per variant, run as the same role with the same claims. */
  sql: (v: Variant, c: Caller) => [text: string, params: string[]];
  /** How many rows each caller must get back: a wrong answer fails the bench, not just a slow one. */
  expect: (res: Response, body: string) => number;
}

const taskCols = 'id,title,done,created_at';
const projectCols = 'id,name,created_at';

function querySpecs(): QuerySpec[] {
  return [
    {
      name: 'my 20 latest tasks',
      rest: (v, c) => ({
        method: 'GET',
        path: `${v === 'naive' ? 'bench_naive_tasks' : 'tasks'}?select=${taskCols}&order=created_at.desc&limit=20${v === 'baseline' ? `&user_id=eq.${c.user}` : ''}`,
      }),
      sql: (v, c) =>
        v === 'baseline'
          ? [`select id, title, done, created_at from public.tasks where user_id = $1 order by created_at desc limit 20`, [c.user]]
          : [
              `select id, title, done, created_at from public.${v === 'naive' ? 'bench_naive_tasks' : 'tasks'} order by created_at desc limit 20`,
              [],
            ],
      expect: (_res, body) => (JSON.parse(body) as unknown[]).length,
    },
    {
      name: 'count my tasks',
      // What supabase-js sends for .select('id', { count: 'exact', head: true }).
      rest: (v, c) => ({
        method: 'HEAD',
        path: `${v === 'naive' ? 'bench_naive_tasks' : 'tasks'}?select=id${v === 'baseline' ? `&user_id=eq.${c.user}` : ''}`,
        headers: { prefer: 'count=exact' },
      }),
      sql: (v, c) =>
        v === 'baseline'
          ? [`select count(*) from public.tasks where user_id = $1`, [c.user]]
          : [`select count(*) from public.${v === 'naive' ? 'bench_naive_tasks' : 'tasks'}`, []],
      expect: (res) => Number(res.headers.get('content-range')?.split('/')[1] ?? -1),
    },
    {
      name: "my active org's projects",
      rest: (v, c) => ({
        method: 'GET',
        path: `${v === 'naive' ? 'bench_naive_projects' : 'projects'}?select=${projectCols}&order=created_at.desc${v === 'baseline' ? `&org_id=eq.${c.org}` : ''}`,
      }),
      sql: (v, c) =>
        v === 'baseline'
          ? [`select id, name, created_at from public.projects where org_id = $1 order by created_at desc`, [c.org]]
          : [`select id, name, created_at from public.${v === 'naive' ? 'bench_naive_projects' : 'projects'} order by created_at desc`, []],
      expect: (_res, body) => (JSON.parse(body) as unknown[]).length,
    },
  ];
}

interface RlsQueryResult {
  name: string;
  rowsPerCaller: number;
  rest: Record<Variant, Summary>;
  sql: Record<Variant, Summary>;
  /** rls median / baseline median (target <= 1.15) and naive median / rls median (target >= 20). */
  ratioToBaseline: number;
  p99RatioToBaseline: number;
  speedupOverNaive: number;
  sqlRatioToBaseline: number;
  sqlSpeedupOverNaive: number;
  /** Set when the naive variant hit the cut-off: its medians are then the cut-off, a lower bound. */
  naiveCutoff?: { seconds: number; rest: boolean; sql: boolean };
  explain: Record<Variant, string>;
}

/** Thrown when a naive statement hits the cut-off (Postgres 57014, through PostgREST or SQL). */
class CutOff extends Error {}
const isCancel = (code: unknown) => code === '57014';

/** One transaction per sample, as PostgREST does it: role, claims, the query; rolled back. */
async function runSql(db: pg.Client, v: Variant, c: Caller, [sql, params]: [string, string[]], explain = false, cutoffSeconds?: number) {
  await db.query('begin');
  try {
    await db.query(`set local role ${v === 'baseline' ? 'service_role' : 'authenticated'}`);
    if (cutoffSeconds) await db.query(`select set_config('statement_timeout', $1, true)`, [`${cutoffSeconds}s`]);
    await db.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(v === 'baseline' ? c.baselineClaims : c.claims)]);
    const text = explain ? `explain (analyze, buffers, costs off) ${sql}` : sql;
    const t = now();
    const r = await db.query(text, params).catch((e: { code?: string }) => {
      throw isCancel(e.code) ? new CutOff(`${v} cut off after ${cutoffSeconds} s`) : e;
    });
    const ms = now() - t;
    return { ms, rows: r.rows as Record<string, unknown>[] };
  } finally {
    await db.query('rollback');
  }
}

/** Like measure(), but a sample cut off by the statement timeout ends the series at the cut-off. */
async function measureCutOff(
  fn: (i: number) => Promise<unknown>,
  opts: { warmup: number; repeats: number },
  cutoffMs: number,
  onCut: () => void,
) {
  try {
    return await measure(fn, opts);
  } catch (e) {
    if (!(e instanceof CutOff)) throw e;
    onCut();
    return [cutoffMs];
  }
}

export async function benchRls(env: Record<string, string>, sizes: RlsSizes, o: RlsOptions) {
  const db = new pg.Client({ connectionString: env.SUPABASE_DB_URL });
  await db.connect();
  let restoreTimeout: string | null | undefined;
  try {
    const load = await loadData(db, sizes);
    // The naive policy at full size may run longer than the API's 8 s statement timeout for
    // `authenticated` (that slowness is the point): on this throw-away stack the run sets it to the
    // cut-off instead, and a naive request that reaches it is reported as "slower than" the cut-off.
    const cutoff = o.naiveCutoffSeconds ?? DEFAULT_NAIVE_CUTOFF_S;
    const timeout = await db.query<{ value: string | null }>(
      `select (select substring(c from 'statement_timeout=(.*)') from pg_db_role_setting s, unnest(s.setconfig) c
                  where s.setrole = 'authenticated'::regrole and s.setdatabase = 0 and c like 'statement_timeout=%') as value`,
    );
    restoreTimeout = timeout.rows[0].value;
    await db.query(`alter role authenticated set statement_timeout = '${cutoff}s'`);
    await db.query(`notify pgrst, 'reload config'`);
    const keys = await loadKeys();
    const people = await callers(keys, sizes, o.sampleUsers);
    const base = `${env.NEXT_PUBLIC_SUPABASE_URL}/rest/v1/`;
    const rest = async (spec: QuerySpec, v: Variant, c: Caller) => {
      const r = spec.rest(v, c);
      const token = v === 'baseline' ? c.baselineToken : c.token;
      const headers: Record<string, string> = {
        apikey: env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY,
        authorization: `Bearer ${token}`,
        ...r.headers,
      };
      const started = now();
      const res = await fetch(base + r.path, { method: r.method, headers });
      const body = await res.text();
      // A HEAD answer has no body to carry 57014: a 500 that came only after the cut-off is the timeout.
      const timedOut = /"code":"57014"/.test(body) || (r.method === 'HEAD' && res.status === 500 && now() - started >= cutoff * 1000);
      if (v === 'naive' && timedOut) throw new CutOff(`naive cut off after ${cutoff} s`);
      if (!res.ok) throw new Error(`${spec.name} (${v}) as ${c.user}: HTTP ${res.status} ${body.slice(0, 300)}`);
      return spec.expect(res, body);
    };
    // PostgREST picks up the naive tables after its schema reload.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await fetch(`${base}bench_naive_projects?select=id&limit=1`, { headers: { apikey: env.SUPABASE_SECRET_KEY } });
      if (res.ok) break;
      if (Date.now() > deadline) throw new Error(`PostgREST did not pick up the naive tables: HTTP ${res.status}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    const claimHelpers = await benchClaimHelpers(db, people[0].claims, o.claimRepeats ?? 15);

    const results: RlsQueryResult[] = [];
    for (const spec of querySpecs()) {
      // Correctness first: every variant must return the same number of rows for the same caller.
      const c0 = people[0];
      const cutoffMs = cutoff * 1000;
      let restCut = false;
      let sqlCut = false;
      const naiveOnce = await rest(spec, 'naive', c0).catch((e) => {
        if (!(e instanceof CutOff)) throw e;
        restCut = true;
        return null;
      });
      const counts = { rls: await rest(spec, 'rls', c0), baseline: await rest(spec, 'baseline', c0), naive: naiveOnce };
      if (counts.rls !== counts.baseline || (counts.naive !== null && counts.rls !== counts.naive) || counts.rls <= 0) {
        throw new Error(`${spec.name}: the variants disagree for ${c0.user}: ${JSON.stringify(counts)}`);
      }
      const pick = (i: number) => people[i % people.length];
      const check = (v: Variant) => async (i: number) => {
        const n = await rest(spec, v, pick(i));
        if (n !== counts.rls) throw new Error(`${spec.name} (${v}) returned ${n} rows for ${pick(i).user}, expected ${counts.rls}`);
      };
      const fast = await measureInterleaved({ rls: check('rls'), baseline: check('baseline') }, o);
      // Once the naive query has hit the cut-off, it is not run again: every sample would be the cut-off.
      const naive = restCut
        ? [cutoffMs]
        : await measureCutOff(check('naive'), { warmup: o.naiveWarmup, repeats: o.naiveRepeats }, cutoffMs, () => (restCut = true));

      const sqlOf = (v: Variant) => async (i: number) =>
        (await runSql(db, v, pick(i), spec.sql(v, pick(i)), false, v === 'naive' ? cutoff : undefined)).ms;
      const sqlFast = { rls: [] as number[], baseline: [] as number[] };
      for (let i = 0; i < o.warmup + o.repeats; i++) {
        for (const v of (i % 2 ? ['baseline', 'rls'] : ['rls', 'baseline']) as ('rls' | 'baseline')[]) {
          const ms = await sqlOf(v)(i);
          if (i >= o.warmup) sqlFast[v].push(ms);
        }
      }
      const sqlNaive: number[] = [];
      // Already warm from the PostgREST runs; at full size each naive run takes seconds.
      for (let i = 0; i < o.naiveSqlRepeats && !sqlCut; i++) {
        try {
          sqlNaive.push(await sqlOf('naive')(i));
        } catch (e) {
          if (!(e instanceof CutOff)) throw e;
          sqlCut = true;
          sqlNaive.push(cutoffMs);
        }
      }
      const explain = {} as Record<Variant, string>;
      for (const v of ['rls', 'baseline', 'naive'] as Variant[]) {
        if (v === 'naive' && (restCut || sqlCut)) {
          // EXPLAIN ANALYZE runs the query: show the plan without running it.
          const plan = await runSql(db, v, c0, [`explain (costs off) ${spec.sql(v, c0)[0]}`, spec.sql(v, c0)[1]]);
          explain[v] = `(not run: slower than the ${cutoff} s cut-off)\n` + plan.rows.map((x) => String(x['QUERY PLAN'])).join('\n');
          continue;
        }
        const r = await runSql(db, v, c0, spec.sql(v, c0), true, v === 'naive' ? cutoff : undefined);
        explain[v] = r.rows.map((x) => String(x['QUERY PLAN'])).join('\n');
      }
      const restS = { rls: summarize(fast.rls), baseline: summarize(fast.baseline), naive: summarize(naive) };
      const sqlS = { rls: summarize(sqlFast.rls), baseline: summarize(sqlFast.baseline), naive: summarize(sqlNaive) };
      const r: RlsQueryResult = {
        name: spec.name,
        rowsPerCaller: counts.rls,
        rest: restS,
        sql: sqlS,
        ratioToBaseline: ratio(restS.rls.median, restS.baseline.median),
        p99RatioToBaseline: ratio(restS.rls.p99, restS.baseline.p99),
        speedupOverNaive: ratio(restS.naive.median, restS.rls.median),
        sqlRatioToBaseline: ratio(sqlS.rls.median, sqlS.baseline.median),
        sqlSpeedupOverNaive: ratio(sqlS.naive.median, sqlS.rls.median),
        ...(restCut || sqlCut ? { naiveCutoff: { seconds: cutoff, rest: restCut, sql: sqlCut } } : {}),
        explain,
      };
      const slower = (cut: boolean, x: number) => (cut ? `slower than ${cutoff} s` : `${x} ms`);
      logLine(
        'rls',
        `${spec.name}: PostgREST median ${restS.rls.median} ms (baseline ${restS.baseline.median} ms, x${r.ratioToBaseline}; naive ${slower(restCut, restS.naive.median)}, ${restCut ? 'over ' : ''}${r.speedupOverNaive}x slower) | SQL ${sqlS.rls.median} ms vs ${sqlS.baseline.median} ms, naive ${slower(sqlCut, sqlS.naive.median)}`,
      );
      results.push(r);
    }
    const sizesOnDisk = await db.query<{ name: string; bytes: string }>(
      `select c.relname as name, pg_total_relation_size(c.oid) as bytes from pg_class c
          where c.oid in ('public.tasks'::regclass, 'public.projects'::regclass, 'public.bench_naive_tasks'::regclass, 'public.bench_naive_projects'::regclass)`,
    );
    return {
      sizes,
      load,
      sampleUsers: o.sampleUsers,
      claimHelpers,
      tableMiB: Object.fromEntries(sizesOnDisk.rows.map((x) => [x.name, round(Number(x.bytes) / 2 ** 20, 1)])),
      queries: results,
    };
  } finally {
    if (restoreTimeout !== undefined) {
      await db.query(
        restoreTimeout
          ? `alter role authenticated set statement_timeout = '${restoreTimeout.replace(/'/g, '')}'`
          : 'alter role authenticated reset statement_timeout',
      );
      await db.query(`notify pgrst, 'reload config'`);
    }
    await db.end();
  }
}

/** The bench data set alone (for runs that skip the RLS part but need users with tasks). */
export async function loadBenchData(env: Record<string, string>, sizes: RlsSizes) {
  const db = new pg.Client({ connectionString: env.SUPABASE_DB_URL });
  await db.connect();
  try {
    return await loadData(db, sizes);
  } finally {
    await db.end();
  }
}
