// lib/clerk-client-uat.ts restores __client_uat only for the one case it exists for (a development
// instance's browser caught mid-rewrite), and refuses everything else: live keys, a Bearer request, a
// session cookie that is no JWT or has a bad or zero iat, an explicit __client_uat=0. The body of a
// restored request stays readable for Next.js. (The end-to-end proof is tests/app/client-uat-rewrite.test.ts.)
import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { restoreClientUat } from '../../lib/clerk-client-uat.ts';

const TEST_KEY = 'pk_test_Y2xlcmsubG9jYWwubG9jYWxob3N0JA';
const LIVE_KEY = 'pk_live_Y2xlcmsuZXhhbXBsZS5jb20k';
const jwt = (payload: unknown) =>
  `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`;
const IAT = 1_764_000_000;
const request = (cookie: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) =>
  new NextRequest('http://localhost:3000/api/tasks', {
    method: init.method ?? 'GET',
    // Sent by every browser for its own fetches: a narrower restore (same-origin only) keeps these cases.
    headers: { cookie, 'sec-fetch-site': 'same-origin', ...init.headers },
    body: init.body,
  });

describe('restoreClientUat', () => {
  it("gives a development request caught mid-rewrite its __client_uat back, at the token's own iat", () => {
    const req = request(`__session=${jwt({ iat: IAT, sub: 'user_alice' })}; __clerk_db_jwt=dvb_1`);
    const restored = restoreClientUat(req, TEST_KEY);
    expect(restored).not.toBe(req);
    expect(restored.headers.get('cookie')).toMatch(new RegExp(`; __client_uat=${IAT}$`));
  });

  it('keeps the body readable, both in the restored copy and in the original Next.js goes on with', async () => {
    const body = JSON.stringify({ title: 'saved mid-rewrite' });
    const req = request(`__session=${jwt({ iat: IAT })}`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    const restored = restoreClientUat(req, TEST_KEY);
    expect(restored).not.toBe(req);
    expect(await restored.text()).toBe(body);
    expect(await req.text()).toBe(body);
  });

  it('refuses every other case, returning the request untouched', () => {
    const session = `__session=${jwt({ iat: IAT })}`;
    const untouched: [string, NextRequest, string][] = [
      ["live keys (production: Clerk's servers set __client_uat)", request(session), LIVE_KEY],
      ['a Bearer request (the cookie is not what Clerk reads)', request(session, { headers: { authorization: 'Bearer x' } }), TEST_KEY],
      ['__client_uat present', request(`${session}; __client_uat=${IAT}`), TEST_KEY],
      ['__client_uat=0 (signed out in another tab)', request(`${session}; __client_uat=0`), TEST_KEY],
      ['a suffixed __client_uat present', request(`${session}; __client_uat_Y2xl=${IAT}`), TEST_KEY],
      ['no session cookie', request('__clerk_db_jwt=dvb_1'), TEST_KEY],
      ['a session cookie that is no JWT', request('__session=not-a-jwt'), TEST_KEY],
      ['an iat of zero', request(`__session=${jwt({ iat: 0 })}`), TEST_KEY],
      ['a negative iat', request(`__session=${jwt({ iat: -5 })}`), TEST_KEY],
      ['a fractional iat', request(`__session=${jwt({ iat: IAT + 0.5 })}`), TEST_KEY],
      ['an iat that is a string', request(`__session=${jwt({ iat: String(IAT) })}`), TEST_KEY],
      ['no iat', request(`__session=${jwt({ sub: 'user_alice' })}`), TEST_KEY],
    ];
    for (const [what, req, key] of untouched) {
      const cookie = req.headers.get('cookie');
      const out = restoreClientUat(req, key);
      expect(out, what).toBe(req);
      expect(out.headers.get('cookie'), what).toBe(cookie);
    }
  });
});
