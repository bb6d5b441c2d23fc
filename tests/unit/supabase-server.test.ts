// lib/supabase/server.ts and template-token.ts, at the HTTP level (msw): the exact headers supabase-js
// sends in each mode, and in template mode how often the (mocked) Clerk Backend API is asked for a
// template token: once per session, again only shortly before expiry, never replayed once expired.
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeJwt } from './fixtures.ts';

// Clerk's SDK reads its configuration when first imported: set the environment before any import.
const session = vi.hoisted(() => {
  Object.assign(process.env, {
    NEXT_PUBLIC_SUPABASE_URL: 'http://supabase.test',
    NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: 'sb_publishable_unittest',
    NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: `pk_test_${Buffer.from('clerk.example.test$').toString('base64').replace(/=+$/, '')}`,
    CLERK_SECRET_KEY: 'sk_test_unittest',
    CLERK_API_URL: 'http://clerk-api.test',
    CLERK_TELEMETRY_DISABLED: '1',
  });
  return {
    current: { sessionId: null as string | null, orgId: null as string | null, getToken: async (): Promise<string | null> => null },
  };
});
vi.mock('server-only', () => ({}));
vi.mock('@clerk/nextjs/server', async (importOriginal) => ({ ...(await importOriginal<object>()), auth: async () => session.current }));

const { createClient } = await import('../../lib/supabase/server.ts');
// Each test's mode() re-imports the modules, so every test starts with an empty template token cache.
const { REFRESH_MARGIN_SECONDS } = await import('../../lib/supabase/template-token.ts');
const env = await import('../../lib/env.ts');

const seen: { authorization: string | null; apikey: string | null }[] = [];
const tokenCalls: { path: string; auth: string | null }[] = [];
let nextExp = 0;
/** The active organisation of each session as Clerk's servers know it: what `org_id` the template token gets. */
const clerkSideOrg = new Map<string, (string | null)[]>();
const server = setupServer(
  http.get('http://supabase.test/rest/v1/tasks', ({ request }) => {
    seen.push({ authorization: request.headers.get('authorization'), apikey: request.headers.get('apikey') });
    return HttpResponse.json([]);
  }),
  // Clerk's Backend API: a fresh template token per call, numbered so tests can tell them apart.
  http.post('http://clerk-api.test/v1/sessions/:sid/tokens/:template', ({ request, params }) => {
    tokenCalls.push({ path: new URL(request.url).pathname, auth: request.headers.get('authorization') });
    const orgs = clerkSideOrg.get(String(params.sid));
    const org = (orgs && orgs.length > 1 ? orgs.shift() : orgs?.[0]) ?? null;
    return HttpResponse.json({
      object: 'token',
      jwt: fakeJwt({ sub: 'user_1', sid: params.sid, n: tokenCalls.length, exp: nextExp, ...(org ? { org_id: org } : {}) }),
    });
  }),
);
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  seen.length = 0;
  tokenCalls.length = 0;
  clerkSideOrg.clear();
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-11-23T12:00:00Z'));
  nextExp = Date.now() / 1000 + 60;
});
afterEach(() => {
  vi.useRealTimers();
  delete process.env.CLERK_SUPABASE_TEMPLATE;
});

/** serverEnv() is parsed once per process; reset it between modes. */
async function mode(template?: string) {
  if (template) process.env.CLERK_SUPABASE_TEMPLATE = template;
  vi.resetModules();
  return (await import('../../lib/supabase/server.ts')).createClient;
}
const query = async (client: Awaited<ReturnType<typeof createClient>>) => expect((await client.from('tasks').select()).error).toBeNull();
const tokenNumber = (authorization: string | null) =>
  JSON.parse(Buffer.from(authorization!.split('.')[1], 'base64url').toString()).n as number;

