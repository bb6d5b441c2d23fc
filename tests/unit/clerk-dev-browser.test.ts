// lib/clerk-dev-browser.ts gives a development request caught while clerk-js rewrites __clerk_db_jwt
// its dev browser back, and leaves everything else alone: live keys, another site's request, a Bearer
// request, no session, a dev browser present. A page visit (which Clerk may send to its handshake) gets
// only a real value, never the placeholder. The body of a restored request stays readable for Next.js.
// (The end-to-end proof is tests/app/dev-browser-rewrite.test.ts.)
import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';
import { devBrowserCookiesToRestore, restoreDevBrowser } from '../../lib/clerk-dev-browser.ts';

const TEST_KEY = 'pk_test_Y2xlcmsubG9jYWwubG9jYWxob3N0JA';
const LIVE_KEY = 'pk_live_Y2xlcmsuZXhhbXBsZS5jb20k';
const SESSION = '__session=eyJ.a.b; __client_uat=1764000000';
const SUFFIXED = '__session=eyJ.a.b; __session_xmtD1W8u=eyJ.a.b; __client_uat=1764000000; __client_uat_xmtD1W8u=1764000000';
const FETCH = { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' };
const VISIT = { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', accept: 'text/html' };
const request = (cookie: string, headers: Record<string, string> = FETCH, init: { method?: string; body?: string } = {}) =>
  new NextRequest('http://localhost:3000/api/tasks', { method: init.method ?? 'GET', headers: { cookie, ...headers }, body: init.body });

describe('devBrowserCookiesToRestore', () => {
  it('restores the dev browser of a request that is no page visit, from the page or from a client without Sec-Fetch-Site', () => {
    for (const headers of [FETCH, {}, { accept: 'application/json' }] as Record<string, string>[]) {
      expect(devBrowserCookiesToRestore(request(SESSION, headers), TEST_KEY)).toEqual(['__clerk_db_jwt=dvb_restored_mid_rewrite']);
    }
    // A server action is a POST from the page, whatever it accepts.
    expect(
      devBrowserCookiesToRestore(request(SESSION, { ...VISIT, 'sec-fetch-dest': 'empty' }, { method: 'POST', body: 'x' }), TEST_KEY),
    ).toHaveLength(1);
  });

  it('restores each copy from its twin when one is left: the plain from the suffixed, the suffixed from the plain', () => {
    expect(devBrowserCookiesToRestore(request(`${SUFFIXED}; __clerk_db_jwt_xmtD1W8u=dvb_real`), TEST_KEY)).toEqual([
      '__clerk_db_jwt=dvb_real',
    ]);
    expect(devBrowserCookiesToRestore(request(`${SUFFIXED}; __clerk_db_jwt=dvb_real`), TEST_KEY)).toEqual([
      '__clerk_db_jwt_xmtD1W8u=dvb_real',
    ]);
    expect(devBrowserCookiesToRestore(request(SUFFIXED), TEST_KEY)).toEqual([
      '__clerk_db_jwt=dvb_restored_mid_rewrite',
      '__clerk_db_jwt_xmtD1W8u=dvb_restored_mid_rewrite',
    ]);
    // A page visit, too, from a twin: a real value, which the handshake may send to Clerk.
    expect(devBrowserCookiesToRestore(request(`${SUFFIXED}; __clerk_db_jwt=dvb_real`, VISIT), TEST_KEY)).toEqual([
      '__clerk_db_jwt_xmtD1W8u=dvb_real',
    ]);
  });

  it("never makes one up for a page visit: Clerk's handshake sends the dev browser to the Frontend API", () => {
    for (const headers of [VISIT, { accept: 'text/html,application/xhtml+xml' }, { ...VISIT, 'sec-fetch-dest': 'iframe' }]) {
      expect(devBrowserCookiesToRestore(request(SESSION, headers), TEST_KEY)).toEqual([]);
      expect(devBrowserCookiesToRestore(request(SUFFIXED, headers), TEST_KEY)).toEqual([]);
    }
  });

  it('leaves every other request alone', () => {
    const untouched: [string, NextRequest, string][] = [
      ['live keys (a production instance has no dev browser)', request(SESSION), LIVE_KEY],
      ["another site's fetch", request(SESSION, { ...FETCH, 'sec-fetch-site': 'cross-site' }), TEST_KEY],
      ["a sibling site's fetch", request(SESSION, { ...FETCH, 'sec-fetch-site': 'same-site' }), TEST_KEY],
      ['a typed-in address (Sec-Fetch-Site: none)', request(SESSION, { ...FETCH, 'sec-fetch-site': 'none' }), TEST_KEY],
      [
        'a Bearer request (Clerk does not read the dev browser for it)',
        request(SESSION, { ...FETCH, authorization: 'Bearer x' }),
        TEST_KEY,
      ],
      ['no session cookie', request('__client_uat=1764000000'), TEST_KEY],
      ['an empty session cookie', request('__session=; __client_uat=0'), TEST_KEY],
      ['the dev browser present', request(`${SESSION}; __clerk_db_jwt=dvb_real`), TEST_KEY],
      ['both copies present', request(`${SUFFIXED}; __clerk_db_jwt=dvb_real; __clerk_db_jwt_xmtD1W8u=dvb_real`), TEST_KEY],
    ];
    for (const [what, req, key] of untouched) {
      expect(devBrowserCookiesToRestore(req, key), what).toEqual([]);
      expect(restoreDevBrowser(req, key), what).toBe(req);
    }
  });
});

describe('restoreDevBrowser', () => {
  it('adds the cookie and keeps the body readable, in the copy and in the original Next.js goes on with', async () => {
    const body = JSON.stringify({ title: 'saved mid-rewrite' });
    const req = request(SESSION, { ...FETCH, 'content-type': 'application/json' }, { method: 'POST', body });
    const restored = restoreDevBrowser(req, TEST_KEY);
    expect(restored).not.toBe(req);
    expect(restored.headers.get('cookie')).toBe(`${SESSION}; __clerk_db_jwt=dvb_restored_mid_rewrite`);
    expect(await restored.text()).toBe(body);
    expect(await req.text()).toBe(body);
  });
});
