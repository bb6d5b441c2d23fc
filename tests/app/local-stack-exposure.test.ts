// Attacks on the local stack from outside this machine and from other sites' pages: the local stack
// signs anyone in with its published password, so it must answer only this machine and only the
// app itself. Runs against the production build tests/run.ts started on the test stack.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { layout } from '../../local/paths.ts';
import { isLoopbackAddress, listeningAddresses, reachableFromNetwork } from '../support/network.ts';
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
    const stackPorts = Object.entries(layout('test').ports).filter(([name]) => name !== 'app').map(([, port]) => port);
    const ports = [Number(new URL(APP).port), Number(new URL(TEMPLATE_APP).port), ...stackPorts];
    for (const port of ports) {
      const addresses = listeningAddresses(port);
      expect(addresses.length, `nothing listens on ${port}`).toBeGreaterThan(0);
      expect(addresses.filter((a) => !isLoopbackAddress(a)), `port ${port} listens beyond loopback`).toEqual([]);
      expect(await reachableFromNetwork(port), `port ${port} from the network`).toEqual([]);
    }
  });
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
    const jwt = ((await own.json()) as { client: { sessions: { last_active_token: { jwt: string } }[] } }).client.sessions[0].last_active_token.jwt;
    expect(JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()).azp).toBe(APP);
  });

  it("the handshake does not send alice's session to a redirect_url outside the app", async () => {
    const dvb = await devBrowser();
    await fetch(`${APP}/__clerk/v1/client/sign_ins?__clerk_db_jwt=${dvb}`, { method: 'POST', headers: { origin: APP, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(alice) });
    const res = await fetch(`${APP}/__clerk/v1/client/handshake?redirect_url=${encodeURIComponent('http://evil.example/collect')}&__clerk_db_jwt=${dvb}`, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).not.toMatch(/eyJ/);
  });

  it('cannot drive the fault-injection control endpoint (no secret, or a DNS-rebound Host)', async () => {
    const url = `${process.env.LOCAL_STACK_CONTROL_URL}/parts/clerk-frontend/stop`;
    // What a page can send: a simple POST (its Origin, no custom header).
    const simple = await fetch(url, { method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'text/plain' }, body: 'x' });
    expect(simple.status).toBe(403);
    // A page whose own name resolves to 127.0.0.1 (DNS rebinding) is same-origin with it, but its Host says so.
    const { request } = await import('node:http');
    const rebound = await new Promise<number>((resolve, reject) => {
      const u = new URL(url);
      request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { host: `evil.example:${u.port}`, 'x-local-stack-secret': process.env.LOCAL_STACK_CONTROL_SECRET } }, (r) => (r.resume(), resolve(r.statusCode ?? 0)))
        .on('error', reject)
        .end();
    });
    expect(rebound).toBe(403);
    // The part still runs: the app's Frontend API proxy answers.
    expect((await fetch(`${APP}/__clerk/v1/environment`)).status).toBe(200);
    // The stack's own tools hold the secret.
    const status = await fetch(`${process.env.LOCAL_STACK_CONTROL_URL}/status`, { headers: { 'x-local-stack-secret': process.env.LOCAL_STACK_CONTROL_SECRET ?? '' } });
    expect(status.status).toBe(200);
  });
});

describe('a session the server refuses', () => {
  it('the sign-in page says so instead of ending blank, and the server logs why once, with the fix', async () => {
    const foreign = await mintToken({ user: 'user_alice', azp: 'http://localhost:9' });
    const iat = JSON.parse(Buffer.from(foreign.split('.')[1], 'base64url').toString()).iat as number;
    const page = () => fetch(`${APP}/sign-in`, { headers: { accept: 'text/html', cookie: `__session=${foreign}; __client_uat=${iat}; __clerk_db_jwt=dvb_refused_test` } });
    const first = await page();
    expect(first.status).toBe(200);
    const html = await first.text();
    expect(html).toContain('Signed in, but this server refused the session');
    expect(html).toContain('token-invalid-authorized-parties');
    await page();
    expect((await fetch(`${APP}/api/tasks`, { headers: { authorization: `Bearer ${foreign}` } })).status).toBe(401);

    // Signed out for real: no such notice.
    const signedOut = await fetch(`${APP}/sign-in`, { headers: { accept: 'text/html', cookie: '__client_uat=0; __clerk_db_jwt=dvb_refused_test' } });
    expect(await signedOut.text()).not.toContain('refused the session');

    const log = fs.readFileSync(path.join(process.env.APP_LOGS_DIR ?? layout('test').logs, 'app-third-party.log'), 'utf8');
    const lines = log.split('\n').filter((l) => l.includes('Clerk refused the session') && l.includes('(token-invalid-authorized-parties)'));
    expect(lines, log).toHaveLength(1);
    expect(log.slice(log.indexOf(lines[0]))).toMatch(/^.*\n\s+Fix: the token was minted for another origin/);
  });
});
