// The local Clerk Frontend API stand-in: pinned to the clerk-js it was written for, covering every
// path that bundle can call, and answering the calls the browser flows make with Clerk's shapes.
// (The browser proof is the e2e suite; this runs the stand-in in-process on 127.0.0.1.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKeys, type LocalKeys } from '../../src/keys.ts';
import { layout, projectRoot } from '../../src/paths.ts';
import { clerkJsFapiPaths, clerkJsPathsReviewed, FRONTEND_API_WRITTEN_FOR } from '../../src/clerk/endpoints.ts';
import { createFrontendApi } from '../../src/clerk/frontend-api.ts';
import { Store } from '../../src/clerk/store.ts';

const installed = (pkg: string) =>
  (JSON.parse(fs.readFileSync(path.join(projectRoot, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
const dist = (pkg: string) => path.join(projectRoot, 'node_modules', pkg, 'dist');

describe('pinned clerk-js', () => {
  it('is the version the Frontend API stand-in was written for', () => {
    const msg = (pkg: string, want: string) =>
      `node_modules has ${pkg}@${installed(pkg)} but local/clerk/endpoints.ts was written for ${want}. clerk-js talks to a private, versioned API: ` +
      'review the paths below, run `npm run test:e2e`, then bump FRONTEND_API_WRITTEN_FOR.';
    expect(installed('@clerk/clerk-js'), msg('@clerk/clerk-js', FRONTEND_API_WRITTEN_FOR.clerkJs)).toBe(FRONTEND_API_WRITTEN_FOR.clerkJs);
    expect(installed('@clerk/ui'), msg('@clerk/ui', FRONTEND_API_WRITTEN_FOR.clerkUi)).toBe(FRONTEND_API_WRITTEN_FOR.clerkUi);
  });

  it('calls no Frontend API path that the stand-in has not reviewed (answered or knowingly left out)', () => {
    const files = fs.readdirSync(dist('@clerk/clerk-js')).filter((f) => f === 'clerk.browser.js' || /_clerk\.browser_.*\.js$/.test(f));
    expect(files.length).toBeGreaterThan(1);
    const seen = clerkJsFapiPaths(files.map((f) => fs.readFileSync(path.join(dist('@clerk/clerk-js'), f), 'utf8')).join('\n'));
    const reviewed = Object.keys(clerkJsPathsReviewed).sort();
    expect(
      seen.filter((p) => !reviewed.includes(p)),
      'new in the clerk-js bundle: add each to clerkJsPathsReviewed (and answer it if the app needs it)',
    ).toEqual([]);
    expect(
      reviewed.filter((p) => !seen.includes(p)),
      'gone from the clerk-js bundle: remove from clerkJsPathsReviewed',
    ).toEqual([]);
  });

  it('serves the bundle files the stack env points the app at', async () => {
    const { stackEnv } = await import('../../src/stack.ts');
    const env = stackEnv(layout('test'), await loadKeys());
    for (const [pkg, url] of [
      ['@clerk/clerk-js', env.NEXT_PUBLIC_CLERK_JS_URL],
      ['@clerk/ui', env.NEXT_PUBLIC_CLERK_UI_URL],
    ]) {
      const m = /^\/__clerk\/npm\/(@clerk\/[a-z-]+)@([^/]+)\/dist\/(.+)$/.exec(url)!;
      expect(m, url).toBeTruthy();
      expect([m[1], m[2]]).toEqual([pkg, installed(pkg)]);
      expect(fs.existsSync(path.join(dist(pkg), m[3])), `${pkg} dist/${m[3]}`).toBe(true);
    }
  });
});

describe('Frontend API stand-in over HTTP', () => {
  let keys: LocalKeys;
  let server: ReturnType<typeof createFrontendApi>;
  let base: string;
  let dir: string;
  let storeFile: string;

  beforeAll(async () => {
    keys = await loadKeys();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fapi-'));
    storeFile = path.join(dir, 'clerk.json');
    const l = { ...layout('test'), dir, logs: dir, clerkStore: storeFile };
    server = createFrontendApi({ keys, store: new Store(storeFile), layout: l });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers every reviewed path marked "answered" with an endpoint in its table', () => {
    const table = server.endpoints.map((e) => e.path.replace(/:[a-z]+/g, ':param'));
    for (const [p, verdict] of Object.entries(clerkJsPathsReviewed)) {
      if (verdict !== 'answered') continue;
      expect(table, `${p} is marked answered`).toContain(p.startsWith('action:') ? `/v1/client/sessions/:param/${p.slice(7)}` : `/v1${p}`);
    }
    expect(server.endpoints.filter((e) => !e.what.trim())).toEqual([]);
  });

  const app = 'http://localhost:3999';
  const call = async (
    p: string,
    init: { method?: string; form?: Record<string, string>; secret?: string | null; headers?: Record<string, string> } = {},
  ) => {
    const headers: Record<string, string> = { origin: app, ...init.headers };
    if (init.secret !== null) headers['clerk-secret-key'] = init.secret ?? keys.clerkSecretKey;
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(`${base}${p}`, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      body: init.form ? new URLSearchParams(init.form) : undefined,
      redirect: 'manual',
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as Record<string, any>) : null }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const devBrowser = async () => (await call('/v1/dev_browser', { method: 'POST' })).json!.id as string;
  const signIn = async (email: string) => {
    const dvb = await devBrowser();
    const r = await call(`/v1/client/sign_ins?__clerk_db_jwt=${dvb}`, {
      form: { strategy: 'password', identifier: email, password: 'clerk-local-password' },
    });
    expect(r.status).toBe(200);
    return { dvb, sessionId: r.json!.response.created_session_id as string };
  };

  it('refuses callers without the local secret key, with a Clerk error that says why', async () => {
    const none = await call('/v1/environment', { secret: null });
    expect(none.status).toBe(401);
    expect(none.json!.errors[0].code).toBe('local_proxy_required');
    const wrong = await call('/v1/environment', { secret: 'sk_test_someone_elses' });
    expect(wrong.status).toBe(401);
    expect(wrong.json!.errors[0]).toMatchObject({ code: 'authentication_invalid', message: expect.stringContaining('not the local key') });
  });

  it("refuses a body past what it reads with 413 and Clerk's envelope, not a 500", async () => {
    const dvb = await devBrowser();
    const res = await fetch(`${base}/v1/client/sign_ins?__clerk_db_jwt=${dvb}`, {
      method: 'POST',
      headers: { origin: app, 'clerk-secret-key': keys.clerkSecretKey, 'content-type': 'application/x-www-form-urlencoded' },
      body: `identifier=${'a'.repeat(17 * 1024 * 1024)}`,
    });
    expect(res.status).toBe(413);
    expect((await res.json()).errors[0]).toMatchObject({ code: 'request_body_too_large' });
  });

  it('signs in with identifier then password, refusing a wrong password with form_password_incorrect', async () => {
    const dvb = await devBrowser();
    const first = await call(`/v1/client/sign_ins?__clerk_db_jwt=${dvb}`, { form: { identifier: 'alice@example.test' } });
    expect(first.json!.response).toMatchObject({
      object: 'sign_in_attempt',
      status: 'needs_first_factor',
      supported_first_factors: [{ strategy: 'password' }],
    });
    const id = first.json!.response.id as string;
    const wrong = await call(`/v1/client/sign_ins/${id}/attempt_first_factor?__clerk_db_jwt=${dvb}`, {
      form: { strategy: 'password', password: 'nope' },
    });
    expect(wrong.status).toBe(422);
    expect(wrong.json!.errors[0]).toMatchObject({ code: 'form_password_incorrect', meta: { param_name: 'password' } });
    const ok = await call(`/v1/client/sign_ins/${id}/attempt_first_factor?__clerk_db_jwt=${dvb}`, {
      form: { strategy: 'password', password: 'clerk-local-password' },
    });
    expect(ok.json!.response.status).toBe('complete');
    const client = ok.json!.client;
    expect(client.sessions).toHaveLength(1);
    expect(client.last_active_session_id).toBe(ok.json!.response.created_session_id);
    expect(client.sessions[0].user).toMatchObject({ id: 'user_alice', email_addresses: [{ email_address: 'alice@example.test' }] });
    expect(
      client.sessions[0].user.organization_memberships.map((m: { role: string; organization: { id: string } }) => [
        m.organization.id,
        m.role,
      ]),
    ).toEqual([['org_acme', 'org:admin']]);
    const unknown = await call(`/v1/client/sign_ins?__clerk_db_jwt=${dvb}`, { form: { identifier: 'nobody@example.test' } });
    expect(unknown.status).toBe(422);
    expect(unknown.json!.errors[0].code).toBe('form_identifier_not_found');
  });

  it('issues RS256 session tokens with role authenticated and the active organisation as o.id/o.rol/o.slg', async () => {
    const { dvb, sessionId } = await signIn('bob@example.test');
    const pub = await importSPKI(keys.publicKeyPem, 'RS256');
    const personal = await call(`/v1/client/sessions/${sessionId}/tokens?__clerk_db_jwt=${dvb}`, { form: {} });
    const { payload: p1 } = await jwtVerify(personal.json!.jwt as string, pub);
    expect(p1).toMatchObject({ sub: 'user_bob', sid: sessionId, role: 'authenticated', azp: app, v: 2 });
    expect(p1.o).toBeUndefined();

    const touched = await call(`/v1/client/sessions/${sessionId}/touch?__clerk_db_jwt=${dvb}`, {
      form: { active_organization_id: 'org_acme' },
    });
    expect(touched.json!.response.last_active_organization_id).toBe('org_acme');
    const inOrg = await call(`/v1/client/sessions/${sessionId}/tokens?__clerk_db_jwt=${dvb}`, { form: { organization_id: 'org_acme' } });
    expect(decodeJwt(inOrg.json!.jwt as string).o).toEqual({ id: 'org_acme', rol: 'member', slg: 'acme' });

    const notMine = await call(`/v1/client/sessions/${sessionId}/touch?__clerk_db_jwt=${dvb}`, {
      form: { active_organization_id: 'org_globex' },
    });
    expect(notMine.status).toBe(404);
    const template = await call(`/v1/client/sessions/${sessionId}/tokens/supabase?__clerk_db_jwt=${dvb}`, { form: {} });
    expect(decodeProtectedHeader(template.json!.jwt as string).alg).toBe('HS256');
    const { payload: t } = await jwtVerify(template.json!.jwt as string, new TextEncoder().encode(keys.jwtSecret));
    expect(t).toMatchObject({ sub: 'user_bob', role: 'authenticated', org_id: 'org_acme', org_role: 'org:member', org_slug: 'acme' });
    expect((await call(`/v1/client/sessions/${sessionId}/tokens/nope?__clerk_db_jwt=${dvb}`, { form: {} })).status).toBe(404);

    // Another browser cannot use this session.
    const other = await devBrowser();
    expect((await call(`/v1/client/sessions/${sessionId}/tokens?__clerk_db_jwt=${other}`, { form: {} })).status).toBe(404);

    const out = await call(`/v1/client/sessions?_method=DELETE&__clerk_db_jwt=${dvb}`, { form: {} });
    expect(out.json!.client.sessions).toEqual([]);
    expect((await call(`/v1/client/sessions/${sessionId}/tokens?__clerk_db_jwt=${dvb}`, { form: {} })).status).toBe(401);
  });

  it('never hands out a session token older than the __client_uat it implies (client updated_at)', async () => {
    // clerk-js writes __client_uat = client.updated_at (seconds), and Clerk refuses a cookie token whose
    // iat is earlier (session-token-iat-before-client-uat: a 401 for an API call). Every token of a
    // session, through every way clerk-js gets one, is minted after the client last changed; so is
    // the one after signing out and in again on the same browser (alice, then bob: the e2e flow).
    const uatOf = (client: { updated_at: number }) => Math.floor(client.updated_at / 1000);
    const { dvb } = await signIn('alice@example.test');
    await call(`/v1/client/sessions?_method=DELETE&__clerk_db_jwt=${dvb}`, { form: {} });
    const bob = await call(`/v1/client/sign_ins?__clerk_db_jwt=${dvb}`, {
      form: { strategy: 'password', identifier: 'bob@example.test', password: 'clerk-local-password' },
    });
    const sessionId = bob.json!.response.created_session_id as string;
    const seen: [string, string, number][] = [['sign-in', bob.json!.client.sessions[0].last_active_token.jwt, uatOf(bob.json!.client)]];
    for (let i = 0; i < 3; i++) {
      const touch = await call(`/v1/client/sessions/${sessionId}/touch?__clerk_db_jwt=${dvb}`, {
        form: { active_organization_id: i % 2 ? '' : 'org_acme' },
      });
      seen.push(['touch', touch.json!.response.last_active_token.jwt, uatOf(touch.json!.client)]);
      const client = await call(`/v1/client?__clerk_db_jwt=${dvb}`);
      const token = await call(`/v1/client/sessions/${sessionId}/tokens?__clerk_db_jwt=${dvb}`, { form: {} });
      seen.push(['client', client.json!.response.sessions[0].last_active_token.jwt, uatOf(client.json!.response)]);
      seen.push(['tokens', token.json!.jwt, uatOf(client.json!.response)]);
    }
    for (const [how, jwt, uat] of seen) {
      expect(decodeJwt(jwt).sub, how).toBe('user_bob');
      expect(decodeJwt(jwt).iat!, `${how}: iat ${decodeJwt(jwt).iat} vs __client_uat ${uat}`).toBeGreaterThanOrEqual(uat);
    }
  });

  it("session token lifetime for one user: that user's tokens only, so other tests run beside it at 60 s", async () => {
    const carol = await signIn('carol@example.test');
    const bob = await signIn('bob@example.test');
    const lifetime = async ({ dvb, sessionId }: { dvb: string; sessionId: string }, template = '') => {
      const { jwt } = (await call(`/v1/client/sessions/${sessionId}/tokens${template}?__clerk_db_jwt=${dvb}`, { form: {} })).json!;
      const { iat, exp } = decodeJwt(jwt as string);
      return exp! - iat!;
    };
    const set = (form: Record<string, string>) => call('/__local/session-token-lifetime', { method: 'PUT', form });
    expect((await set({ seconds: '10', user_id: 'user_nobody' })).status).toBe(404);
    try {
      expect((await set({ seconds: '10', user_id: 'user_carol' })).json).toEqual({ seconds: 10 });
      expect([await lifetime(carol), await lifetime(carol, '/supabase')]).toEqual([10, 10]);
      expect([await lifetime(bob), await lifetime(bob, '/supabase')]).toEqual([60, 60]);
      expect((await call('/__local/session-token-lifetime', { method: 'DELETE', form: { user_id: 'user_carol' } })).json).toEqual({
        seconds: 60,
      });
      expect(await lifetime(carol)).toBe(60);
      // DELETE without a user resets every override too (what the e2e global setup sends).
      await set({ seconds: '10', user_id: 'user_carol' });
      expect((await call('/__local/session-token-lifetime', { method: 'DELETE' })).json).toEqual({ seconds: 60 });
      expect(await lifetime(carol)).toBe(60);
    } finally {
      await call('/__local/session-token-lifetime', { method: 'DELETE' });
    }
  });

  it('session token lifetime: 60 s like Clerk, shorter on request of a test (local secret key only)', async () => {
    const { dvb, sessionId } = await signIn('carol@example.test');
    const lifetime = async () => {
      const { jwt } = (await call(`/v1/client/sessions/${sessionId}/tokens?__clerk_db_jwt=${dvb}`, { form: {} })).json!;
      const { iat, exp } = decodeJwt(jwt as string);
      return exp! - iat!;
    };
    expect(await lifetime()).toBe(60);
    expect((await call('/__local/session-token-lifetime', { method: 'PUT', form: { seconds: '10' }, secret: null })).status).toBe(401);
    for (const bad of ['0', '4', '1.5', 'ten', '3601']) {
      expect((await call('/__local/session-token-lifetime', { method: 'PUT', form: { seconds: bad } })).status, bad).toBe(400);
    }
    const templateLifetime = async () => {
      const { jwt } = (await call(`/v1/client/sessions/${sessionId}/tokens/supabase?__clerk_db_jwt=${dvb}`, { form: {} })).json!;
      const { iat, exp } = decodeJwt(jwt as string);
      return exp! - iat!;
    };
    expect(await templateLifetime()).toBe(60);
    try {
      expect((await call('/__local/session-token-lifetime', { method: 'PUT', form: { seconds: '10' } })).json).toEqual({ seconds: 10 });
      expect(await lifetime()).toBe(10);
      expect(await templateLifetime()).toBe(10); // the browser's template tokens follow it
    } finally {
      // DELETE: Clerk's 60 s again (what the e2e fixture sends after each test).
      expect((await call('/__local/session-token-lifetime', { method: 'DELETE' })).json).toEqual({ seconds: 60 });
    }
    expect(await lifetime()).toBe(60);
    expect(await templateLifetime()).toBe(60);
  });

  it('answers the handshake with cookies signed by the instance key', async () => {
    const { dvb } = await signIn('carol@example.test');
    const r = await call(
      `/v1/client/handshake?redirect_url=${encodeURIComponent(`${app}/dashboard`)}&suffixed_cookies=false&__clerk_db_jwt=${dvb}`,
    );
    expect(r.status).toBe(307);
    const location = new URL(r.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(`${app}/dashboard`);
    const { payload } = await jwtVerify(location.searchParams.get('__clerk_handshake')!, await importSPKI(keys.publicKeyPem, 'RS256'));
    const cookies = payload.handshake as string[];
    const session = cookies.find((c) => c.startsWith('__session='))!;
    expect(decodeJwt(session.split(';')[0].slice('__session='.length))).toMatchObject({ sub: 'user_carol', azp: app });
    expect(cookies.some((c) => /^__client_uat=[1-9]/.test(c))).toBe(true);
    expect(cookies).toContainEqual(expect.stringMatching(new RegExp(`^__clerk_db_jwt=${dvb};`)));

    const fresh = await call(`/v1/client/handshake?redirect_url=${encodeURIComponent(`${app}/`)}&suffixed_cookies=true`);
    const freshCookies = decodeJwt(new URL(fresh.headers.get('location')!).searchParams.get('__clerk_handshake')!).handshake as string[];
    expect(freshCookies).toContainEqual(expect.stringMatching(/^__client_uat=0;/));
    expect(freshCookies).toContainEqual(expect.stringMatching(/^__clerk_db_jwt_[A-Za-z0-9_-]{8}=dvb_/));
  });

  it('a page of another site that posts the published password gets no session and no token for its origin', async () => {
    const dvb = await devBrowser();
    const form = { strategy: 'password', identifier: 'alice@example.test', password: 'clerk-local-password' };
    for (const origin of ['http://evil.example', 'http://192.0.2.7:3000', 'null']) {
      // 'null': an opaque page (a sandboxed frame of any site, a file://) is not the app either.
      const r = await call(`/v1/client/sign_ins?__clerk_db_jwt=${dvb}`, { form, headers: { origin } });
      expect(r.status, origin).toBe(403);
      expect(r.json!.errors[0].code).toBe('origin_invalid');
      expect(JSON.stringify(r.json)).not.toMatch(/eyJ/); // no token of any kind in the answer
    }
    // Through the app's proxy, the page must be that app: another app on this machine is refused too.
    const proxied = { 'clerk-proxy-url': 'http://localhost:3999/__clerk' };
    expect(
      (await call(`/v1/client/sign_ins?__clerk_db_jwt=${dvb}`, { form, headers: { ...proxied, origin: 'http://localhost:4000' } })).status,
    ).toBe(403);
    const ok = await call(`/v1/client/sign_ins?__clerk_db_jwt=${dvb}`, { form, headers: proxied });
    expect(ok.status).toBe(200);
    expect(decodeJwt(ok.json!.client.sessions[0].last_active_token.jwt as string).azp).toBe('http://localhost:3999');
  });

  it('the handshake never redirects the session to a URL outside the app the request came through', async () => {
    const { dvb } = await signIn('carol@example.test');
    for (const target of [
      'http://evil.example/steal',
      'https://localhost.evil.example/',
      `${app}.evil.example/`,
      'http://localhost:4000/dashboard',
      '/dashboard',
    ]) {
      const r = await call(`/v1/client/handshake?redirect_url=${encodeURIComponent(target)}&__clerk_db_jwt=${dvb}`, {
        headers: { 'clerk-proxy-url': `${app}/__clerk` },
      });
      expect(r.status, target).toBe(400);
      expect(r.headers.get('location'), target).toBeNull();
      expect(r.json!.errors[0].meta.param_name).toBe('redirect_url');
    }
  });

  it('signs up with email and password, and the account survives a restart (the store persists)', async () => {
    const dvb = await devBrowser();
    const email = `new-${Date.now()}@example.test`;
    const short = await call(`/v1/client/sign_ups?__clerk_db_jwt=${dvb}`, { form: { email_address: email, password: 'short' } });
    expect(short.status).toBe(422);
    expect(short.json!.errors[0].meta.param_name).toBe('password');
    const r = await call(`/v1/client/sign_ups?__clerk_db_jwt=${dvb}`, { form: { email_address: email, password: 'long-enough-password' } });
    expect(r.json!.response).toMatchObject({ status: 'complete', email_address: email });
    expect(r.json!.client.sessions[0].user.id).toBe(r.json!.response.created_user_id);
    const taken = await call(`/v1/client/sign_ups?__clerk_db_jwt=${dvb}`, {
      form: { email_address: email, password: 'long-enough-password' },
    });
    expect(taken.json!.errors[0].code).toBe('form_identifier_exists');

    // The store batches its writes: poll the file (read only: opening a Store writes it) for the new
    // account, with one generous deadline instead of a fixed wait.
    const userId = r.json!.response.created_user_id as string;
    const onDisk = () => fs.existsSync(storeFile) && fs.readFileSync(storeFile, 'utf8').includes(JSON.stringify(userId));
    const deadline = Date.now() + 30_000;
    while (!onDisk() && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    const reopened = new Store(storeFile);
    const user = reopened.userByEmail(email);
    expect(user?.id).toBe(r.json!.response.created_user_id);
    expect(reopened.verifyPassword(user!, 'long-enough-password')).toBe(true);
  });

  it('records calls to paths it does not know, and serves only installed bundles', async () => {
    await call('/__local/unknown', { method: 'DELETE' });
    const r = await call('/v1/client/brand_new_thing');
    expect(r.status).toBe(404);
    expect(r.json!.errors[0].message).toContain('GET /v1/client/brand_new_thing');
    expect((await call('/__local/unknown')).json).toEqual({ unknown: { 'GET /v1/client/brand_new_thing': 1 } });

    const js = await fetch(`${base}/npm/@clerk/clerk-js@${installed('@clerk/clerk-js')}/dist/clerk.browser.js`, {
      headers: { 'clerk-secret-key': keys.clerkSecretKey },
    });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect((await call('/npm/@clerk/clerk-js@1.0.0/dist/clerk.browser.js')).status).toBe(404);
    expect((await call('/npm/@clerk/ui@1.36.0/dist/..%2F..%2Fpackage.json')).status).toBe(404);
  });
});
