// The task-report Edge Function, on the real Deno process behind the local gateway at
// /functions/v1/task-report, in both integration modes: the Clerk session token (third-party auth,
// verified by the function against the Clerk JWKS) and the JWT-template token (HS256, verified by the
// data API for the function). Each refusal test is an attack a caller could try; each must be refused
// with the status and reason the function documents, and never with the victim's tasks.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKeys, LOCAL_FAPI_HOST } from 'clerk-supabase-local-stack';
import { projectRoot } from 'clerk-supabase-local-stack';
import { createSession, mintToken, uniqueUserId, withDb } from '../support/tokens-and-db.ts';

const fnUrl = () => `${process.env.NEXT_PUBLIC_SUPABASE_URL}/functions/v1/task-report`;
const appOrigin = () => process.env.APP_URL!;
const now = () => Math.floor(Date.now() / 1000);

function call(token: string | null, body?: unknown, headers: Record<string, string> = {}) {
  return fetch(fnUrl(), {
    method: 'POST',
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function refusal(res: Response) {
  return { status: res.status, ...((await res.json()) as { error: string; message: string }) };
}

// The caller: 3 tasks (2 open, one of them 10 days old). The victim: tasks the caller must never see.
const caller = uniqueUserId('fn_caller');
const victim = uniqueUserId('fn_victim');
const callerTasks: string[] = [];
let victimTask: string;

beforeAll(async () => {
  await withDb(async (c) => {
    const add = async (user: string, title: string, done: boolean, ageDays: number) =>
      (
        await c.query(
          `insert into public.tasks (user_id, title, done, created_at) values ($1, $2, $3, now() - make_interval(days => $4)) returning id`,
          [user, title, done, ageDays],
        )
      ).rows[0].id as string;
    callerTasks.push(
      await add(caller, 'old open task', false, 10),
      await add(caller, '=HYPERLINK("x") "quoted", task', false, 1),
      await add(caller, 'done task', true, 2),
    );
    victimTask = await add(victim, 'victim secret task', false, 30);
  });
});

const modes = [
  { mode: 'third-party (session token)', template: undefined, kind: 'session token' },
  { mode: 'template (JWT-template token)', template: 'supabase', kind: 'template token' },
] as const;

describe.each(modes)('task-report, $mode', ({ template, kind }) => {
  const token = (o: { user?: string; plan?: string; azp?: string; issuedAt?: number; expiresInSeconds?: number } = {}) =>
    mintToken({
      user: o.user ?? caller,
      plan: 'plan' in o ? o.plan : 'pro',
      azp: 'azp' in o ? o.azp : appOrigin(),
      template,
      issuedAt: o.issuedAt,
      expiresInSeconds: o.expiresInSeconds,
    });

  it("a valid token gets a summary of the caller's tasks, and only theirs", async () => {
    const res = await call(await token());
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      user: caller,
      plan: 'pro',
      tokenKind: kind,
      summary: {
        total: 3,
        open: 2,
        done: 1,
        stale: 1,
        staleAfterDays: 7,
        oldestOpen: { title: 'old open task', createdAt: expect.any(String), ageDays: 10 },
      },
    });
  });

  it("the CSV export holds exactly the caller's rows, with formulas defused", async () => {
    const res = await call(await token(), { format: 'csv' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const csv = await res.text();
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('id,title,done,created_at,updated_at');
    expect(
      lines
        .slice(1)
        .map((l) => l.split(',')[0])
        .sort(),
    ).toEqual([...callerTasks].sort());
    expect(csv).not.toContain(victimTask);
    expect(csv).toContain(`"'=HYPERLINK(""x"") ""quoted"", task"`);
  });

  it('no token: 401 missing_token', async () => {
    expect(await refusal(await call(null))).toMatchObject({ status: 401, error: 'missing_token' });
  });

  it('a replayed expired token: 401 token_expired', async () => {
    const expired = await token({ issuedAt: now() - 3600, expiresInSeconds: 60 });
    expect(await refusal(await call(expired))).toMatchObject({ status: 401, error: 'token_expired' });
  });

  it('a token signed by another key, claiming the Pro plan: 401, not the report', async () => {
    const iat = now();
    const claims = {
      sub: caller,
      sid: `sess_${randomBytes(6).toString('hex')}`,
      role: 'authenticated',
      plan: 'pro',
      azp: appOrigin(),
      iss: `https://${LOCAL_FAPI_HOST}`,
      iat,
      nbf: iat - 10,
      exp: iat + 60,
    };
    const keys = await loadKeys();
    let forged: string;
    if (template) {
      forged = await new SignJWT({ ...claims, aud: 'authenticated' })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .sign(randomBytes(32));
    } else {
      // Same kid as the real key: only the signature can tell them apart.
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: keys.kid, typ: 'JWT' })
        .sign(await importPKCS8(pem, 'RS256'));
    }
    const r = await refusal(await call(forged));
    expect(r).toMatchObject({ status: 401, error: template ? 'token_refused' : 'bad_signature' });
  });

  it('a token the same Clerk instance issued for another app (azp): 401 unauthorized_party', async () => {
    const other = await token({ azp: 'https://evil.example' });
    expect(await refusal(await call(other))).toMatchObject({ status: 401, error: 'unauthorized_party' });
  });

  it("a deleted user's still-valid token: 401 token_refused, never a 200 with an empty report", async () => {
    const gone = uniqueUserId('fn_deleted');
    const valid = await token({ user: gone });
    await withDb(async (c) => {
      await c.query(`insert into public.tasks (user_id, title) values ($1, 'deleted user task')`, [gone]);
      await c.query('set role service_role');
      await c.query(`select public.apply_clerk_user_event($1, 'user.deleted', $2)`, [
        `msg_${randomBytes(8).toString('hex')}`,
        JSON.stringify({ id: gone, object: 'user', deleted: true }),
      ]);
    });
    const r = await refusal(await call(valid));
    expect(r).toMatchObject({ status: 401, error: 'token_refused' });
    expect(r.message).toMatch(new RegExp(`user ${gone} was deleted`));
  });

  it('a pending session (sts): 401 session_pending, as auth() and RLS refuse it', async () => {
    const keys = await loadKeys();
    const iat = now();
    const claims = {
      sub: caller,
      sid: `sess_${randomBytes(6).toString('hex')}`,
      role: 'authenticated',
      plan: 'pro',
      azp: appOrigin(),
      iss: `https://${LOCAL_FAPI_HOST}`,
      sts: 'pending',
      iat,
      nbf: iat - 10,
      exp: iat + 60,
    };
    const pending = template
      ? await new SignJWT({ ...claims, aud: 'authenticated', token_kind: 'supabase-template' })
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .sign(new TextEncoder().encode(keys.jwtSecret))
      : await new SignJWT({ ...claims, v: 2 })
          .setProtectedHeader({ alg: 'RS256', kid: keys.kid, typ: 'JWT' })
          .sign(await importPKCS8(keys.privateKeyPem, 'RS256'));
    expect(await refusal(await call(pending))).toMatchObject({ status: 401, error: 'session_pending' });
  });

  it('a plan without the feature: 403 plan_required, decided from the token alone', async () => {
    for (const plan of ['free', undefined]) {
      const res = await call(await token({ plan }));
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: 'plan_required', plan: 'free', requiredPlans: ['pro'] });
    }
  });
});

