// The production build of the app, running in both integration modes against the real local stack
// (tests/run.ts starts both and sets APP_URL_THIRD_PARTY / APP_URL_TEMPLATE). Users and sessions are
// created in the local Clerk (Backend API stand-in), so template mode can exchange their sessions for
// template tokens exactly as with a browser session. One file on purpose: the outage tests at the end
// stop parts of the shared stack, and nothing else may be running against it meanwhile.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from 'clerk-supabase-local-stack';
import { backendApiCalls, createSession, mintToken, withDb } from '../support/tokens-and-db.ts';
import { clerkUserData, signedDelivery } from '../support/clerk-webhook.ts';
import { newClerkUser, runToExit } from '../support/app.ts';

const MODES = [
  ['third-party', process.env.APP_URL_THIRD_PARTY ?? 'http://localhost:3100'],
  ['template', process.env.APP_URL_TEMPLATE ?? 'http://localhost:3101'],
] as const;
const THIRD_PARTY_URL = MODES[0][1];
const TEMPLATE_URL = MODES[1][1];

const newUser = (label: string) => newClerkUser('app', label);

/** A session token for `user`, minted by the local Clerk for this app (azp = the app's origin). */
async function tokenFor(appUrl: string, user: string, org?: string, expiresInSeconds?: number) {
  return (await createSession({ user, org, azp: new URL(appUrl).origin, expiresInSeconds })).token;
}

function api(appUrl: string, token: string | null, path: string, init: RequestInit & { json?: unknown } = {}) {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  return fetch(`${appUrl}${path}`, {
    ...init,
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
    redirect: 'manual',
  });
}

/**
 * A page request as a browser that has been here before sends it: Clerk's cookies (with a pk_test_
 * key, `__clerk_db_jwt` too), no Authorization header. Signed out: `__client_uat=0`, no `__session`.
 */
function page(appUrl: string, token: string | null, path: string) {
  const iat = token ? (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { iat: number }).iat : 0;
  const cookie = `${token ? `__session=${token}; ` : ''}__client_uat=${iat}; __clerk_db_jwt=dvb_local_test`;
  return fetch(`${appUrl}${path}`, { headers: { cookie, accept: 'text/html' }, redirect: 'manual' });
}

/** A first visit with no cookies at all, following redirects like a browser (Clerk's handshake included). */
async function firstVisit(appUrl: string, path: string) {
  const jar = new Map<string, string>();
  const visited: string[] = [];
  let url = new URL(path, appUrl);
  for (let hop = 0; hop < 10; hop++) {
    visited.push(url.pathname);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { headers: { cookie, accept: 'text/html' }, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, ...value] = pair.split('=');
      jar.set(name.trim(), value.join('='));
    }
    if (res.status < 300 || res.status >= 400) return { res, visited };
    url = new URL(res.headers.get('location')!, url);
  }
  throw new Error(`too many redirects: ${visited.join(' -> ')}`);
}

