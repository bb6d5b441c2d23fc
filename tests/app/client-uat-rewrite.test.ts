// The e2e flake "401 from GET /api/projects right after switching organisation": in a Clerk
// development instance clerk-js rewrites __client_uat on every session token update by deleting it
// and setting it again, and a request sent in between carries the session token alone. These are
// exactly such requests, made deterministic: the session cookie without __client_uat. They keep their
// session (lib/clerk-client-uat.ts) when they come from the page itself (Sec-Fetch-Site: same-origin,
// as the browser marks clerk-js's and Next.js's own fetches); the cases Clerk must still refuse are
// refused, and so is the same cookie on a request another site's page caused.
import { describe, expect, it } from 'vitest';
import { createSession, mintToken } from '../support/tokens-and-db.ts';

const APP = process.env.APP_URL_THIRD_PARTY ?? 'http://localhost:3100';

/** What the browser sends while clerk-js has deleted __client_uat and not yet set it again. */
const midRewrite = (token: string) => `__session=${token}; __clerk_db_jwt=dvb_uat_test`;
/** The headers of such a request from the app's own page. */
const ownPage = (token: string, extra: Record<string, string> = {}) => ({
  cookie: midRewrite(token),
  'sec-fetch-site': 'same-origin',
  ...extra,
});

describe('a request sent while clerk-js rewrites __client_uat', () => {
  it('keeps its session: API read, API write with a body, and a page', async () => {
    const { token } = await createSession({ user: 'user_alice', azp: APP });
    const me = await fetch(`${APP}/api/me`, { headers: ownPage(token) });
    expect(me.status, await me.clone().text()).toBe(200);
    expect(((await me.json()) as { userId: string }).userId).toBe('user_alice');

    const created = await fetch(`${APP}/api/tasks`, {
      method: 'POST',
      headers: ownPage(token, { 'content-type': 'application/json', origin: APP }),
      body: JSON.stringify({ title: 'written while __client_uat was being rewritten' }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    expect(((await created.json()) as { task: { title: string } }).task.title).toBe('written while __client_uat was being rewritten');

    const page = await fetch(`${APP}/dashboard`, { headers: ownPage(token, { accept: 'text/html' }), redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Your tasks');
  });

  it('a tab that signed out (__client_uat=0) stays signed out, even with a session cookie left over', async () => {
    const { token } = await createSession({ user: 'user_alice', azp: APP });
    const res = await fetch(`${APP}/api/me`, { headers: { ...ownPage(token), cookie: `${midRewrite(token)}; __client_uat=0` } });
    expect(res.status).toBe(401);
  });

  it('a forged, expired or foreign session token without __client_uat is still refused', async () => {
    const expired = await mintToken({
      user: 'user_alice',
      azp: APP,
      expiresInSeconds: -120,
      issuedAt: Math.floor(Date.now() / 1000) - 200,
    });
    const foreign = await mintToken({ user: 'user_alice', azp: 'http://evil.example' });
    const [header, payload] = (await mintToken({ user: 'user_alice', azp: APP })).split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'user_bob' })).toString('base64url')}.c2lnbmF0dXJl`;
    for (const token of [expired, foreign, forged, 'not-a-jwt']) {
      const res = await fetch(`${APP}/api/me`, { headers: ownPage(token) });
      expect(res.status, token.slice(0, 20)).toBe(401);
    }
  });

  // Clerk sets __client_uat SameSite=Strict and __session Lax: a link or form on another site sends the
  // session alone, and Clerk must answer it with a handshake, never as signed in.
  it('cross-site top-level GET with the session cookie alone counts as signed in', async () => {
    const { token } = await createSession({ user: 'user_alice', azp: APP });
    for (const site of ['cross-site', 'same-site', undefined]) {
      for (const [path, accept] of [
        ['/api/tasks', 'application/json'],
        ['/dashboard', 'text/html'],
      ]) {
        const headers: Record<string, string> = {
          cookie: midRewrite(token),
          accept,
          ...(site ? { 'sec-fetch-site': site, 'sec-fetch-mode': 'navigate' } : {}),
        };
        const res = await fetch(`${APP}${path}`, { headers, redirect: 'manual' });
        const body = await res.text();
        expect(res.status, `${path} with Sec-Fetch-Site ${site ?? '(none)'}: ${body.slice(0, 200)}`).not.toBe(200);
        expect(body).not.toContain('Your tasks');
        expect(body).not.toContain('"tasks"');
      }
    }
    // The same request from the app's own page keeps its session.
    expect((await fetch(`${APP}/api/tasks`, { headers: ownPage(token) })).status).toBe(200);
  });
});
