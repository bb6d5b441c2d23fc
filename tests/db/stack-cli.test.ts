// The README's stack commands, run as a user runs them, on a separate instance (9): `npm run
// stack:up && npm run stack:status && npm run stack:down` works and leaves no process behind, and
// `npm run local:token` prints a token the data API accepts as that user (and refuses once expired),
// and `npm run db:reset` drops, bootstraps, migrates and seeds.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { layout, projectRoot, scratchInstance } from '../../local/paths.ts';
import { parseEnv } from '../../local/stack.ts';

const instance = layout('test', scratchInstance('stack-cli'));
const env = { ...process.env, LOCAL_STACK_PROFILE: 'test', LOCAL_STACK_INSTANCE: String(scratchInstance('stack-cli')) };
const npm = (script: string, ...args: string[]) =>
  spawnSync('npm', ['run', '-s', script, ...(args.length ? ['--', ...args] : [])], { cwd: projectRoot, env, encoding: 'utf8', timeout: 90_000 });

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => net.connect(port, '127.0.0.1').once('connect', function (this: net.Socket) { this.destroy(); resolve(true); }).once('error', () => resolve(false)));
const postgresProcesses = () => execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => line.includes(instance.pgData));

afterAll(() => {
  npm('stack:down');
});

// Each test starts or stops whole stacks: generous limits, as the suite may share the machine.
describe('stack commands', { timeout: 120_000 }, () => {
  it('up, status and down leave no process behind', async () => {
    fs.rmSync(instance.dir, { recursive: true, force: true });
    const up = npm('stack:up');
    expect(up.status, up.stderr + up.stdout).toBe(0);
    expect(up.stdout).toMatch(/ready in/);
    const pid = Number(fs.readFileSync(instance.pidFile, 'utf8'));
    const status = npm('stack:status');
    expect(status.status, status.stdout).toBe(0);
    expect(status.stdout).toMatch(/✓.*postgrest/);
    expect(status.stdout).toMatch(/alice@example\.test/);
    expect(postgresProcesses().length).toBeGreaterThan(0);

    const down = npm('stack:down');
    expect(down.status, down.stderr).toBe(0);
    expect(() => process.kill(pid, 0)).toThrow();
    expect(postgresProcesses()).toEqual([]);
    for (const [name, port] of Object.entries(instance.ports).filter(([name]) => name !== 'app')) {
      expect(await portOpen(port), `${name} still listening`).toBe(false);
    }
    expect(npm('stack:status').status).toBe(1);
  });

  it('local:token prints a token the data API accepts as that user', async () => {
    const up = npm('stack:up');
    expect(up.status, up.stderr + up.stdout).toBe(0);
    const stackEnv = parseEnv(fs.readFileSync(instance.envFile, 'utf8'));
    const whoami = (token: string) =>
      fetch(`${stackEnv.NEXT_PUBLIC_SUPABASE_URL}/rest/v1/rpc/whoami`, {
        method: 'POST',
        headers: { apikey: stackEnv.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      });
    const token = npm('local:token', '--user', 'user_alice', '--org', 'org_acme', '--org-role', 'admin');
    expect(token.status, token.stderr).toBe(0);
    const res = await whoami(token.stdout.trim());
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ role: 'authenticated', sub: 'user_alice', org_id: 'org_acme', org_role: 'org:admin' });

    const expired = npm('local:token', '--user', 'user_alice', '--expires', '-120').stdout.trim();
    expect((await whoami(expired)).status).toBe(401);
  });

  it('db:reset drops what was added and re-applies migrations and seed', async () => {
    const up = npm('stack:up');
    expect(up.status, up.stderr + up.stdout).toBe(0);
    const stackEnv = parseEnv(fs.readFileSync(instance.envFile, 'utf8'));
    const db = new pg.Client({ connectionString: stackEnv.SUPABASE_DB_URL });
    await db.connect();
    try {
      await db.query(`insert into public.tasks (user_id, title) values ('user_reset_probe', 'gone after reset')`);
      await db.query('create table public.not_in_any_migration (id int)');
      const reset = npm('db:reset');
      expect(reset.status, reset.stderr + reset.stdout).toBe(0);
      expect((await db.query(`select count(*)::int as n from public.tasks where user_id = 'user_reset_probe'`)).rows[0].n).toBe(0);
      expect((await db.query(`select to_regclass('public.not_in_any_migration') as t`)).rows[0].t).toBeNull();
      expect((await db.query(`select count(*)::int as n from public.tasks where user_id = 'user_alice'`)).rows[0].n).toBeGreaterThan(0);
      expect((await db.query('select count(*)::int as n from supabase_migrations.schema_migrations')).rows[0].n).toBe(fs.readdirSync(`${projectRoot}/supabase/migrations`).length);
    } finally {
      await db.end();
    }
    // The data API sees the reset schema at once (PostgREST reloads on the DDL event trigger).
    const token = npm('local:token', '--user', 'user_alice').stdout.trim();
    const res = await fetch(`${stackEnv.NEXT_PUBLIC_SUPABASE_URL}/rest/v1/tasks?select=title`, {
      headers: { apikey: stackEnv.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY, authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as unknown[]).length).toBeGreaterThan(0);
  });
});