describe('task-report refuses what is not a user token', () => {
  it('the anon key (legacy JWT) as the bearer: 401', async () => {
    const keys = await loadKeys();
    expect(await refusal(await call(keys.anonJwt))).toMatchObject({ status: 401, error: 'not_a_user_token' });
  });

  it('the publishable key as the bearer (what supabase-js sends signed out): 401', async () => {
    expect(await refusal(await call(process.env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY!))).toMatchObject({
      status: 401,
      error: 'malformed_token',
    });
  });

  it('the service_role key as the bearer: 401, never an RLS bypass', async () => {
    const keys = await loadKeys();
    expect(await refusal(await call(keys.serviceRoleJwt))).toMatchObject({ status: 401, error: 'not_a_user_token' });
  });

  it('a session token whose header names another algorithm (RS384) than the key is for: 401 bad_signature, not a 5xx', async () => {
    const keys = await loadKeys();
    const iat = now();
    const claims = {
      sub: caller,
      sid: `sess_${randomBytes(6).toString('hex')}`,
      v: 2,
      role: 'authenticated',
      plan: 'pro',
      azp: appOrigin(),
      iss: `https://${LOCAL_FAPI_HOST}`,
      iat,
      nbf: iat - 10,
      exp: iat + 60,
    };
    const rs384 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS384', kid: keys.kid, typ: 'JWT' })
      .sign(await importPKCS8(keys.privateKeyPem, 'RS384'));
    expect(await refusal(await call(rs384))).toMatchObject({ status: 401, error: 'bad_signature' });
  });

  it('a token from another issuer (another Clerk instance or Supabase Auth): 401 wrong_issuer', async () => {
    const keys = await loadKeys();
    const iat = now();
    const foreign = await new SignJWT({
      sub: caller,
      role: 'authenticated',
      plan: 'pro',
      iss: 'https://other.clerk.accounts.dev',
      iat,
      exp: iat + 60,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode(keys.jwtSecret));
    expect(await refusal(await call(foreign))).toMatchObject({ status: 401, error: 'wrong_issuer' });
  });
});

describe('task-report with tokens the local Clerk issues (session-token customization)', () => {
  it('the plan claim comes from public metadata: alice (Pro) gets her report, bob (Free) a 403', async () => {
    const alice = await createSession({ user: 'user_alice', azp: appOrigin() });
    const res = await call(alice.token);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ user: 'user_alice', plan: 'pro' });
    const bob = await createSession({ user: 'user_bob', azp: appOrigin() });
    expect((await call(bob.token)).status).toBe(403);
  });

  it("docs/edge-functions.md's curl: a `npm run local:token` token for alice opens her report", async () => {
    const token = spawnSync('npm', ['run', '-s', 'local:token', '--', '--user', 'user_alice'], {
      cwd: projectRoot,
      env: { ...process.env, LOCAL_STACK_PROFILE: 'test' },
      encoding: 'utf8',
    });
    expect(token.status, token.stderr).toBe(0);
    const res = await call(token.stdout.trim());
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ user: 'user_alice', plan: 'pro' });
  });

  it('a plan changed with users.updateUserMetadata reaches the next token, not the database', async () => {
    const user = uniqueUserId('upgrade');
    const api = process.env.CLERK_API_URL!;
    const headers = { authorization: `Bearer ${process.env.CLERK_SECRET_KEY}`, 'content-type': 'application/json' };
    const created = await fetch(`${api}/v1/users`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ user_id: user, email_address: [`${user}@example.test`], password: randomUUID() }),
    });
    expect(created.status).toBe(200);
    expect((await call((await createSession({ user, azp: appOrigin() })).token)).status).toBe(403);
    const patched = await fetch(`${api}/v1/users/${user}/metadata`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ public_metadata: { plan: 'pro' } }),
    });
    expect(patched.status).toBe(200);
    expect((await call((await createSession({ user, azp: appOrigin() })).token)).status).toBe(200);
  });
});

