// lib/api.ts: how database failures and bad requests become statuses. Never a 500 with a stack trace.
import { NextRequest } from 'next/server';
import { describe, expect, it, vi } from 'vitest';

// The session check itself (Clerk's authenticateRequest) runs against the built app in tests/app; here
// it answers "signed out" unless a test signs someone in, to show what the wrapper does around it.
let signedIn: { userId: string; sessionId: string } | null = null;
vi.mock('../../lib/api-auth.ts', () => ({
  appOrigins: () => ['https://app.example.com'],
  localKeysRefusal: () => null,
  // Signed out: Clerk's decision headers, which route() answers as 401.
  authenticate: async () => signedIn ?? new Headers({ 'x-clerk-auth-status': 'signed-out' }),
}));
const { MAX_BODY_BYTES, readJson, route, SIGN_IN_FIRST } = await import('../../lib/api.ts');
const { ApiError, DATABASE_TIMEOUT, DATABASE_UNAVAILABLE, dbError } = await import('../../lib/errors.ts');
const { newTask } = await import('../../lib/schemas.ts');

const failure = (status: number, code = '', message = 'x') => ({ status, error: { code, message } });

describe('dbError', () => {
  it.each([
    ['fetch failed (no response)', failure(0, '', 'TypeError: fetch failed'), 503],
    ['gateway 502', failure(502), 503],
    ['gateway 504', failure(504), 503],
    ['PostgREST cannot connect', failure(503, 'PGRST001'), 503],
    ['PostgREST connection error', failure(503, 'PGRST000'), 503],
    // PostgREST 12.0's answer to a request whose connection closed as Postgres shut down (tests/reliability).
    ['connection closed mid-request: 400 with no code and no message', failure(400, '', ''), 503],
    ['single() found nothing', failure(406, 'PGRST116'), 404],
    ['JWT expired / invalid', failure(401, 'PGRST301'), 401],
    ['RLS refused', failure(403, '42501'), 403],
    ['check constraint', failure(400, '23514'), 400],
    ['invalid uuid', failure(400, '22P02'), 400],
    ['raise exception', failure(400, 'P0001'), 400],
    ['unique violation', failure(409, '23505'), 409],
  ])('%s -> %i', (_name, input, status) => {
    expect(dbError(input).status).toBe(status);
  });

  it('a query past the statement timeout is a 503 that says so', () => {
    expect(dbError(failure(500, '57014', 'canceling statement due to statement timeout'))).toMatchObject({
      status: 503,
      body: { error: DATABASE_TIMEOUT },
    });
  });

  it('a 400 with no code but a message is not taken for an outage', () => {
    expect(dbError(failure(400, '', 'some proxy said no')).status).toBe(500);
  });

  it('an unknown error is a 500 with a generic message, never the database text', () => {
    const e = dbError(failure(400, 'XX000', 'secret internals at line 42'));
    expect(e.status).toBe(500);
    expect(JSON.stringify(e.body)).not.toContain('internals');
  });
});

const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request('http://app.test/api/tasks', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
async function statusOf(p: Promise<unknown>) {
  try {
    await p;
    return 200;
  } catch (e) {
    return e instanceof ApiError ? { status: e.status, body: e.body } : e;
  }
}

describe('readJson', () => {
  it('returns the validated body', async () => {
    expect(await readJson(post(JSON.stringify({ title: '  hi  ' })), newTask)).toEqual({ title: 'hi' });
  });
  it('400 for malformed JSON', async () => {
    expect(await statusOf(readJson(post('{"title":'), newTask))).toEqual({ status: 400, body: { error: 'The body is not valid JSON.' } });
  });
  it("400 with zod's field errors", async () => {
    expect(await statusOf(readJson(post('{"title":""}'), newTask))).toEqual({
      status: 400,
      body: { error: 'Invalid request body.', fieldErrors: { title: ['Title cannot be empty.'] }, formErrors: [] },
    });
  });
  it('413 from Content-Length, before reading', async () => {
    expect(await statusOf(readJson(post('{}', { 'content-length': String(MAX_BODY_BYTES + 1) }), newTask))).toMatchObject({ status: 413 });
  });
  it('413 while streaming when Content-Length is absent', async () => {
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 40; i++) c.enqueue(new TextEncoder().encode('x'.repeat(1024)));
        c.close();
      },
    });
    expect(await statusOf(readJson(post(stream), newTask))).toMatchObject({ status: 413 });
  });
});

describe('route', () => {
  const APP = 'https://app.example.com/api/tasks';
  const call = (handler: Parameters<typeof route>[0], init: ConstructorParameters<typeof NextRequest>[1] = {}) =>
    route(handler)(new NextRequest(APP, init));
  const reached = async () => new Response('reached');

  it('answers a signed-out caller 401 JSON, for every method, before the handler runs', async () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'DELETE']) {
      const res = await call(reached, { method });
      expect(res.status, method).toBe(401);
      expect(res.headers.get('x-clerk-auth-status'), method).toBe('signed-out');
      if (method !== 'HEAD') expect((await res.json()).error, method).toBe(SIGN_IN_FIRST);
    }
    const post = await call(reached, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(post.status).toBe(401);
  });

  it('refuses cross-site write shapes and declared oversize bodies before the session is checked', async () => {
    expect((await call(reached, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' })).status).toBe(415);
    expect((await call(reached, { method: 'DELETE', headers: { origin: 'https://evil.example' } })).status).toBe(403);
    expect(
      (
        await call(reached, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': String(MAX_BODY_BYTES + 1) },
          body: 'x'.repeat(MAX_BODY_BYTES + 1),
        })
      ).status,
    ).toBe(413);
  });

  it('hands the verified session to the handler', async () => {
    signedIn = { userId: 'user_a', sessionId: 'sess_a' };
    try {
      const res = await call(async (_req, session) => Response.json({ user: session.userId }), {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://app.example.com' },
        body: '{}',
      });
      expect(await res.json()).toEqual({ user: 'user_a' });
    } finally {
      signedIn = null;
    }
  });

  it('a client that went away mid-upload (Node\'s "aborted", ECONNRESET) is no failure: nothing is logged', async () => {
    signedIn = { userId: 'user_a', sessionId: 'sess_a' };
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const gone = await call(async () => {
        throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
      });
      expect(gone.status).toBe(400);
      expect(logged).not.toHaveBeenCalled();
      // Any other failure is still logged.
      await call(async () => {
        throw new Error('boom');
      });
      expect(logged).toHaveBeenCalledTimes(1);
    } finally {
      logged.mockRestore();
      signedIn = null;
    }
  });

  it('a network failure is a 503; anything else a 500 without a stack trace', async () => {
    signedIn = { userId: 'user_a', sessionId: 'sess_a' };
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const down = await call(async () => {
        throw new TypeError('fetch failed');
      });
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ error: DATABASE_UNAVAILABLE });
      const bug = await call(async () => {
        throw new Error('boom at /work/main/lib/x.ts:1');
      });
      expect(bug.status).toBe(500);
      expect(await bug.text()).not.toContain('boom');
      const refused = await call(async () => {
        throw new ApiError(404, 'No such task.');
      });
      expect(refused.status).toBe(404);
    } finally {
      quiet.mockRestore();
      signedIn = null;
    }
  });
});