describe.each(MODES)('%s mode', (mode, appUrl) => {
  describe('signed out', () => {
    it('redirects app pages to sign-in and back (each page checks the session itself; route-walk.test.ts walks them all)', async () => {
      for (const path of ['/dashboard', '/org']) {
        const res = await page(appUrl, null, path);
        expect(res.status).toBe(307);
        const location = new URL(res.headers.get('location')!, appUrl);
        expect(location.pathname).toBe('/sign-in');
        expect(location.searchParams.get('redirect_url')).toBe(`${appUrl}${path}`);
      }
    });

    it('sends a brand-new browser through Clerk’s handshake, then to sign-in', async () => {
      const { res, visited } = await firstVisit(appUrl, '/dashboard');
      expect(visited[0]).toBe('/dashboard');
      expect(visited).toContain('/__clerk/v1/client/handshake');
      expect(visited.at(-1)).toBe('/sign-in');
      expect(res.status).toBe(200);
    });

    it('answers the API with 401 JSON, not a redirect', async () => {
      for (const path of ['/api/tasks', '/api/projects', '/api/me']) {
        const res = await api(appUrl, null, path);
        expect(res.status).toBe(401);
        expect((await res.json()).error).toMatch(/sign in/i);
      }
      expect((await api(appUrl, null, '/api/tasks', { method: 'POST', json: { title: 'x' } })).status).toBe(401);
    });

    it('serves the public pages', async () => {
      for (const path of ['/', '/sign-in', '/sign-up']) expect((await page(appUrl, null, path)).status).toBe(200);
    });
  });

  it('GET /api/me reports the mode and the claims Postgres saw', async () => {
    const user = await newUser('me');
    const res = await api(appUrl, await tokenFor(appUrl, user), '/api/me');
    expect(res.status).toBe(200);
    const me = await res.json();
    expect(me).toMatchObject({ userId: user, orgId: null, mode, database: { role: 'authenticated', sub: user, org_id: null } });
    if (mode === 'template') {
      // An HS256 template token: Clerk's template claims, no session-token `sid`/`v`.
      expect(me.database.claims).toMatchObject({ aud: 'authenticated', email: `${user}@example.test` });
      expect(me.database.claims.sid).toBeUndefined();
    } else {
      expect(me.database.claims).toMatchObject({ v: 2, role: 'authenticated' });
      expect(me.database.claims.sid).toMatch(/^sess_/);
    }
  });

  it('creates, lists, renames, toggles and deletes a task', async () => {
    const token = await tokenFor(appUrl, await newUser('crud'));
    const created = await api(appUrl, token, '/api/tasks', { method: 'POST', json: { title: '  Write tests  ' } });
    expect(created.status).toBe(201);
    const { task } = await created.json();
    expect(task).toMatchObject({ title: 'Write tests', done: false });

    const list = await (await api(appUrl, token, '/api/tasks')).json();
    expect(list.tasks.map((t: { id: string }) => t.id)).toEqual([task.id]);

    const patched = await api(appUrl, token, `/api/tasks/${task.id}`, { method: 'PATCH', json: { title: 'Write more tests', done: true } });
    expect(patched.status).toBe(200);
    expect((await patched.json()).task).toMatchObject({ id: task.id, title: 'Write more tests', done: true });

    expect((await api(appUrl, token, `/api/tasks/${task.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(appUrl, token, `/api/tasks/${task.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await (await api(appUrl, token, '/api/tasks')).json()).tasks).toEqual([]);
  });

  it("never shows, changes or deletes another user's task (404, rows unchanged)", async () => {
    const [alice, bob] = [await newUser('owner'), await newUser('other')];
    const [aliceToken, bobToken] = [await tokenFor(appUrl, alice), await tokenFor(appUrl, bob)];
    const { task } = await (await api(appUrl, aliceToken, '/api/tasks', { method: 'POST', json: { title: 'private' } })).json();

    expect((await (await api(appUrl, bobToken, '/api/tasks')).json()).tasks).toEqual([]);
    expect((await api(appUrl, bobToken, `/api/tasks/${task.id}`, { method: 'PATCH', json: { done: true } })).status).toBe(404);
    expect((await api(appUrl, bobToken, `/api/tasks/${task.id}`, { method: 'DELETE' })).status).toBe(404);
    const rows = await withDb((c) => c.query('select user_id, title, done from public.tasks where id = $1', [task.id]));
    expect(rows.rows).toEqual([{ user_id: alice, title: 'private', done: false }]);
  });

  it('seeded users see only their own seeded tasks', async () => {
    const alice = (await (await api(appUrl, await tokenFor(appUrl, 'user_alice'), '/api/tasks')).json()).tasks.map(
      (t: { id: string }) => t.id,
    );
    const bob = (await (await api(appUrl, await tokenFor(appUrl, 'user_bob'), '/api/tasks')).json()).tasks.map((t: { id: string }) => t.id);
    expect(alice).toContain('00000000-0000-4000-8000-00000000a001');
    expect(bob).toContain('00000000-0000-4000-8000-00000000b001');
    expect(bob.filter((id: string) => alice.includes(id))).toEqual([]);
  });

  describe('bad input', () => {
    it('400 with field errors for an invalid body', async () => {
      const token = await tokenFor(appUrl, await newUser('bad'));
      for (const json of [{ title: '' }, { title: '   ' }, { title: 'x'.repeat(201) }, { title: 42 }, {}]) {
        const res = await api(appUrl, token, '/api/tasks', { method: 'POST', json });
        expect(res.status).toBe(400);
        expect((await res.json()).fieldErrors.title?.length).toBeGreaterThan(0);
      }
      const extra = await api(appUrl, token, '/api/tasks', { method: 'POST', json: { title: 'ok', user_id: 'user_alice' } });
      expect(extra.status).toBe(400);
      const { task } = await (await api(appUrl, token, '/api/tasks', { method: 'POST', json: { title: 'ok' } })).json();
      const empty = await api(appUrl, token, `/api/tasks/${task.id}`, { method: 'PATCH', json: {} });
      expect(empty.status).toBe(400);
      expect((await empty.json()).formErrors).toEqual(['Send a title, done, or both.']);
    });

    it('400 for malformed JSON, 413 for a huge body, 404 for a non-uuid id', async () => {
      const token = await tokenFor(appUrl, await newUser('bad'));
      const malformed = await api(appUrl, token, '/api/tasks', {
        method: 'POST',
        body: '{"title":',
        headers: { 'content-type': 'application/json' },
      });
      expect(malformed.status).toBe(400);
      expect((await malformed.json()).error).toMatch(/JSON/);
      const huge = await api(appUrl, token, '/api/tasks', { method: 'POST', json: { title: 'x'.repeat(100_000) } });
      expect(huge.status).toBe(413);
      for (const id of ['not-a-uuid', '123', "1' or '1'='1"]) {
        expect((await api(appUrl, token, `/api/tasks/${encodeURIComponent(id)}`, { method: 'PATCH', json: { done: true } })).status).toBe(
          404,
        );
      }
      const missing = await api(appUrl, token, `/api/tasks/${crypto.randomUUID()}`, { method: 'DELETE' });
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({ error: 'No such task.' });
    });

    it('refuses an expired or foreign-party token', async () => {
      const user = await newUser('tok');
      // Expired two minutes ago: well past Clerk's clock-skew allowance; otherwise a good token for this app.
      const now = Math.floor(Date.now() / 1000);
      const expired = await mintToken({ user, azp: new URL(appUrl).origin, issuedAt: now - 180, expiresInSeconds: 60 });
      // A live session's token (template mode exchanges the session with Clerk, so it must exist there).
      const fresh = (await createSession({ user, azp: new URL(appUrl).origin })).token;
      expect((await api(appUrl, fresh, '/api/tasks')).status).toBe(200);
      const refused = await api(appUrl, expired, '/api/tasks');
      expect(refused.status).toBe(401);
      expect(refused.headers.get('x-clerk-auth-reason')).toMatch(/expired/);
      const foreign = (await createSession({ user, azp: 'https://evil.example' })).token;
      expect((await api(appUrl, foreign, '/api/tasks')).status).toBe(401);
      expect((await api(appUrl, 'not.a.jwt', '/api/tasks')).status).toBe(401);
    });
  });

  it("GET /api/projects lists the active organisation's projects only", async () => {
    const acme = await (await api(appUrl, await tokenFor(appUrl, 'user_bob', 'org_acme'), '/api/projects')).json();
    expect(acme.orgId).toBe('org_acme');
    const names = acme.projects.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['Website relaunch', 'Mobile app']));
    expect(names).not.toContain('Data warehouse');
    expect(acme.projects.every((p: { org_id: string }) => p.org_id === 'org_acme')).toBe(true);

    const none = await (await api(appUrl, await tokenFor(appUrl, 'user_bob'), '/api/projects')).json();
    expect(none).toEqual({ orgId: null, projects: [] });
  });

  describe('pages (session cookies)', () => {
    it('renders the dashboard server-side with the user’s tasks, titles as text', async () => {
      const user = await newUser('page');
      const token = await tokenFor(appUrl, user);
      await api(appUrl, token, '/api/tasks', { method: 'POST', json: { title: '<img src=x onerror=alert(1)>' } });
      const res = await page(appUrl, token, '/dashboard');
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(html).not.toContain('<img src=x');
      expect(html).toMatch(/data-testid="open-tasks-count"[^>]*>1</);
    });

    it('creates the profile on the first visit, and does not call ensure_user_profile again', async () => {
      const user = await newUser('profile');
      const token = await tokenFor(appUrl, user);
      const profile = () => withDb(async (c) => (await c.query('select id from public.profiles where id = $1', [user])).rowCount);
      expect(await profile()).toBe(0);
      expect((await page(appUrl, token, '/dashboard')).status).toBe(200);
      expect(await profile()).toBe(1);
      // Remove it behind the app's back: a second visit must not recreate it (the app remembered the user).
      await withDb((c) => c.query('delete from public.profiles where id = $1', [user]));
      expect((await page(appUrl, token, '/org')).status).toBe(200);
      expect(await profile()).toBe(0);
    });

    it('shows the organisation page: projects for a member, an empty state without an org', async () => {
      const member = await (await page(appUrl, await tokenFor(appUrl, 'user_bob', 'org_acme'), '/org')).text();
      expect(member).toContain('Website relaunch');
      expect(member).not.toContain('Delete project');
      const admin = await (await page(appUrl, await tokenFor(appUrl, 'user_alice', 'org_acme'), '/org')).text();
      expect(admin).toContain('Delete project: Website relaunch');
      const none = await (await page(appUrl, await tokenFor(appUrl, 'user_bob'), '/org')).text();
      expect(none).toContain('No organisation is active');
    });
  });
});

