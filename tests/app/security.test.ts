// Attacks on the edges of the production build (both modes, on the local stack), each named after
// what it tries and how it is refused; every one must change nothing in the database. The SQL side of the same threats
// (foreign tokens, pending sessions, deleted users) is in tests/db/foreign-tokens.test.ts.
import { randomBytes } from 'node:crypto';
import { Webhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { chunked, newClerkUser } from '../support/app.ts';
import { clerkUserData } from '../support/clerk-webhook.ts';
import { backendApiCalls, createSession, mintToken, restHeaders, restUrl, withDb } from '../support/tokens-and-db.ts';

const THIRD_PARTY_URL = process.env.APP_URL_THIRD_PARTY ?? 'http://localhost:3100';
const TEMPLATE_URL = process.env.APP_URL_TEMPLATE ?? 'http://localhost:3101';

const newUser = (label: string) => newClerkUser('sec', label);

/** What a browser signed in to the app sends along with any request to it, cross-site ones too. */
function sessionCookies(token: string) {
  const { iat } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { iat: number };
  return `__session=${token}; __client_uat=${iat}; __clerk_db_jwt=dvb_local_test`;
}
const tasksOf = (user: string) =>
  withDb(async (c) =>
    (await c.query<{ title: string }>('select title from public.tasks where user_id = $1 order by title', [user])).rows.map((r) => r.title),
  );

describe.each([
  ['third-party', THIRD_PARTY_URL],
  ['template', TEMPLATE_URL],
] as const)('%s mode: cross-site writes with the session cookie', (_mode, appUrl) => {
  const origin = new URL(appUrl).origin;

  it('a cross-site text/plain POST with the session cookie is refused (403/415) and creates no task', async () => {
    // A form or fetch on another site: text/plain needs no CORS preflight, and the browser adds the cookies.
    const user = await newUser('csrf');
    const { token } = await createSession({ user, azp: origin });
    const cookie = sessionCookies(token);
    const body = JSON.stringify({ title: 'planted cross-site' });
    const asBrowserSendsIt = await fetch(`${appUrl}/api/tasks`, {
      method: 'POST',
      headers: { cookie, origin: 'https://evil.example', 'content-type': 'text/plain;charset=UTF-8' },
      body,
    });
    expect(asBrowserSendsIt.status).toBe(403);
    expect((await asBrowserSendsIt.json()).error).toMatch(/Cross-origin write refused: "https:\/\/evil.example"/);
    // Without an Origin (a client that drops it) or even from the app's own origin, text/plain is not JSON.
    for (const headers of [
      { cookie, 'content-type': 'text/plain' },
      { cookie, origin, 'content-type': 'text/plain' },
      { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      { cookie },
    ] as Record<string, string>[]) {
      const res = await fetch(`${appUrl}/api/tasks`, { method: 'POST', headers, body });
      expect(res.status, JSON.stringify(headers)).toBe(415);
      expect((await res.json()).error).toMatch(/Content-Type: application\/json/);
    }
    expect(await tasksOf(user)).toEqual([]);
    // The same cookie from the app itself, as JSON, works: only the cross-site shapes are refused.
    const own = await fetch(`${appUrl}/api/tasks`, {
      method: 'POST',
      headers: { cookie, origin, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'mine' }),
    });
    expect(own.status).toBe(201);
    expect(await tasksOf(user)).toEqual(['mine']);
  });

  it('a cross-site DELETE or PATCH with the session cookie is refused (403) and the task is unchanged', async () => {
    const user = await newUser('csrfdel');
    const { token } = await createSession({ user, azp: origin });
    const cookie = sessionCookies(token);
    const created = await fetch(`${appUrl}/api/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'keep me' }),
    });
    const { task } = (await created.json()) as { task: { id: string } };
    const del = await fetch(`${appUrl}/api/tasks/${task.id}`, { method: 'DELETE', headers: { cookie, origin: 'https://evil.example' } });
    expect(del.status).toBe(403);
    const patch = await fetch(`${appUrl}/api/tasks/${task.id}`, {
      method: 'PATCH',
      headers: { cookie, origin: 'null', 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'changed' }),
    });
    expect(patch.status).toBe(403);
    expect(await tasksOf(user)).toEqual(['keep me']);
  });
});

describe('template mode: organisations', () => {
  it("a template token for another organisation than the request's (two tabs) is refused with 409, never used", async () => {
    // Clerk's session is on Acme (the last switch, in another tab); this request's session token is
    // from before the switch and names Globex. Before: the app answered for Globex with Acme's rows.
    const { sessionId } = await createSession({ user: 'user_alice', org: 'org_acme' });
    const staleTab = await mintToken({
      user: 'user_alice',
      sessionId,
      org: 'org_globex',
      orgRole: 'admin',
      azp: new URL(TEMPLATE_URL).origin,
    });
    const key = 'POST /v1/sessions/:id/tokens/:template';
    const before = (await backendApiCalls())[key] ?? 0;
    for (const path of ['/api/projects', '/api/me']) {
      const res = await fetch(`${TEMPLATE_URL}${path}`, { headers: { authorization: `Bearer ${staleTab}` } });
      const body = await res.json();
      expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(409);
      expect(body.error).toMatch(/active organisation changed/);
    }
    // Asked Clerk twice per request (once more in case it was mid-switch), and cached nothing.
    expect((await backendApiCalls())[key] ?? 0).toBe(before + 4);
    // The tab that agrees with Clerk works.
    const currentTab = await mintToken({
      user: 'user_alice',
      sessionId,
      org: 'org_acme',
      orgRole: 'admin',
      azp: new URL(TEMPLATE_URL).origin,
    });
    const ok = await fetch(`${TEMPLATE_URL}/api/projects`, { headers: { authorization: `Bearer ${currentTab}` } });
    const { orgId, projects } = (await ok.json()) as { orgId: string; projects: { org_id: string }[] };
    expect(ok.status).toBe(200);
    expect(orgId).toBe('org_acme');
    expect(projects.length).toBeGreaterThan(0);
    expect(projects.every((p) => p.org_id === 'org_acme')).toBe(true);
  });
});

describe('Clerk webhook', () => {
  it('a chunked webhook body past 512 KiB is refused with 413 by counting bytes, and nothing is stored', async () => {
    // Validly signed, so only the size stops it; no Content-Length, so only counting the bytes can.
    const user = `user_sec_hook_${randomBytes(5).toString('hex')}`;
    const id = `msg_${randomBytes(8).toString('hex')}`;
    const timestamp = new Date();
    const body = JSON.stringify({
      type: 'user.created',
      object: 'event',
      data: { ...clerkUserData(user, Date.now()), unsafe_metadata: { padding: 'x'.repeat(2 * 1024 * 1024) } },
    });
    const signature = new Webhook(process.env.CLERK_WEBHOOK_SIGNING_SECRET!).sign(id, timestamp, body);
    const stream = chunked(body);
    const res = await fetch(`${THIRD_PARTY_URL}/api/webhooks/clerk`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'svix-id': id,
        'svix-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'svix-signature': signature,
      },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatch(/larger than 524288 bytes/);
    const written = await withDb(async (c) => ({
      profile: (await c.query('select 1 from public.profiles where id = $1', [user])).rowCount,
      state: (await c.query('select 1 from private.clerk_users where user_id = $1', [user])).rowCount,
      event: (await c.query('select 1 from private.clerk_webhook_events where event_id = $1', [id])).rowCount,
    }));
    expect(written).toEqual({ profile: 0, state: 0, event: 0 });
  });
});

describe('authorized parties and the curl checklist', () => {
  it('a token minted through the Backend API (no azp) is refused by the app, not by the data API', async () => {
    // What `npm run doctor -- --print-token` gets from Clerk's Backend API against a hosted instance:
    // a session token without azp. With CLERK_AUTHORIZED_PARTIES set (required in production), Clerk
    // refuses it. The data API checks no azp, so the README's data API checks work with it; the app's
    // checks need a token the browser got for the app (`await window.Clerk.session.getToken()`).
    const user = await newUser('noazp');
    const { token } = await createSession({ user });
    expect(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).azp).toBeUndefined();
    const app = await fetch(`${THIRD_PARTY_URL}/api/tasks`, { headers: { authorization: `Bearer ${token}` } });
    expect(app.status).toBe(401);
    const data = await fetch(restUrl('tasks?select=title'), { headers: restHeaders(token) });
    expect(data.status).toBe(200);
    const browser = (await createSession({ user, azp: new URL(THIRD_PARTY_URL).origin })).token;
    expect((await fetch(`${THIRD_PARTY_URL}/api/tasks`, { headers: { authorization: `Bearer ${browser}` } })).status).toBe(200);
  });
});

describe.each([
  ['third-party', THIRD_PARTY_URL],
  ['template', TEMPLATE_URL],
] as const)('%s mode: headers a browser relies on', (_mode, appUrl) => {
  it("another site frames the dashboard's delete buttons, and a script injected into a page runs", async () => {
    const { token } = await createSession({ user: 'user_alice', azp: appUrl });
    // A browser that has been here before (Clerk's dev browser cookie), signed out, then signed in.
    const signedOut = { cookie: '__client_uat=0; __clerk_db_jwt=dvb_local_test' };
    const pages = [
      ['/', signedOut],
      ['/sign-in', signedOut],
      ['/dashboard', { cookie: sessionCookies(token) }],
    ] as const;
    const nonces = new Set<string>();
    for (const [path, headers] of pages) {
      const res = await fetch(`${appUrl}${path}`, { headers: { accept: 'text/html', ...headers }, redirect: 'manual' });
      expect(res.status, path).toBe(200);
      const html = await res.text();
      if (path === '/dashboard') expect(html).toContain('Your tasks');
      // Nobody else may frame it: both the standard and the older header.
      expect(res.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
      const csp = res.headers.get('content-security-policy') ?? '';
      const directives = Object.fromEntries(
        csp
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .map(([name, ...values]) => [name, values]),
      );
      expect(directives['frame-ancestors'], `${path}: ${csp}`).toEqual(["'self'"]);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      // Scripts run only with this response's nonce ('strict-dynamic': what they load runs too), and no
      // scheme or host lets an injected <script src> through.
      const scriptSrc: string[] = directives['script-src'] ?? [];
      const nonce = scriptSrc.find((v) => v.startsWith("'nonce-"))?.slice(7, -1);
      expect(nonce, csp).toBeTruthy();
      expect(scriptSrc).toContain("'strict-dynamic'");
      expect(scriptSrc.filter((v) => ['http:', 'https:', '*', "'unsafe-eval'"].includes(v))).toEqual([]);
      nonces.add(nonce!);
      // Every script tag of the page carries it (else the page would be broken, not protected).
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(scripts.length, path).toBeGreaterThan(0);
      expect(
        scripts.filter((tag) => !tag.includes(`nonce="${nonce}"`)),
        path,
      ).toEqual([]);
      // The data API and Edge Functions the browser calls, and nothing to plug in.
      expect(directives['connect-src']).toContain(new URL(process.env.NEXT_PUBLIC_SUPABASE_URL!).origin);
      // Realtime's WebSocket (the "Online now" list on /org) lives on the same host.
      expect(directives['connect-src']).toContain(new URL(process.env.NEXT_PUBLIC_SUPABASE_URL!).origin.replace(/^http/, 'ws'));
      expect(directives['object-src']).toEqual(["'none'"]);
      expect(directives['base-uri']).toEqual(["'self'"]);
    }
    // A nonce is never reused: a page cannot learn it from one response and inject with it later.
    expect(nonces.size).toBe(pages.length);
    // Static files (the build's own scripts) are not sniffed or framed either.
    const home = await (await fetch(`${appUrl}/`, { headers: signedOut })).text();
    const chunk = /src="(\/_next\/static\/[^"]+\.js)"/.exec(home)![1];
    const asset = await fetch(`${appUrl}${chunk}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
    expect(asset.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });
});
