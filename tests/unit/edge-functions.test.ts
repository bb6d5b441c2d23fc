// The Edge Function plumbing without a stack: what config.toml tells the local gateway, the function's
// imports against what npm installed (Deno resolves them from node_modules, offline), its type check
// on real Deno, the environment it gets, and the gateway's verify_jwt behaviour (the "Invalid JWT"
// pitfall) against a small upstream standing in for a function.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKeys, type LocalKeys } from 'clerk-supabase-local-stack';
import { layout, projectRoot } from 'clerk-supabase-local-stack';
import { functionSecrets } from 'clerk-supabase-local-stack';
import { mintSessionToken } from 'clerk-supabase-local-stack';
import { denoBinary, discoverFunctions, functionSettings, functionsDir, type EdgeFunction } from 'clerk-supabase-local-stack';
import { functionRoute } from 'clerk-supabase-local-stack';

const installed = (pkg: string) =>
  (JSON.parse(fs.readFileSync(path.join(projectRoot, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

describe('supabase/functions', () => {
  it('config.toml turns verify_jwt off for task-report (the function checks Clerk tokens itself)', () => {
    const settings = functionSettings(fs.readFileSync(path.join(projectRoot, 'supabase/config.toml'), 'utf8'));
    expect(settings['task-report']).toEqual({ verifyJwt: false });
    expect(discoverFunctions(1000).map((f) => [f.name, f.port, f.verifyJwt])).toEqual([['task-report', 1000, false]]);
  });

  it('reads verify_jwt per function and defaults to on, as Supabase does', () => {
    const toml =
      '[functions.a]\nverify_jwt = false # why\n[functions."b-c"]\nverify_jwt = true\n[functions.d]\nimport_map = "x"\n[api]\nverify_jwt = false\n';
    expect(functionSettings(toml)).toEqual({ a: { verifyJwt: false }, 'b-c': { verifyJwt: true }, d: {} });
  });

  it.each(discoverFunctions(0).map((f) => f.name))('%s: every npm: import is pinned to the version npm installed', (name) => {
    const deno = JSON.parse(fs.readFileSync(path.join(functionsDir, name, 'deno.json'), 'utf8')) as { imports: Record<string, string> };
    for (const [alias, spec] of Object.entries(deno.imports)) {
      // A package's subpath export (npm:@clerk/backend@3.25.0/errors) pins the package's version too.
      const m = /^npm:(@?[^@]+)@([^/]+)(\/[\w./-]+)?$/.exec(spec);
      expect(m, `${alias}: ${spec} must be npm:<package>@<version>[/<subpath>] (jsr: and https: imports need the network)`).not.toBeNull();
      expect(`${m![1]}@${m![2]}`, `${name}/deno.json pins ${spec}; package.json installs ${m![1]}@${installed(m![1])}`).toBe(
        `${m![1]}@${installed(m![1])}`,
      );
    }
  });

  it('the functions and the local runner type-check on Deno, offline', () => {
    const entries = [
      ...discoverFunctions(0).map((f) => f.entry),
      path.join(projectRoot, 'packages/local-stack/src/functions/deno-serve.ts'),
    ];
    const run = () =>
      execFileSync(denoBinary(), ['check', '--node-modules-dir=manual', '--cached-only', ...entries], {
        cwd: projectRoot,
        env: { ...process.env, DENO_DIR: path.join(projectRoot, '.local/deno'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
        encoding: 'utf8',
        stdio: 'pipe',
      });
    expect(run).not.toThrow();
  }, 60_000);

  it('a function gets the URL, the publishable key and the Clerk settings, never a key that bypasses RLS', async () => {
    const keys = await loadKeys();
    const env = functionSecrets(layout('test', 1), keys);
    expect(Object.keys(env).sort()).toEqual([
      'CLERK_AUTHORIZED_PARTIES',
      'CLERK_ISSUER',
      'CLERK_JWT_KEY',
      'SUPABASE_ANON_KEY',
      'SUPABASE_PUBLISHABLE_KEYS',
      'SUPABASE_URL',
    ]);
    const values = Object.values(env).join('\n');
    for (const secret of [keys.supabaseSecretKey, keys.serviceRoleJwt, keys.jwtSecret, keys.clerkSecretKey])
      expect(values).not.toContain(secret);
  });
});

describe('the gateway /functions/v1 route', () => {
  let keys: LocalKeys;
  let upstream: http.Server;
  let gateway: http.Server;
  let base = '';
  const reached: { path: string; authorization?: string }[] = [];

  beforeAll(async () => {
    keys = await loadKeys();
    upstream = http.createServer((req, res) => {
      reached.push({ path: req.url!, authorization: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const port = (upstream.address() as AddressInfo).port;
    const fn = (name: string, verifyJwt: boolean): EdgeFunction => ({ name, dir: '', entry: '', port, verifyJwt });
    const route = functionRoute(keys, [fn('strict', true), fn('open', false)], 'stack.log');
    gateway = http.createServer((req, res) => route(req, res, new URL(req.url!, 'http://local')));
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/functions/v1`;
  });
  afterAll(() => {
    upstream.close();
    gateway.close();
  });

  const clerkToken = () => mintSessionToken(keys, { userId: 'user_alice', sessionId: 'sess_x' });

  it('verify_jwt on (the default) refuses a Clerk session token with 401 "Invalid JWT" before the function runs', async () => {
    reached.length = 0;
    const res = await fetch(`${base}/strict`, { method: 'POST', headers: { authorization: `Bearer ${await clerkToken()}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 401, message: 'Invalid JWT' });
    const missing = await fetch(`${base}/strict`, { method: 'POST' });
    expect(await missing.json()).toEqual({ code: 401, message: 'Missing authorization header' });
    expect(reached).toEqual([]);
  });

  it('verify_jwt on lets a token signed with the project key through (which is why it is no user check: the anon key passes)', async () => {
    reached.length = 0;
    const res = await fetch(`${base}/strict/x?y=1`, { method: 'POST', headers: { authorization: `Bearer ${keys.anonJwt}` } });
    expect(res.status).toBe(200);
    expect(reached).toEqual([{ path: '/strict/x?y=1', authorization: `Bearer ${keys.anonJwt}` }]);
  });

  it('verify_jwt off passes the request through untouched, token and all', async () => {
    reached.length = 0;
    const token = await clerkToken();
    expect((await fetch(`${base}/open`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`${base}/open`, { method: 'POST' })).status).toBe(200);
    expect(reached).toEqual([
      { path: '/open', authorization: `Bearer ${token}` },
      { path: '/open', authorization: undefined },
    ]);
  });

  it('a function that is not running: 503 naming the log', async () => {
    const route = functionRoute(keys, [{ name: 'down', dir: '', entry: '', port: 1, verifyJwt: false }], '/tmp/stack.log');
    const server = http.createServer((req, res) => route(req, res, new URL(req.url!, 'http://local')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/functions/v1/down`, { method: 'POST' });
    server.close();
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'FUNCTION_UNAVAILABLE', message: expect.stringContaining('/tmp/stack.log') });
  });

  it('an HS256 token signed with another secret does not pass verify_jwt', async () => {
    const forged = await new SignJWT({ role: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('another-secret-another-secret-32b'));
    const res = await fetch(`${base}/strict`, { method: 'POST', headers: { authorization: `Bearer ${forged}` } });
    expect(res.status).toBe(401);
  });
});