describe('Clerk Backend API calls', () => {
  it('third-party mode verifies tokens locally: no Backend API call at all', async () => {
    const token = await tokenFor(THIRD_PARTY_URL, await newUser('nocalls'));
    const before = await backendApiCalls();
    for (let i = 0; i < 5; i++) expect((await api(THIRD_PARTY_URL, token, '/api/tasks')).status).toBe(200);
    expect(await backendApiCalls()).toEqual(before);
  });

  it('template mode fetches one template token per session, then serves from the cache', async () => {
    const key = 'POST /v1/sessions/:id/tokens/:template';
    const token = await tokenFor(TEMPLATE_URL, await newUser('cache'));
    const before = (await backendApiCalls())[key] ?? 0;
    for (let i = 0; i < 5; i++) expect((await api(TEMPLATE_URL, token, '/api/tasks')).status).toBe(200);
    await Promise.all(Array.from({ length: 5 }, async () => expect((await api(TEMPLATE_URL, token, '/api/me')).status).toBe(200)));
    expect((await backendApiCalls())[key] ?? 0).toBe(before + 1);
    // A second session is a second token.
    const other = await tokenFor(TEMPLATE_URL, await newUser('cache2'));
    expect((await api(TEMPLATE_URL, other, '/api/tasks')).status).toBe(200);
    expect((await backendApiCalls())[key] ?? 0).toBe(before + 2);
  });
});

