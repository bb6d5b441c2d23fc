// The guide's hosted migration step (README -> "6. Create the tables and policies"), run as a person runs
// it, with the pinned Supabase CLI. The hosted project is stood in for by a new, empty database holding
// only what Supabase provides before any migration (packages/local-stack/src/bootstrap.sql: the roles and the auth schema).
// The trap it guards: since CLI 3 `supabase db push` targets the LOCAL database unless told --remote, so
// a guide line without it "succeeds" (or reports "up to date") and the hosted project stays empty.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapSqlFile, projectRoot } from 'clerk-supabase-local-stack';
import { PUSH_TO_LINKED, PUSH_TO_URL } from '../../scripts/doctor/hosted-commands.ts';
import { codeBlocks, commands, section } from '../support/readme.ts';
import { withDb } from '../support/tokens-and-db.ts';

const standIn = `hosted_${randomBytes(4).toString('hex')}`;
const standInUrl = () => process.env.SUPABASE_DB_URL!.replace(/\/[^/?]*(\?|$)/, `/${standIn}$1`);

/**
 * A folder laid out like a copy of this project, with its own .env.local and no `supabase link`:
 * the CLI and npx resolve from the project's node_modules, and HOME holds no Supabase login.
 */
function projectCopy(envLocal: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hosted-migrate-'));
  fs.cpSync(path.join(projectRoot, 'supabase'), path.join(dir, 'supabase'), {
    recursive: true,
    filter: (src) => !src.includes(`${path.sep}.temp`),
  });
  fs.symlinkSync(path.join(projectRoot, 'node_modules'), path.join(dir, 'node_modules'));
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "private": true }\n');
  fs.writeFileSync(
    path.join(dir, '.env.local'),
    Object.entries(envLocal)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
    { mode: 0o600 },
  );
  fs.mkdirSync(path.join(dir, 'home'));
  return dir;
}

/** Runs guide lines verbatim in bash, in `dir`, with nothing from this process's environment but PATH. */
function runInBash(dir: string, script: string) {
  const r = spawnSync('bash', ['-c', `set -e\n${script}`], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 110_000,
    // No terminal to answer the CLI's confirmation prompt: SUPABASE_YES, which the CLI reads from the shell.
    env: {
      PATH: `${path.join(projectRoot, 'node_modules/.bin')}:${process.env.PATH}`,
      HOME: path.join(dir, 'home'),
      SUPABASE_YES: '1',
      SUPABASE_TELEMETRY_DISABLED: '1',
      DO_NOT_TRACK: '1',
      npm_config_update_notifier: 'false',
    } as unknown as NodeJS.ProcessEnv,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** What the migrations create, as the catalog lists it. */
async function schemaOf(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const q = async (sql: string) => (await c.query<{ name: string }>(sql)).rows.map((r) => r.name);
    return {
      tables: await q(`select schemaname || '.' || tablename as name from pg_tables where schemaname in ('public', 'private') order by 1`),
      functions: await q(
        `select n.nspname || '.' || p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname in ('public', 'private') order by 1`,
      ),
      policies: await q(`select tablename || ': ' || policyname as name from pg_policies where schemaname = 'public' order by 1`),
      migrations: await q(`select version as name from supabase_migrations.schema_migrations order by 1`).catch(() => [] as string[]),
      taskRows: await c.query<{ n: number }>('select count(*)::int as n from public.tasks').then(
        (r) => r.rows[0].n,
        () => null,
      ),
    };
  } finally {
    await c.end();
  }
}

const hostedBlock = (command: string) => {
  const block = codeBlocks(section('hosted')).find(
    (b) => b.lang === 'bash' && b.body.split('\n').some((l) => l.replace(/\s+#.*$/, '').trim() === command),
  );
  expect(block, `README -> "6. Create the tables and policies" no longer shows \`${command}\``).toBeDefined();
  return block!.body;
};

beforeAll(async () => {
  await withDb((c) => c.query(`create database ${standIn}`));
  const c = new pg.Client({ connectionString: standInUrl() });
  await c.connect();
  await c.query(fs.readFileSync(bootstrapSqlFile, 'utf8'));
  await c.end();
});

afterAll(async () => {
  await withDb((c) => c.query(`drop database if exists ${standIn} with (force)`));
});

describe("going hosted: the guide's migration commands reach the hosted project", () => {
  it(
    'the database-URL form, run verbatim, creates every table, function, policy and migration record there',
    { timeout: 120_000 },
    async () => {
      expect((await schemaOf(standInUrl())).tables).toEqual([]);
      const dir = projectCopy({ SUPABASE_DB_URL: standInUrl(), CLERK_DOMAIN: 'verb-noun-12.clerk.accounts.dev' });
      try {
        const r = runInBash(dir, hostedBlock(PUSH_TO_URL));
        expect(r.code, r.out).toBe(0);
        expect(r.out).not.toMatch(/Target: local/i);
        const hosted = await schemaOf(standInUrl());
        const local = await schemaOf(process.env.SUPABASE_DB_URL!);
        expect(hosted.tables).toEqual(expect.arrayContaining(['public.profiles', 'public.tasks', 'public.projects']));
        expect(hosted.tables).toEqual(local.tables);
        expect(hosted.functions).toEqual(local.functions);
        expect(hosted.policies).toEqual(local.policies);
        const files = fs.readdirSync(path.join(projectRoot, 'supabase/migrations')).filter((f) => f.endsWith('.sql'));
        expect(hosted.migrations).toEqual(files.map((f) => f.split('_')[0]).sort());
        expect(hosted.taskRows, 'a hosted project gets the schema, never the local seed rows').toBe(0);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('the linked form asks for the linked project, where a bare `db push` would target the local database', { timeout: 120_000 }, () => {
    const pushes = commands(section('hosted')).filter((c) => /\bsupabase db push\b/.test(c) && c !== PUSH_TO_URL);
    const dir = projectCopy({ CLERK_DOMAIN: 'verb-noun-12.clerk.accounts.dev' });
    try {
      for (const push of pushes) {
        // --dry-run: should a push ever target the local database, it must not touch a dev stack that is running.
        const linked = runInBash(dir, `${push} --dry-run`);
        expect(linked.out, push).not.toMatch(/Target: local|127\.0\.0\.1|localhost/i);
        expect(linked.code, push).not.toBe(0); // this folder is not linked to any project
        expect(linked.out, push).toMatch(/supabase link/);
      }
      expect(pushes).toContain(PUSH_TO_LINKED);
      // What the guide said before CLI 3 changed the default: the pinned CLI sends it to the local stack.
      const bare = runInBash(dir, 'npx supabase db push --dry-run'); // --dry-run: never touch a dev stack that may be running
      expect(bare.out).toMatch(/Target: local/i);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
