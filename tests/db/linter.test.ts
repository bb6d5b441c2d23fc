// Two linters guard every migration: Supabase's own (`supabase db advisors`, the same checks as the
// dashboard's Security and Performance Advisors) and the project's rules in
// tests/support/policy-checks.ts for what it misses. Both run on the migrated test database, and
// both are shown to catch a deliberately bad migration applied to a scratch database.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { supabaseCli } from '../../local/supabase-cli.ts';
import { policyFindings } from '../support/policy-checks.ts';
import { withScratchDatabase } from '../support/scratch-db.ts';
import { withDb } from '../support/stack.ts';

interface Advisory {
  name: string;
  level: string;
  detail: string;
  metadata: { schema?: string; name?: string; type?: string };
  cacheKey: string;
}

function advisors(dbUrl: string): Advisory[] {
  const r = supabaseCli(['db', 'advisors', `--remote=${dbUrl}`, '--type', 'all', '--level', 'info', '--output-format', 'json']);
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { results: Advisory[] }).results;
}

/**
 * A finding is accepted only when the object it names says why, in its comment:
 * `lint-ok <lint name> ...` (see the comments in supabase/migrations).
 */
async function justification(c: pg.Client, a: Advisory): Promise<string | null> {
  const schema = a.metadata.schema ?? 'public';
  let sql: string;
  let args: string[];
  if (a.name === 'unused_index') {
    const index = a.cacheKey.slice(`unused_index_${schema}_${a.metadata.name}_`.length);
    sql = `select obj_description(to_regclass(quote_ident($1) || '.' || quote_ident($2)), 'pg_class') as comment`;
    args = [schema, index];
  } else if (a.metadata.type === 'function') {
    sql = `select string_agg(obj_description(p.oid, 'pg_proc'), ' ') as comment from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = $1 and p.proname = $2`;
    args = [schema, a.metadata.name ?? ''];
  } else {
    sql = `select obj_description(to_regclass(quote_ident($1) || '.' || quote_ident($2)), 'pg_class') as comment`;
    args = [schema, a.metadata.name ?? ''];
  }
  const comment = (await c.query<{ comment: string | null }>(sql, args)).rows[0]?.comment ?? '';
  return comment.includes(`lint-ok ${a.name}`) ? comment : null;
}

// Everything a careless migration tends to do, one table or function per mistake.
const BAD_MIGRATION = `
  create table public.lint_no_rls (id uuid primary key default gen_random_uuid(), owner text not null);

  create table public.lint_per_row (id uuid primary key default gen_random_uuid(), owner text not null);
  alter table public.lint_per_row enable row level security;
  revoke all on public.lint_per_row from anon;
  create policy "per-row claim, unindexed owner" on public.lint_per_row for select to authenticated
    using (owner = public.requesting_user_id());

  create table public.lint_public_policy (id uuid primary key default gen_random_uuid(), owner text not null);
  create index on public.lint_public_policy (owner);
  alter table public.lint_public_policy enable row level security;
  create policy "no role given" on public.lint_public_policy for select using (owner = (select auth.jwt() ->> 'sub'));

  create function public.lint_mutable_path() returns text language sql security definer as $$ select 'x' $$;
`;

describe('Supabase database linter (supabase db advisors)', () => {
  it('reports nothing on the migrated database that its object does not justify', async () => {
    const findings = advisors(process.env.SUPABASE_DB_URL!);
    await withDb(async (c) => {
      const unjustified = [];
      for (const f of findings) if (!(await justification(c, f))) unjustified.push(`${f.name}: ${f.detail}`);
      expect(unjustified).toEqual([]);
    });
    // Only INFO-level findings can be justified this way; nothing at WARN or ERROR.
    expect(findings.filter((f) => f.level !== 'INFO').map((f) => f.detail)).toEqual([]);
  }, 60_000);

  it('catches a bad migration (scratch database)', async () => {
    await withScratchDatabase(async (c, url) => {
      await c.query(BAD_MIGRATION);
      const findings = advisors(url);
      const names = (table: string) => findings.filter((f) => f.metadata.name === table).map((f) => f.name);
      expect(names('lint_no_rls')).toContain('rls_disabled_in_public');
      expect(names('lint_mutable_path')).toContain('function_search_path_mutable');
      expect(names('lint_public_policy')).toContain('auth_rls_initplan');
      // The linter only knows auth.* and current_setting(): a per-row call of our own claim helper
      // passes it, which is why the project's own checks exist.
      expect(names('lint_per_row')).not.toContain('auth_rls_initplan');
      // An unused index without a `lint-ok` comment is not justified; ours are.
      const unused = findings.filter((f) => f.name === 'unused_index');
      const bare = unused.find((f) => f.metadata.name === 'lint_public_policy');
      expect(bare).toBeDefined();
      expect(await justification(c, bare!)).toBeNull();
      const ours = unused.find((f) => f.cacheKey.endsWith('tasks_user_id_created_at_idx'));
      expect(ours).toBeDefined();
      expect(await justification(c, ours!)).toMatch(/serves every tasks policy/);
    });
  }, 90_000); // a scratch database and two CLI runs: slow on a busy machine
});

describe("the project's own policy checks", () => {
  it('find nothing on the migrated database', async () => {
    expect(await withDb((c) => policyFindings(c))).toEqual([]);
  });

  it('report each rule a bad migration breaks (scratch database)', async () => {
    await withScratchDatabase(async (c) => {
      expect(await policyFindings(c)).toEqual([]);
      await c.query(BAD_MIGRATION);
      const found = (await policyFindings(c)).map((f) => `${f.rule} ${f.object}`);
      expect(found).toEqual(
        expect.arrayContaining([
          'claim-call-per-row public.lint_per_row "per-row claim, unindexed owner"',
          'policy-column-unindexed public.lint_per_row "per-row claim, unindexed owner"',
          'rls-disabled public.lint_no_rls',
          'policy-not-authenticated public.lint_public_policy "no role given"',
          'anon-table-privilege public.lint_no_rls',
          'anon-table-privilege public.lint_public_policy',
          'definer-callable-by-anon public.lint_mutable_path()',
        ]),
      );
      // What the bad migration did right is not reported: an indexed column, a wrapped claim.
      expect(found).not.toContain('policy-column-unindexed public.lint_public_policy "no role given"');
      expect(found).not.toContain('claim-call-per-row public.lint_public_policy "no role given"');
      expect(found).not.toContain('anon-table-privilege public.lint_per_row');
    });
  }, 90_000);

  it('report a bad migration inside a rolled-back transaction on the real database too', async () => {
    await withDb(async (c) => {
      await c.query('begin');
      try {
        await c.query(`
          create table public.lint_tx_check (id uuid primary key, owner text);
          alter table public.lint_tx_check enable row level security;
          create policy "per row" on public.lint_tx_check for select to authenticated using (owner = auth.jwt() ->> 'sub');`);
        const found = (await policyFindings(c)).map((f) => `${f.rule} ${f.object}`);
        expect(found).toContain('claim-call-per-row public.lint_tx_check "per row"');
        expect(found).toContain('policy-column-unindexed public.lint_tx_check "per row"');
        expect(found).toContain('anon-table-privilege public.lint_tx_check');
      } finally {
        await c.query('rollback');
      }
      expect((await c.query(`select to_regclass('public.lint_tx_check') as t`)).rows[0].t).toBeNull();
    });
  });
});