describe('Clerk webhook', () => {
  const secret = process.env.CLERK_WEBHOOK_SIGNING_SECRET!;
  const url = `${THIRD_PARTY_URL}/api/webhooks/clerk`;
  const userData = clerkUserData;
  function deliver(type: string, data: unknown, opts: { id?: string; timestamp?: Date; secret?: string } = {}) {
    const { headers, body } = signedDelivery(opts.secret ?? secret, type, data, opts);
    return fetch(url, { method: 'POST', headers, body });
  }
  const profileOf = (id: string) =>
    withDb(async (c) => (await c.query('select display_name, email from public.profiles where id = $1', [id])).rows[0] ?? null);

  it('user.created then user.updated upsert the profile; a redelivery is a duplicate; an older update is stale', async () => {
    const id = `user_hook_${randomBytes(5).toString('hex')}`;
    const t = Date.now();
    const created = await deliver('user.created', userData(id, t), { id: `msg_${id}` });
    expect(created.status).toBe(200);
    expect(await created.json()).toEqual({ result: 'applied' });
    expect(await profileOf(id)).toEqual({ display_name: 'Wendy Hook', email: `${id}@example.test` });

    expect(await (await deliver('user.created', userData(id, t), { id: `msg_${id}` })).json()).toEqual({ result: 'duplicate' });
    expect(await (await deliver('user.updated', userData(id, t + 1000, 'Wanda'))).json()).toEqual({ result: 'applied' });
    expect(await (await deliver('user.updated', userData(id, t + 500, 'Old'))).json()).toEqual({ result: 'stale' });
    expect((await profileOf(id))?.display_name).toBe('Wanda Hook');
  });

  it('user.deleted removes the profile and tasks; a late user.updated does not bring it back', async () => {
    const id = `user_hook_${randomBytes(5).toString('hex')}`;
    await deliver('user.created', userData(id, Date.now()));
    await withDb((c) => c.query(`insert into public.tasks (user_id, title) values ($1, 'doomed')`, [id]));
    const deleted = await deliver('user.deleted', { id, object: 'user', deleted: true });
    expect(deleted.status).toBe(200);
    expect(await profileOf(id)).toBeNull();
    expect((await withDb((c) => c.query('select 1 from public.tasks where user_id = $1', [id]))).rowCount).toBe(0);
    expect(await (await deliver('user.updated', userData(id, Date.now() + 10_000))).json()).toEqual({ result: 'deleted_user' });
    expect(await profileOf(id)).toBeNull();
  });

  it('a bad, missing or stale signature is 400 and writes nothing', async () => {
    const id = `user_hook_${randomBytes(5).toString('hex')}`;
    const wrongSecret = `whsec_${randomBytes(24).toString('base64')}`;
    expect((await deliver('user.created', userData(id, Date.now()), { secret: wrongSecret })).status).toBe(400);
    expect((await deliver('user.created', userData(id, Date.now()), { timestamp: new Date(Date.now() - 10 * 60_000) })).status).toBe(400);
    const unsigned = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'user.created', data: userData(id, Date.now()) }),
    });
    expect(unsigned.status).toBe(400);
    expect(await profileOf(id)).toBeNull();
  });

  it('acknowledges events it does not handle without touching the database', async () => {
    // Every table a webhook writes, counted before and after (tests in this file run one at a time).
    const counts = () =>
      withDb(
        async (c) =>
          (
            await c.query(
              'select (select count(*) from public.profiles)::int as profiles, (select count(*) from private.clerk_users)::int as users, (select count(*) from private.clerk_webhook_events)::int as events',
            )
          ).rows[0],
      );
    const before = await counts();
    const res = await deliver('session.created', { id: 'sess_x', object: 'session' });
    expect(await res.json()).toEqual({ result: 'ignored' });
    expect(await counts()).toEqual(before);
  });
});