describe('third-party mode', () => {
  it('sends the Clerk session token as the Bearer token and the publishable key as apikey', async () => {
    session.current = { sessionId: 'sess_1', orgId: null, getToken: async () => 'session.jwt.token' };
    await query(await createClient());
    expect(seen).toEqual([{ authorization: 'Bearer session.jwt.token', apikey: 'sb_publishable_unittest' }]);
    expect(tokenCalls).toEqual([]);
    expect(env.serverEnv().CLERK_SUPABASE_TEMPLATE).toBeUndefined();
  });

  it('signed out: falls back to the publishable key (the anon role)', async () => {
    session.current = { sessionId: null, orgId: null, getToken: async () => null };
    await query(await createClient());
    expect(seen).toEqual([{ authorization: 'Bearer sb_publishable_unittest', apikey: 'sb_publishable_unittest' }]);
  });
});

describe('the JSON API: one client per process, the token set per query', () => {
  it('two users interleaved on the one client: every request carries its own user token, none is left behind', async () => {
    const { asUser, dataApi } = await import('../../lib/supabase/server.ts');
    const alice = { sessionId: 'sess_alice', orgId: null, getToken: async () => 'alice.jwt.token' };
    const bob = { sessionId: 'sess_bob', orgId: null, getToken: async () => 'bob.jwt.token' };
    expect(dataApi()).toBe(dataApi());
    // Built before the other user's token is fetched, sent in between: the token is the query's own.
    const results = await Promise.all([alice, bob, alice, bob, bob, alice].map((s) => asUser(s, dataApi().from('tasks').select())));
    expect(results.every((r) => r.error === null)).toBe(true);
    expect(seen.map((x) => x.authorization).sort()).toEqual([
      ...Array(3).fill('Bearer alice.jwt.token'),
      ...Array(3).fill('Bearer bob.jwt.token'),
    ]);
    // A query sent without asUser() carries no user token: the anon role, which sees no rows.
    seen.length = 0;
    await dataApi().from('tasks').select();
    expect(seen).toEqual([{ authorization: 'Bearer sb_publishable_unittest', apikey: 'sb_publishable_unittest' }]);
  });

  it('a template token Clerk refuses is thrown as a TemplateTokenError (401), and no query is sent', async () => {
    process.env.CLERK_SUPABASE_TEMPLATE = 'supabase';
    vi.resetModules();
    const { asUser, dataApi } = await import('../../lib/supabase/server.ts');
    const { TemplateTokenError } = await import('../../lib/supabase/token-errors.ts');
    server.use(
      http.post('http://clerk-api.test/v1/sessions/:sid/tokens/:template', () =>
        HttpResponse.json({ errors: [{ code: 'resource_not_found' }] }, { status: 404 }),
      ),
    );
    try {
      const failure = await asUser(
        { sessionId: 'sess_gone', orgId: null, getToken: async () => null },
        dataApi().from('tasks').select(),
      ).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(TemplateTokenError);
      expect(failure).toMatchObject({
        status: 401,
        body: { error: 'Your session was refused by Clerk. Sign in again.' },
        detail: expect.stringMatching(/answered 404/),
      });
      expect(seen).toEqual([]);
    } finally {
      server.resetHandlers();
    }
  });
});

