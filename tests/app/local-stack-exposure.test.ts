// Attacks on the local stack from outside this machine and from other sites' pages: the local stack
// signs anyone in with its published password, so it must answer only this machine and only the
// app itself. Runs against the production build tests/run.ts started on the test stack.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnv } from 'clerk-supabase-local-stack';
import { layout, projectRoot } from 'clerk-supabase-local-stack';
import { exposedAddresses, isLoopbackAddress, listeningAddresses } from '../support/network.ts';
import { mintToken } from '../support/tokens-and-db.ts';

const APP = process.env.APP_URL_THIRD_PARTY ?? 'http://localhost:3100';
const TEMPLATE_APP = process.env.APP_URL_TEMPLATE ?? 'http://localhost:3101';
const alice = { strategy: 'password', identifier: 'alice@example.test', password: 'clerk-local-password' };

/** A fresh dev browser from the app's own /__clerk, as clerk-js gets one. */
async function devBrowser() {
  const res = await fetch(`${APP}/__clerk/v1/dev_browser`, { method: 'POST', headers: { origin: APP } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: string }).id;
}

describe('the network', () => {
  it('a machine on the network reaches neither the apps nor any port of the stack (all on loopback)', async () => {
    const stackPorts = Object.entries(layout('test').ports)
      .filter(([name]) => name !== 'app')
      .map(([, port]) => port);
    const ports = [Number(new URL(APP).port), Number(new URL(TEMPLATE_APP).port), ...stackPorts];
    for (const port of ports) {
      const addresses = listeningAddresses(port);
      expect(addresses.length, `nothing listens on ${port}`).toBeGreaterThan(0);
      expect(
        addresses.filter((a) => !isLoopbackAddress(a)),
        `port ${port} listens beyond loopback`,
      ).toEqual([]);
    }
  });
});