describe('request guards (proxy.ts)', () => {
  it.each(MODES)('%s mode: a path that is not valid percent-encoding is a 400 with a message, not a 500', async (_mode, appUrl) => {
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const res = await api(appUrl, null, '/api/tasks/%FF', { method });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatch(/percent-encoding/);
    }
  });
});

describe('configuration guards', () => {
  // A page (proxy.ts), the JSON API and Clerk's Frontend API (route handlers): each guards itself.
  it.each(['/dashboard', '/api/tasks', '/__clerk/v1/environment'])(
    'refuses to serve the local stack keys to a non-local Host (a deployment): %s',
    async (pathname) => {
      // fetch() cannot override Host; node:http can.
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const url = new URL(pathname, THIRD_PARTY_URL);
        http
          .get({ hostname: url.hostname, port: url.port, path: url.pathname, headers: { host: 'app.example.com' } }, (res) => {
            let text = '';
            res.on('data', (c) => (text += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          })
          .on('error', reject);
      });
      expect(status).toBe(503);
      expect(JSON.parse(body).error).toMatch(/only answers requests addressed to this machine/);
    },
  );

  it('a server with a broken environment stops at start-up, naming each problem', async () => {
    // The same production build tests/run.ts started (its dist folder), with two variables broken.
    const { code, output } = await runToExit(
      path.join(projectRoot, 'node_modules/.bin/next'),
      ['start', '--port', '0'],
      {
        cwd: projectRoot,
        env: { ...process.env, CLERK_SECRET_KEY: '', NEXT_PUBLIC_SUPABASE_URL: 'xyz.supabase.co/rest/v1' },
      },
      20_000,
    );
    expect(code).toBe(1);
    expect(output).toContain('CLERK_SECRET_KEY is missing');
    expect(output).toContain('NEXT_PUBLIC_SUPABASE_URL must be an origin');
  });
});

