// Two linters guard every migration: Supabase's own (`supabase db advisors`, the same checks as the
// dashboard's Security and Performance Advisors) and the project's rules in
// tests/support/policy-checks.ts for what it misses. Both run on the migrated test database, and
// both are shown to catch a deliberately bad migration applied to a scratch database.
import { describe, expect, it } from 'vitest';
import { remoteDatabase, supabaseCli } from 'clerk-supabase-local-stack';
import { policyFindings } from '../support/policy-checks.ts';
import { withScratchDatabase } from '../support/scratch-db.ts';
import { withDb } from '../support/tokens-and-db.ts';

interface Advisory {
  name: string;
  level: string;
  detail: string;
  metadata: { schema?: string; name?: string; type?: string };
  cacheKey: string;
}

function advisors(dbUrl: string): Advisory[] {
  const remote = remoteDatabase(dbUrl);
  const r = supabaseCli(['db', 'advisors', remote.arg, '--type', 'all', '--level', 'info', '--output-format', 'json'], remote.env);
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { results: Advisory[] }).results;
}

/**
 * Findings accepted on purpose, each with its reason. Anything else the linter reports fails the test,
 * so a new finding is either fixed or argued for here, in review, not in production object comments.
 */
const ACCEPTED: Record<string, string> = {
  'unused_index public.tasks_user_id_created_at_idx': 'serves every tasks policy (user_id = the caller); unused only on a fresh database',
  'unused_index public.projects_org_id_created_at_idx':
    'serves every projects policy (org_id = the active org); unused only on a fresh database',
  'unused_index private.clerk_webhook_events_received_at_idx':
    'serves the retention delete of old webhook delivery ids; unused until a delivery prunes something',
  'authenticated_security_definer_function_executable public.ensure_user_profile':
    'signed-in users must be able to create their own profile; it takes no arguments and acts only for the token sub',
};

/** "<lint name> <schema>.<object>": what ACCEPTED is keyed by. */
function findingKey(a: Advisory): string {
  const schema = a.metadata.schema ?? 'public';
  const object =
    a.name === 'unused_index' ? a.cacheKey.slice(`unused_index_${schema}_${a.metadata.name}_`.length) : (a.metadata.name ?? '');
  return `${a.name} ${schema}.${object}`;
}
const justification = (a: Advisory): string | null => ACCEPTED[findingKey(a)] ?? null;

// Everything a careless migration tends to do, one table or function per mistake. New objects start
// closed (20261123120000_privileges.sql), so opening them to anon takes an explicit grant here.
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

  grant all on public.lint_no_rls, public.lint_per_row, public.lint_public_policy to anon, authenticated;
  revoke all on public.lint_per_row from anon;
  grant execute on function public.lint_mutable_path() to anon, authenticated;
`;

describe('Supabase database linter (supabase db advisors)', () => {
  it('reports nothing on the migrated database that is not accepted with a reason', async () => {
    const findings = advisors(process.env.SUPABASE_DB_URL!);
    expect(findings.filter((f) => !justification(f)).map((f) => `${findingKey(f)}: ${f.detail}`)).toEqual([]);
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
      // An unused index nobody argued for is not accepted; ours are.
      const unused = findings.filter((f) => f.name === 'unused_index');
      const bare = unused.find((f) => f.metadata.name === 'lint_public_policy');
      expect(bare).toBeDefined();
      expect(justification(bare!)).toBeNull();
      const ours = unused.find((f) => f.cacheKey.endsWith('tasks_user_id_created_at_idx'));
      expect(ours).toBeDefined();
      expect(justification(ours!)).toMatch(/serves every tasks policy/);
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
          grant select on public.lint_tx_check to anon, authenticated;
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
