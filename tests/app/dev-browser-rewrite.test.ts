// The e2e 401 "x-clerk-auth-reason: dev-browser-missing" (issue 20): in a Clerk development instance
// clerk-js rewrites its dev-browser cookie (__clerk_db_jwt, plain and suffixed) by removing both
// and setting them again, on every page load (after the environment fetch) and after every Frontend
// API answer with a Clerk-Db-Jwt header. A request sent in between carries __session and
// __client_uat but no dev browser, and Clerk's authenticateRequest answers every request that is
// not a page visit as signed out for that alone. These are such requests, made deterministic, from
// the page's own fetch (Sec-Fetch-Site: same-origin) and from a client that sends no Sec-Fetch-Site
// (Playwright's page.request, scripts). They keep their session (lib/clerk-dev-browser.ts); every
// refusal Clerk makes for another reason still stands.
import { getCookieSuffix } from '@clerk/shared/keys';
import { describe, expect, it } from 'vitest';
import { createSession, mintToken } from '../support/tokens-and-db.ts';

const APP = process.env.APP_URL_THIRD_PARTY ?? 'http://localhost:3100';

/** Signed in, with the session's companion __client_uat, while clerk-js has removed __clerk_db_jwt. */
const withoutDevBrowser = (token: string, iat: number) => `__session=${token}; __client_uat=${iat}`;
const iatOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).iat as number;
const SENDERS = {
  'the page (Sec-Fetch-Site: same-origin)': { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' },
  'a client without Sec-Fetch-Site': {},
} as const;

/** Clerk's decision, for the failure message: why a request was answered as signed out. */
const decision = async (res: Response) =>
  `${res.status} ${(await res.clone().text()).slice(0, 200)} | ${res.headers.get('x-clerk-auth-reason') ?? '-'}`;

describe('a request sent while clerk-js rewrites __clerk_db_jwt', () => {
  for (const [sender, headers] of Object.entries(SENDERS)) {
    it(`keeps its session, sent by ${sender}: API read, API write with a body, a server component fetch`, async () => {
      const { token } = await createSession({ user: 'user_alice', azp: APP });
      const cookie = withoutDevBrowser(token, iatOf(token));
      const me = await fetch(`${APP}/api/me`, { headers: { ...headers, cookie } });
      expect(me.status, await decision(me)).toBe(200);
      expect(((await me.json()) as { userId: string }).userId).toBe('user_alice');

      const list = await fetch(`${APP}/api/tasks`, { headers: { ...headers, cookie } });
      expect(list.status, await decision(list)).toBe(200);
      expect(Array.isArray(((await list.json()) as { tasks: unknown[] }).tasks)).toBe(true);

      const title = `written while __clerk_db_jwt was being rewritten (${sender})`;
      const created = await fetch(`${APP}/api/tasks`, {
        method: 'POST',
        headers: { ...headers, cookie, 'content-type': 'application/json', origin: APP },
        body: JSON.stringify({ title }),
      });
      expect(created.status, await decision(created)).toBe(201);
      expect(((await created.json()) as { task: { title: string } }).task.title).toBe(title);

      // A client-side navigation's data request goes through proxy.ts (clerkMiddleware): signed in,
      // it is the dashboard's payload, not a redirect to sign-in.
      // (`?_rsc` with no value: what Next.js asks for when the request carries no router-state headers.)
      const rsc = await fetch(`${APP}/dashboard?_rsc`, { headers: { ...headers, cookie, rsc: '1' }, redirect: 'manual' });
      expect(rsc.status, await decision(rsc)).toBe(200);
      expect(await rsc.text()).toContain('Your tasks');
    });
  }

  it('keeps its session with suffixed cookies, with either copy of the dev browser gone, or both', async () => {
    const { token } = await createSession({ user: 'user_alice', azp: APP });
    const iat = iatOf(token);
    // clerk-js writes __session, __client_uat and __clerk_db_jwt twice: plain, and with the instance's
    // suffix, which Clerk then reads. It removes both dev-browser copies before writing them again.
    const suffix = await getCookieSuffix(process.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY!);
    const session = `__session=${token}; __session_${suffix}=${token}; __client_uat=${iat}; __client_uat_${suffix}=${iat}`;
    for (const devBrowser of ['__clerk_db_jwt=dvb_twin', `__clerk_db_jwt_${suffix}=dvb_twin`, '']) {
      for (const headers of Object.values(SENDERS)) {
        const res = await fetch(`${APP}/api/me`, { headers: { ...headers, cookie: `${session}; ${devBrowser}` } });
        expect(res.status, `${devBrowser || 'no dev browser'}: ${await decision(res)}`).toBe(200);
      }
    }
  });

  it("a page visit without the dev browser still goes through Clerk's handshake (which gives the browser one back)", async () => {
    const { token } = await createSession({ user: 'user_alice', azp: APP });
    const res = await fetch(`${APP}/dashboard`, {
      headers: {
        cookie: withoutDevBrowser(token, iatOf(token)),
        accept: 'text/html',
        'sec-fetch-site': 'same-origin',
        'sec-fetch-mode': 'navigate',
        'sec-fetch-dest': 'document',
      },
      redirect: 'manual',
    });
    expect(res.status).toBe(307);
    const location = new URL(res.headers.get('location')!, APP);
    expect(location.pathname).toMatch(/\/v1\/client\/handshake$/);
    expect(location.searchParams.get('__clerk_hs_reason')).toBe('dev-browser-missing');
    expect(location.searchParams.has('__clerk_db_jwt')).toBe(false);
  });

  it("refuses what Clerk refuses for any other reason: signed out in another tab, no companion, a forged, expired or foreign token, another site's request", async () => {
    const { token } = await createSession({ user: 'user_alice', azp: APP });
    const iat = iatOf(token);
    const expired = await mintToken({
      user: 'user_alice',
      azp: APP,
      expiresInSeconds: -120,
      issuedAt: Math.floor(Date.now() / 1000) - 200,
    });
    const foreign = await mintToken({ user: 'user_alice', azp: 'http://evil.example' });
    const [header, payload] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'user_bob' })).toString('base64url')}.c2lnbmF0dXJl`;
    const refused: [string, Record<string, string>][] = [
      ['__client_uat=0 (signed out in another tab)', { cookie: `__session=${token}; __client_uat=0` }],
      ['no __client_uat either, without Sec-Fetch-Site', { cookie: `__session=${token}` }],
      ['an expired token', { cookie: withoutDevBrowser(expired, iatOf(expired)) }],
      ['a token minted for another origin', { cookie: withoutDevBrowser(foreign, iatOf(foreign)) }],
      ['a forged token', { cookie: withoutDevBrowser(forged, iat), 'sec-fetch-site': 'same-origin' }],
      ['not a JWT', { cookie: withoutDevBrowser('not-a-jwt', iat) }],
      ["another site's fetch", { cookie: withoutDevBrowser(token, iat), 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' }],
      ["a sibling site's fetch", { cookie: withoutDevBrowser(token, iat), 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors' }],
      ['no cookies at all', {}],
    ];
    for (const [what, headers] of refused) {
      const res = await fetch(`${APP}/api/tasks`, { headers });
      expect(res.status, `${what}: ${await decision(res)}`).toBe(401);
      expect(await res.text()).not.toContain('"tasks"');
    }
  });
});