/** Starts the production build on the stack's variables as a person would, until it answers or exits. */
async function startOnStackEnv(command: string, args: string[], port: number) {
  const stackEnv = parseEnv(fs.readFileSync(process.env.LOCAL_STACK_ENV_FILE ?? layout('test').envFile, 'utf8'));
  const child = spawn(command, args, {
    cwd: projectRoot,
    detached: true,
    env: {
      PATH: `${path.join(projectRoot, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}`,
      HOME: process.env.HOME,
      ...stackEnv,
      NEXT_TELEMETRY_DISABLED: '1',
    } as unknown as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  let answered = false;
  while (!answered && child.exitCode === null && Date.now() < deadline) {
    answered = await fetch(`http://localhost:${port}/`).then(
      (r) => r.ok,
      () => false,
    );
    if (!answered) await new Promise((r) => setTimeout(r, 250));
  }
  return {
    answered,
    exposed: exposedAddresses(port),
    output: () => output,
    exitCode: () => child.exitCode,
    exited,
    stop: () => child.exitCode === null && process.kill(-child.pid!, 'SIGTERM'),
  };
}

describe('the local keys on a server told to listen everywhere', () => {
  const port = layout('test').ports.app + 3;

  it('next start on the stack variables without --hostname opens the local keys to the network', async () => {
    // `next start` binds every interface unless told otherwise (what docs/local-stack.md once suggested).
    const server = await startOnStackEnv(path.join(projectRoot, 'node_modules/.bin/next'), ['start', '-p', String(port)], port);
    try {
      const code = await Promise.race([server.exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 30_000))]);
      expect(server.answered, server.output()).toBe(false);
      expect(code, server.output()).toBe(1);
      expect(server.output()).toMatch(/holds the local stack's Clerk keys and listens on .*which the network can reach/);
      expect(server.output()).toContain('npm run start:local');
      expect(listeningAddresses(port)).toEqual([]);
    } finally {
      server.stop();
    }
  }, 90_000);

  it('npm run start:local serves the same build on loopback only', async () => {
    const server = await startOnStackEnv('npm', ['run', 'start:local', '--', '-p', String(port + 1)], port + 1);
    try {
      expect(server.answered, server.output()).toBe(true);
      expect(listeningAddresses(port + 1).length).toBeGreaterThan(0);
      expect(server.exposed).toEqual([]);
    } finally {
      server.stop();
      await server.exited;
    }
  }, 90_000);
});

describe("another site's page", () => {
  it('signing in as alice through /__clerk from a foreign Origin gets no session and no token for that origin', async () => {
    const dvb = await devBrowser();
    for (const origin of ['http://evil.example', 'null', `http://localhost:${Number(new URL(APP).port) + 50}`]) {
      // A plain form post: the one kind of cross-site request a browser sends without asking first.
      const res = await fetch(`${APP}/__clerk/v1/client/sign_ins?__clerk_db_jwt=${dvb}`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(alice),
      });
      const text = await res.text();
      expect(res.status, `${origin}: ${text}`).toBe(403);
      expect(text).toContain('origin_invalid');
      expect(text).not.toMatch(/eyJ/);
    }
    // The dev browser was not signed in by any of them.
    const client = await fetch(`${APP}/__clerk/v1/client?__clerk_db_jwt=${dvb}`);
    expect(((await client.json()) as { response: { sessions: unknown[] } }).response.sessions).toEqual([]);

    // The app's own page signs in, and its token names the app.
    const own = await fetch(`${APP}/__clerk/v1/client/sign_ins?__clerk_db_jwt=${dvb}`, {
      method: 'POST',
      headers: { origin: APP, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(alice),
    });
    expect(own.status).toBe(200);
    const jwt = ((await own.json()) as { client: { sessions: { last_active_token: { jwt: string } }[] } }).client.sessions[0]
      .last_active_token.jwt;
    expect(JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()).azp).toBe(APP);
  });

  it("the handshake does not send alice's session to a redirect_url outside the app", async () => {
    const dvb = await devBrowser();
    await fetch(`${APP}/__clerk/v1/client/sign_ins?__clerk_db_jwt=${dvb}`, {
      method: 'POST',
      headers: { origin: APP, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(alice),
    });
    const res = await fetch(
      `${APP}/__clerk/v1/client/handshake?redirect_url=${encodeURIComponent('http://evil.example/collect')}&__clerk_db_jwt=${dvb}`,
      { redirect: 'manual' },
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).not.toMatch(/eyJ/);
  });

  it('cannot drive the fault-injection control endpoint (no secret, or a DNS-rebound Host)', async () => {
    const url = `${process.env.LOCAL_STACK_CONTROL_URL}/parts/clerk-frontend/stop`;
    // What a page can send: a simple POST (its Origin, no custom header).
    const simple = await fetch(url, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(simple.status).toBe(403);
    // A page whose own name resolves to 127.0.0.1 (DNS rebinding) is same-origin with it, but its Host says so.
    const { request } = await import('node:http');
    const rebound = await new Promise<number>((resolve, reject) => {
      const u = new URL(url);
      request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          headers: { host: `evil.example:${u.port}`, 'x-local-stack-secret': process.env.LOCAL_STACK_CONTROL_SECRET },
        },
        (r) => (r.resume(), resolve(r.statusCode ?? 0)),
      )
        .on('error', reject)
        .end();
    });
    expect(rebound).toBe(403);
    // The part still runs: the app's Frontend API proxy answers.
    expect((await fetch(`${APP}/__clerk/v1/environment`)).status).toBe(200);
    // The stack's own tools hold the secret.
    const status = await fetch(`${process.env.LOCAL_STACK_CONTROL_URL}/status`, {
      headers: { 'x-local-stack-secret': process.env.LOCAL_STACK_CONTROL_SECRET ?? '' },
    });
    expect(status.status).toBe(200);
  });
});

describe('a session the server refuses', () => {
  it('the sign-in page says so instead of ending blank, and the server logs why once, with the fix', async () => {
    const foreign = await mintToken({ user: 'user_alice', azp: 'http://localhost:9' });
    const iat = JSON.parse(Buffer.from(foreign.split('.')[1], 'base64url').toString()).iat as number;
    const page = () =>
      fetch(`${APP}/sign-in`, {
        headers: { accept: 'text/html', cookie: `__session=${foreign}; __client_uat=${iat}; __clerk_db_jwt=dvb_refused_test` },
      });
    const first = await page();
    expect(first.status).toBe(200);
    const html = await first.text();
    expect(html).toContain('Signed in, but this server refused the session');
    expect(html).toContain('token-invalid-authorized-parties');
    await page();
    expect((await fetch(`${APP}/api/tasks`, { headers: { authorization: `Bearer ${foreign}` } })).status).toBe(401);

    // Signed out for real: no such notice.
    const signedOut = await fetch(`${APP}/sign-in`, {
      headers: { accept: 'text/html', cookie: '__client_uat=0; __clerk_db_jwt=dvb_refused_test' },
    });
    expect(await signedOut.text()).not.toContain('refused the session');

    const log = fs.readFileSync(path.join(process.env.APP_LOGS_DIR ?? layout('test').logs, 'app-third-party.log'), 'utf8');
    const lines = log
      .split('\n')
      .filter((l) => l.includes('Clerk refused the session') && l.includes('(token-invalid-authorized-parties)'));
    expect(lines, log).toHaveLength(1);
    expect(log.slice(log.indexOf(lines[0]))).toMatch(/^.*\n\s+Fix: the token was minted for another origin/);
  });
});
