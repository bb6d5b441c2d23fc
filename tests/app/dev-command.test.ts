// The README's first command, run as a person runs it: `npm run dev` starts the local stack and the
// app, the app answers, the data API answers with the local key, and Ctrl-C (SIGINT to the
// foreground process group) stops everything it started. Runs on its own scratch instance (local/paths.ts scratchInstance).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keepingTsconfig, layout, projectRoot, scratchInstance } from '../../local/paths.ts';
import { parseEnv } from '../../local/stack.ts';

const instance = layout('test', scratchInstance('dev-command'));
const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); }).once('error', () => resolve(false));
  });

let dev: ReturnType<typeof spawn> | null = null;
afterAll(() => {
  if (dev?.pid && dev.exitCode === null) process.kill(-dev.pid, 'SIGKILL');
});

describe('npm run dev', () => {
  // keepingTsconfig: next dev adds its own dist folder's types to tsconfig.json's include.
  it('serves the app on the local stack and stops everything on Ctrl-C', () => keepingTsconfig(async () => {
    fs.rmSync(instance.dir, { recursive: true, force: true });
    dev = spawn('npm', ['run', 'dev'], {
      cwd: projectRoot,
      detached: true, // its own process group, like a terminal's foreground job
      env: { ...process.env, LOCAL_STACK_PROFILE: 'test', LOCAL_STACK_INSTANCE: String(scratchInstance('dev-command')), NEXT_DIST_DIR: '.next-test-dev', PORT: String(instance.ports.app) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    dev.stdout!.on('data', (c) => (output += c));
    dev.stderr!.on('data', (c) => (output += c));
    const deadline = Date.now() + 240_000;
    while (!output.includes('App ready') && Date.now() < deadline && dev.exitCode === null) await new Promise((r) => setTimeout(r, 250));
    expect(output, output).toContain('App ready');
    expect(output).toMatch(/Local stack ready in [\d.]+s/);

    const app = `http://localhost:${instance.ports.app}`;
    const home = await fetch(`${app}/`);
    expect(home.status).toBe(200);
    const dashboard = await fetch(`${app}/dashboard`, { redirect: 'manual' });
    expect([302, 303, 307, 308]).toContain(dashboard.status);
    expect(dashboard.headers.get('location')).toMatch(/sign-in/);
    // Every kind of request has run once (proxy, pages, the API): none may print a deprecation notice.
    expect((await fetch(`${app}/sign-in`)).status).toBe(200);
    expect((await fetch(`${app}/api/tasks`)).status).toBe(401);
    await new Promise((r) => setTimeout(r, 500));
    expect(output.split('\n').filter((line) => /deprecat/i.test(line))).toEqual([]);

    const env = parseEnv(fs.readFileSync(instance.envFile, 'utf8'));
    const api = await fetch(`${env.NEXT_PUBLIC_SUPABASE_URL}/rest/v1/`, { headers: { apikey: env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY } });
    expect(api.status).toBe(200);

    // The Edge Function runs with the rest, and restarts when a file under supabase/functions changes
    // (a probe file no function imports, so nothing else notices).
    const fn = () => fetch(`${env.NEXT_PUBLIC_SUPABASE_URL}/functions/v1/task-report`, { method: 'POST' }).then((r) => r.status, () => 0);
    expect(await fn()).toBe(401);
    const log = () => fs.readFileSync(path.join(instance.logs, 'stack.log'), 'utf8');
    const restarts = () => log().split('\n').filter((l) => l.includes('[fn task-report]') && l.includes('Restarting')).length;
    const before = restarts();
    const probe = path.join(projectRoot, 'supabase/functions/_shared', `watch-probe-${process.pid}.txt`);
    try {
      fs.writeFileSync(probe, 'a change');
      const until = Date.now() + 20_000;
      while (restarts() === before && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    } finally {
      fs.rmSync(probe, { force: true });
    }
    expect(restarts(), log().split('\n').filter((l) => l.includes('[fn')).join('\n')).toBeGreaterThan(before);
    const up = Date.now() + 20_000;
    while ((await fn()) !== 401 && Date.now() < up) await new Promise((r) => setTimeout(r, 100));
    expect(await fn()).toBe(401);

    process.kill(-dev.pid!, 'SIGINT');
    const exited = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 30_000);
      dev!.once('exit', () => { clearTimeout(timer); resolve(true); });
    });
    expect(exited).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    const { app: appPort, ...stackPorts } = instance.ports;
    for (const [name, port] of Object.entries({ ...stackPorts, app: appPort })) expect(await portOpen(port), `${name} still listening`).toBe(false);
    const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(instance.pgData));
    expect(left).toEqual([]);
  }), 300_000);
});