describe('template mode', () => {
  it('exchanges the session for a template token at the Backend API, with the secret key', async () => {
    const create = await mode('supabase');
    session.current = { sessionId: 'sess_1', orgId: null, getToken: async () => 'session.jwt.token' };
    await query(await create());
    expect(tokenCalls).toEqual([{ path: '/v1/sessions/sess_1/tokens/supabase', auth: 'Bearer sk_test_unittest' }]);
    expect(seen[0].apikey).toBe('sb_publishable_unittest');
    expect(tokenNumber(seen[0].authorization)).toBe(1);
  });

  it('caches per session: steady traffic makes no Backend API call per request', async () => {
    const create = await mode('supabase');
    session.current = { sessionId: 'sess_1', orgId: null, getToken: async () => null };
    for (let i = 0; i < 10; i++) await query(await create());
    // Concurrent first requests of another session share one call.
    session.current = { sessionId: 'sess_2', orgId: null, getToken: async () => null };
    await Promise.all(Array.from({ length: 5 }, async () => query(await create())));
    expect(tokenCalls.map((c) => c.path)).toEqual(['/v1/sessions/sess_1/tokens/supabase', '/v1/sessions/sess_2/tokens/supabase']);
    expect(seen).toHaveLength(15);
  });

  it('a new active organisation gets its own token (the org is in the claims)', async () => {
    const create = await mode('supabase');
    clerkSideOrg.set('sess_1', ['org_a']);
    session.current = { sessionId: 'sess_1', orgId: 'org_a', getToken: async () => null };
    await query(await create());
    clerkSideOrg.set('sess_1', ['org_b']);
    session.current = { sessionId: 'sess_1', orgId: 'org_b', getToken: async () => null };
    await query(await create());
    await query(await create());
    expect(tokenCalls).toHaveLength(2);
  });

  it("a template token for another organisation than the request's is never sent: refetched, then refused", async () => {
    // Two tabs: this request's session token says org_a; Clerk's session has moved to org_b since.
    const create = await mode('supabase');
    clerkSideOrg.set('sess_tabs', ['org_b']);
    session.current = { sessionId: 'sess_tabs', orgId: 'org_a', getToken: async () => null };
    const { TemplateTokenError } = await import('../../lib/supabase/token-errors.ts');
    const failure = await create().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TemplateTokenError);
    expect(failure).toMatchObject({
      status: 409,
      message: expect.stringMatching(/organisation changed/),
      detail: expect.stringMatching(/org_b.*org_a/),
    });
    expect(seen).toEqual([]); // the database never saw the other organisation's token
    expect(tokenCalls).toHaveLength(2);
    // Nothing was cached: the next request asks again, and a personal-account request likewise.
    session.current = { sessionId: 'sess_tabs', orgId: null, getToken: async () => null };
    await expect(create()).rejects.toBeInstanceOf(TemplateTokenError);
    expect(seen).toEqual([]);
  });

  it('Clerk catching up between the two asks: the refetched token matches and is used', async () => {
    const create = await mode('supabase');
    clerkSideOrg.set('sess_switching', ['org_old', 'org_new']);
    session.current = { sessionId: 'sess_switching', orgId: 'org_new', getToken: async () => null };
    await query(await create());
    expect(tokenCalls).toHaveLength(2);
    expect(seen.map((s) => tokenNumber(s.authorization))).toEqual([2]);
    await query(await create()); // cached now
    expect(tokenCalls).toHaveLength(2);
  });

  it('refreshes shortly before expiry, and within one long request never replays an expired token', async () => {
    const create = await mode('supabase');
    session.current = { sessionId: 'sess_1', orgId: null, getToken: async () => null };
    const client = await create(); // one request that lives long
    await query(client);
    vi.setSystemTime(Date.now() + (60 - REFRESH_MARGIN_SECONDS - 1) * 1000); // still fresh enough
    await query(client);
    expect(tokenCalls).toHaveLength(1);
    nextExp = Date.now() / 1000 + 120;
    vi.setSystemTime(Date.now() + 2000); // inside the refresh margin
    await query(client);
    expect(tokenCalls).toHaveLength(2);
    expect(seen.map((s) => tokenNumber(s.authorization))).toEqual([1, 1, 2]);
  });

  it('a Backend API failure is a TemplateTokenError (503) before any query, not a crash, and is not cached', async () => {
    const create = await mode('supabase');
    const { TemplateTokenError } = await import('../../lib/supabase/token-errors.ts');
    session.current = { sessionId: 'sess_down', orgId: null, getToken: async () => null };
    server.use(
      http.post(
        'http://clerk-api.test/v1/sessions/:sid/tokens/:template',
        () => HttpResponse.json({ errors: [{ code: 'internal', message: 'down', long_message: 'down' }] }, { status: 503 }),
        { once: true },
      ),
    );
    const failure = await create().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TemplateTokenError);
    expect(failure).toMatchObject({ status: 503, message: expect.stringMatching(/Clerk .* is unreachable/) });
    expect(seen).toEqual([]);
    await query(await create());
    expect(tokenCalls).toHaveLength(1);
  });
});