// Last: these stop parts of the shared test stack. Each part is restarted even when a test fails.
describe('failing dependencies', () => {
  const control = (path: string) =>
    fetch(`${process.env.LOCAL_STACK_CONTROL_URL}${path}`, {
      method: 'POST',
      headers: { 'x-local-stack-secret': process.env.LOCAL_STACK_CONTROL_SECRET ?? '' },
    });
  // Parts a failed test left stopped (starting a running part would start it twice).
  const stopped = new Set<string>();
  const stop = async (part: string) => {
    stopped.add(part);
    expect((await control(`/parts/${part}/stop`)).status).toBe(200);
  };
  const start = async (part: string) => {
    expect((await control(`/parts/${part}/start`)).status).toBe(200);
    stopped.delete(part);
  };
  afterAll(async () => {
    for (const part of stopped) await control(`/parts/${part}/start`);
  });
  // One generous deadline: a restart on a busy machine is slow, not broken.
  async function eventually(fn: () => Promise<boolean>, ms = 120_000) {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (await fn().catch(() => false)) return true;
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  }
  // The test's own deadline covers a stop, the checks and that recovery at its full deadline.
  const OUTAGE_TEST_MS = 60_000 + 120_000;

  // Tokens here outlive any outage (10 minutes): an expiry mid-test must not pass for a recovery failure.
  it.each(['postgrest', 'postgres'])(
    '%s down: the API answers 503 with a clear message, then recovers by itself',
    async (part) => {
      const token = await tokenFor(THIRD_PARTY_URL, 'user_alice', undefined, 600);
      await stop(part);
      const res = await api(THIRD_PARTY_URL, token, '/api/tasks');
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ error: 'The database is unreachable right now. Try again in a moment.' });
      const post = await api(THIRD_PARTY_URL, token, '/api/tasks', { method: 'POST', json: { title: 'during outage' } });
      expect(post.status).toBe(503);
      // The page still renders, with the message instead of a crash.
      const html = await (await page(THIRD_PARTY_URL, token, '/dashboard')).text();
      expect(html).toContain('Could not load your tasks');
      await start(part);
      expect(await eventually(async () => (await api(THIRD_PARTY_URL, token, '/api/tasks')).status === 200)).toBe(true);
    },
    OUTAGE_TEST_MS,
  );

  it(
    'template mode with the Clerk Backend API down: cached sessions keep working, new ones get 503',
    async () => {
      const cached = await tokenFor(TEMPLATE_URL, await newUser('outage'), undefined, 600);
      expect((await api(TEMPLATE_URL, cached, '/api/tasks')).status).toBe(200);
      const fresh = await tokenFor(TEMPLATE_URL, await newUser('outage2'), undefined, 600);
      await stop('clerk-backend');
      expect((await api(TEMPLATE_URL, cached, '/api/tasks')).status).toBe(200);
      const res = await api(TEMPLATE_URL, fresh, '/api/tasks');
      expect(res.status).toBe(503);
      expect((await res.json()).error).toMatch(/^Clerk \(the sign-in service\) is unreachable/);
      await start('clerk-backend');
      expect(await eventually(async () => (await api(TEMPLATE_URL, fresh, '/api/tasks')).status === 200)).toBe(true);
    },
    OUTAGE_TEST_MS,
  );
});