describe('task-report: bad input gets a clear 4xx', () => {
  let valid: string;
  beforeAll(async () => {
    valid = await mintToken({ user: caller, plan: 'pro', azp: appOrigin() });
  });

  it.each([
    ['an unknown format', { format: 'xlsx' }, 400, 'invalid_request'],
    ['an unknown field', { format: 'json', admin: true }, 400, 'invalid_request'],
    ['staleAfterDays out of range', { staleAfterDays: 0 }, 400, 'invalid_request'],
    ['staleAfterDays not a whole number', { staleAfterDays: 1.5 }, 400, 'invalid_request'],
    ['a body that is not JSON', '{"format":', 400, 'invalid_json'],
    ['a 20 KB body', { format: 'json', pad: 'x'.repeat(20_000) }, 413, 'body_too_large'],
  ])('%s: %i %s', async (_, body, status, error) => {
    expect(await refusal(await call(valid, body))).toMatchObject({ status, error });
  });

  it('a form post: 415', async () => {
    expect(await refusal(await call(valid, 'format=csv', { 'content-type': 'application/x-www-form-urlencoded' }))).toMatchObject({
      status: 415,
      error: 'unsupported_media_type',
    });
  });

  it('GET: 405 with Allow', async () => {
    const res = await fetch(fnUrl(), { headers: { authorization: `Bearer ${valid}` } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST, OPTIONS');
  });

  it('staleAfterDays changes what counts as stale', async () => {
    const res = await call(valid, { staleAfterDays: 30 });
    expect(((await res.json()) as { summary: { stale: number } }).summary.stale).toBe(0);
  });
});

describe('task-report and the browser (CORS)', () => {
  const preflight = (origin: string) =>
    fetch(fnUrl(), {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, x-client-info, apikey, content-type',
      },
    });

  it("the app's origin may call it with the headers supabase-js sends", async () => {
    const res = await preflight(appOrigin());
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(appOrigin());
    expect(res.headers.get('access-control-allow-headers')).toBe('authorization, x-client-info, apikey, content-type');
  });

  it('another site gets no CORS grant', async () => {
    const res = await preflight('https://evil.example');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refusals carry CORS headers too, so the app can show why', async () => {
    const res = await call(null, undefined, { origin: appOrigin() });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe(appOrigin());
  });
});

describe('the gateway route', () => {
  it('an unknown function: 404 as Supabase answers it', async () => {
    const res = await fetch(`${process.env.NEXT_PUBLIC_SUPABASE_URL}/functions/v1/no-such-function`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ code: 'NOT_FOUND', message: 'Requested function was not found' });
  });

  it('the stack lists the function as running', async () => {
    const status = (await (
      await fetch(`${process.env.LOCAL_STACK_CONTROL_URL}/status`, {
        headers: { 'x-local-stack-secret': process.env.LOCAL_STACK_CONTROL_SECRET ?? '' },
      })
    ).json()) as { parts: Record<string, boolean> };
    expect(status.parts['function task-report']).toBe(true);
  });
});
