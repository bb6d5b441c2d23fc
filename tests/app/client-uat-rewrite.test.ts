// The e2e flake "401 from GET /api/projects right after switching organisation": in a Clerk
// development instance clerk-js rewrites __client_uat on every session token update by deleting it
// and setting it again, and a request sent in between carries the session token alone. These are
// exactly such requests, made deterministic: the session cookie without __client_uat. They keep their
// session (lib/clerk-client-uat.ts); the cases Clerk must still refuse are refused.
import { describe, expect, it } from 'vitest';
import { createSession, mintToken } from '../support/tokens-and-db.ts';

const APP = process.env.APP_URL_THIRD_PARTY ?? 'http://localhost:3100';

/** What the browser sends while clerk-js has deleted __client_uat and not yet set it again. */
const midRewrite = (token: string) => `__session=${token}; __clerk_db_jwt=dvb_uat_test`;

describe('a request sent while clerk-js rewrites __client_uat', () => {
  it('keeps its session: API read, API write with a body, and a page', async () => {
    const { token } = await createSession({ user: 'user_alice', azp: APP });
    const me = await fetch(`${APP}/api/me`, { headers: { cookie: midRewrite(token) } });
    expect(me.status, await me.clone().text()).toBe(200);
    expect(((await me.json()) as { userId: string }).userId).toBe('user_alice');

    const created = await fetch(`${APP}/api/tasks`, {
      method: 'POST',
      headers: { cookie: midRewrite(token), 'content-type': 'application/json', origin: APP },
      body: JSON.stringify({ title: 'written while __client_uat was being rewritten' }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    expect(((await created.json()) as { task: { title: string } }).task.title).toBe('written while __client_uat was being rewritten');

    const page = await fetch(`${APP}/dashboard`, { headers: { cookie: midRewrite(token), accept: 'text/html' }, redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Your tasks');
  });

  it('a tab that signed out (__client_uat=0) stays signed out, even with a session cookie left over', async () => {
    const { token } = await createSession({ user: 'user_alice', azp: APP });
    const res = await fetch(`${APP}/api/me`, { headers: { cookie: `${midRewrite(token)}; __client_uat=0` } });
    expect(res.status).toBe(401);
  });

  it('a forged, expired or foreign session token without __client_uat is still refused', async () => {
    const expired = await mintToken({ user: 'user_alice', azp: APP, expiresInSeconds: -120, issuedAt: Math.floor(Date.now() / 1000) - 200 });
    const foreign = await mintToken({ user: 'user_alice', azp: 'http://evil.example' });
    const [header, payload] = (await mintToken({ user: 'user_alice', azp: APP })).split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'user_bob' })).toString('base64url')}.c2lnbmF0dXJl`;
    for (const token of [expired, foreign, forged, 'not-a-jwt']) {
      const res = await fetch(`${APP}/api/me`, { headers: { cookie: midRewrite(token) } });
      expect(res.status, token.slice(0, 20)).toBe(401);
    }
  });
});
