// Forged, stale and malformed tokens. Each one tries to read a victim's tasks, change one, delete
// one and plant a task in the victim's name; every attempt must be refused and no row may change.
// PostgREST 12 refuses a token it cannot verify with 401 (PGRST301); a verified token without a
// `role` claim silently runs as `anon`, which these tables refuse with 401 42501.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadKeys, LOCAL_FAPI_HOST, type LocalKeys } from 'clerk-supabase-local-stack';
import { clientFor, mintToken, restHeaders, restUrl, uniqueUserId, withDb } from '../support/tokens-and-db.ts';

const b64url = (x: string | Buffer) => Buffer.from(x).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

const victim = uniqueUserId('victim');
const attacker = uniqueUserId('attacker');
let victimTask: string;
let keys: LocalKeys;

function claims(extra: Record<string, unknown> = {}) {
  const iat = now();
  return {
    sub: victim,
    role: 'authenticated',
    iss: `https://${LOCAL_FAPI_HOST}`,
    sid: `sess_${randomBytes(6).toString('hex')}`,
    v: 2,
    iat,
    nbf: iat - 10,
    exp: iat + 600,
    ...extra,
  };
}

/** HS256 by hand, so the key can be anything (node:crypto accepts any bytes as an HMAC key). */
async function hs256(payload: object, secret: string | Uint8Array) {
  return new SignJWT(payload as Record<string, unknown>)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(typeof secret === 'string' ? new TextEncoder().encode(secret) : secret);
}

beforeAll(async () => {
  keys = await loadKeys();
  victimTask = await withDb(
    async (c) => (await c.query(`insert into public.tasks (user_id, title) values ($1, 'victim task') returning id`, [victim])).rows[0].id,
  );
});

const forged: [string, () => Promise<string>][] = [
  ['expired (an hour ago)', () => mintToken({ user: victim, issuedAt: now() - 3700, expiresInSeconds: 60 })],
  ['expired template token', () => mintToken({ user: victim, template: 'supabase', issuedAt: now() - 3700, expiresInSeconds: 60 })],
  ['not yet valid (nbf an hour ahead)', () => mintToken({ user: victim, issuedAt: now() + 3600, expiresInSeconds: 600 })],
  [
    'bad signature (payload changed after signing)',
    async () => {
      const [h, , s] = (await mintToken({ user: attacker, expiresInSeconds: 600 })).split('.');
      return `${h}.${b64url(JSON.stringify(claims()))}.${s}`;
    },
  ],
  ['alg: none', async () => `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify(claims()))}.`],
  ['HS256 signed with the RS256 public key (key confusion)', () => hs256(claims(), keys.publicKeyPem)],
  [
    'role: service_role signed by an unknown RSA key with the real kid',
    async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const key = await importPKCS8(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'RS256');
      return new SignJWT(claims({ role: 'service_role' })).setProtectedHeader({ alg: 'RS256', kid: keys.kid, typ: 'JWT' }).sign(key);
    },
  ],
  [
    'role: service_role, HS256 with a guessed secret',
    () => hs256(claims({ role: 'service_role' }), 'super-secret-jwt-token-with-at-least-32-characters-long'),
  ],
];

describe('forged and stale tokens are refused and change nothing', () => {
  it.each(forged)('%s', async (_name, make) => {
    const token = await make();
    const attempts = [
      fetch(restUrl(`tasks?user_id=eq.${victim}`), { headers: restHeaders(token) }),
      fetch(restUrl(`tasks?id=eq.${victimTask}`), {
        method: 'PATCH',
        headers: restHeaders(token),
        body: JSON.stringify({ title: 'pwned' }),
      }),
      fetch(restUrl(`tasks?id=eq.${victimTask}`), { method: 'DELETE', headers: restHeaders(token) }),
      fetch(restUrl('tasks'), { method: 'POST', headers: restHeaders(token), body: JSON.stringify({ title: 'planted', user_id: victim }) }),
      fetch(restUrl('rpc/ensure_user_profile'), { method: 'POST', headers: restHeaders(token), body: '{}' }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status, `${res.url} ${await res.clone().text()}`).toBe(401);
      const body = (await res.json()) as { code: string };
      expect(body.code).toBe('PGRST301');
    }
    // supabase-js surfaces the same refusal as an error, never as an empty list.
    const viaClient = await clientFor(token).from('tasks').select('*');
    expect(viaClient.status).toBe(401);
    expect(viaClient.data).toBeNull();

    const rows = await withDb((c) => c.query('select id, title from public.tasks where user_id = $1', [victim]));
    expect(rows.rows).toEqual([{ id: victimTask, title: 'victim task' }]);
    expect((await withDb((c) => c.query('select 1 from public.profiles where id = $1', [victim]))).rowCount).toBe(0);
  });
});

describe('a valid token without a `role` claim', () => {
  // The symptom in an app: a correctly signed Clerk session token, but the Supabase integration was
  // never enabled in Clerk (no `role: "authenticated"`): PostgREST runs the request as `anon`.
  // Here that is a 401 with code 42501 ("permission denied for table tasks"). In a project that
  // grants anon SELECT it would be an empty list, which is why these tables grant anon nothing.
  it('runs as anon and is refused (401 42501), and changes nothing', async () => {
    const { role: _dropped, ...noRole } = claims();
    void _dropped;
    const key = await importPKCS8(keys.privateKeyPem, 'RS256');
    const token = await new SignJWT(noRole).setProtectedHeader({ alg: 'RS256', kid: keys.kid, typ: 'JWT' }).sign(key);

    const read = await clientFor(token).from('tasks').select('*');
    expect(read.status).toBe(401);
    expect(read.error?.code).toBe('42501');
    const write = await fetch(restUrl(`tasks?id=eq.${victimTask}`), {
      method: 'PATCH',
      headers: restHeaders(token),
      body: JSON.stringify({ title: 'pwned' }),
    });
    expect(write.status).toBe(401);
    expect(((await write.json()) as { code: string }).code).toBe('42501');
    const ensure = await fetch(restUrl('rpc/ensure_user_profile'), { method: 'POST', headers: restHeaders(token), body: '{}' });
    expect(ensure.status).toBe(401);

    // The same claims with the role claim present work: the role claim alone made the difference.
    const withRole = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: keys.kid, typ: 'JWT' }).sign(key);
    const ok = await clientFor(withRole).from('tasks').select('title');
    expect(ok).toMatchObject({ status: 200, data: [{ title: 'victim task' }] });

    expect((await withDb((c) => c.query('select title from public.tasks where id = $1', [victimTask]))).rows).toEqual([
      { title: 'victim task' },
    ]);
  });
});
