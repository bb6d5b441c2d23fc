// lib/api-auth.ts answers a Bearer token Clerk accepts without the rest of authenticateRequest() (the
// cheaper path measured in docs/performance.md). This holds it to its promise: for every kind of token,
// good and bad, authenticate() gives exactly the answer Clerk's authenticateRequest() + toAuth() give
// with the same options (the same session, or a refusal with the same reason). Real Clerk SDK, real
// RS256 signatures; no network (CLERK_JWT_KEY).
import { generateKeyPairSync } from 'node:crypto';
import { importPKCS8, SignJWT, type JWTPayload } from 'jose';
import { NextRequest } from 'next/server';
import { beforeAll, describe, expect, it, vi } from 'vitest';

const APP = 'https://app.example.test';
const keyPair = () => generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
const instance = keyPair();
const stranger = keyPair();
const publicPem = instance.publicKey.export({ type: 'spki', format: 'pem' }).toString();

// Read at first use by lib/env.ts: set before the module is imported.
vi.hoisted(() => {
  Object.assign(process.env, {
    NEXT_PUBLIC_SUPABASE_URL: 'http://supabase.test',
    NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: 'sb_publishable_unittest',
    NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: `pk_test_${Buffer.from('clerk.example.test$').toString('base64').replace(/=+$/, '')}`,
    CLERK_SECRET_KEY: 'sk_test_unittest',
    CLERK_API_URL: 'http://clerk-api.test',
    CLERK_TELEMETRY_DISABLED: '1',
    CLERK_AUTHORIZED_PARTIES: 'https://app.example.test',
  });
});
vi.mock('server-only', () => ({}));
process.env.CLERK_JWT_KEY = publicPem;

const { authenticate } = await import('../../lib/api-auth.ts');
const { createClerkClient } = await import('@clerk/backend');

/** What Clerk itself decides for the request: authenticateRequest() with the app's options, then toAuth(). */
async function clerkDecision(req: Request) {
  const clerk = createClerkClient({
    secretKey: 'sk_test_unittest',
    publishableKey: process.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY,
    apiUrl: 'http://clerk-api.test',
    jwtKey: publicPem,
  });
  const state = await clerk.authenticateRequest(req, {
    jwtKey: publicPem,
    authorizedParties: [APP],
    signInUrl: '/sign-in',
    signUpUrl: '/sign-up',
    acceptsToken: 'session_token',
  });
  const auth = state.toAuth();
  return auth?.userId ? signedIn(auth) : { signedIn: false, reason: state.reason ?? null };
}

function signedIn(auth: {
  userId: string | null;
  sessionId?: string | null;
  orgId?: string | null;
  orgRole?: string | null;
  orgSlug?: string | null;
  sessionStatus?: unknown;
  sessionClaims?: unknown;
}) {
  const { userId, sessionId, orgId, orgRole, orgSlug, sessionStatus, sessionClaims } = auth;
  return { signedIn: true, userId, sessionId, orgId, orgRole, orgSlug, sessionStatus, sessionClaims };
}

/** What the app decides: a session (signed in) or Clerk's decision headers (refused). */
async function appDecision(req: NextRequest) {
  const answer = await authenticate(req);
  if (answer instanceof Headers) return { signedIn: false, reason: answer.get('x-clerk-auth-reason') };
  if (answer instanceof Response) return { signedIn: false, reason: `redirect ${answer.status}` };
  return { ...signedIn(answer), token: await answer.getToken() };
}

const now = () => Math.floor(Date.now() / 1000);
let signWith: Record<'instance' | 'stranger', CryptoKey>;
beforeAll(async () => {
  const pkcs8 = (k: typeof instance) => k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  signWith = { instance: await importPKCS8(pkcs8(instance), 'RS256'), stranger: await importPKCS8(pkcs8(stranger), 'RS256') };
});

/** A Clerk v2 session token; `claims` and `header` override the defaults, `key` signs it. */
async function token({ claims = {}, header = {}, key = 'instance' as 'instance' | 'stranger' } = {}) {
  const iat = now();
  const payload: JWTPayload = {
    sub: 'user_alice',
    sid: 'sess_1',
    v: 2,
    azp: APP,
    iss: 'https://clerk.example.test',
    iat,
    nbf: iat - 10,
    exp: iat + 60,
    fva: [0, -1],
    ...claims,
  };
  for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: 'ins_test', typ: 'JWT', ...header }).sign(signWith[key]);
}

const request = (headers: Record<string, string>) => new NextRequest(`${APP}/api/tasks`, { headers });

describe('authenticate(): a Bearer token gets exactly the answer Clerk’s authenticateRequest() gives', () => {
  const cases: [string, () => Promise<string>, boolean][] = [
    ['a valid session token', () => token(), true],
    ['a member of an organisation', () => token({ claims: { o: { id: 'org_1', rol: 'admin', slg: 'acme' } } }), true],
    ['a token without azp (authorized parties are set)', () => token({ claims: { azp: undefined } }), false],
    ['expired 3 s ago, within Clerk’s clock skew', () => token({ claims: { exp: now() - 3 } }), true],
    ['expired a minute ago', () => token({ claims: { iat: now() - 120, nbf: now() - 130, exp: now() - 60 } }), false],
    ['minted for another origin (azp)', () => token({ claims: { azp: 'https://evil.example' } }), false],
    ['a pending session (sts)', () => token({ claims: { sts: 'pending' } }), false],
    ['signed by another key', () => token({ key: 'stranger' }), false],
    ['not valid yet (nbf)', () => token({ claims: { nbf: now() + 120 } }), false],
    ['issued in the future (iat)', () => token({ claims: { iat: now() + 120, nbf: undefined } }), false],
    ['a machine-to-machine token (cat)', () => token({ header: { cat: 'cl_B7d4PD333AAA' } }), false],
    ['another JWT category (cat)', () => token({ header: { cat: 'cl_X7d4PD999XXX' } }), false],
    ['an OAuth access token (typ at+jwt)', () => token({ header: { typ: 'at+jwt' } }), false],
    ['a token without sub', () => token({ claims: { sub: undefined } }), false],
    ['not a JWT', async () => 'not-a-jwt', false],
  ];

  it.each(cases)('%s', async (_name, make, accepted) => {
    const jwt = await make();
    const headers = { authorization: `Bearer ${jwt}`, accept: 'application/json' };
    const clerk = await clerkDecision(request(headers));
    const app = await appDecision(request(headers));
    expect(clerk.signedIn, 'Clerk’s own decision for this case').toBe(accepted);
    const { token: appToken, ...decision } = app as typeof app & { token?: string };
    expect(decision).toEqual(clerk);
    if (accepted) expect(appToken, 'getToken() answers the request’s own token').toBe(jwt);
  });

  it('the same answer with session cookies beside the Bearer token, and for other schemes', async () => {
    const jwt = await token();
    const expired = await token({ claims: { iat: now() - 120, nbf: now() - 130, exp: now() - 60 } });
    const variants: Record<string, string>[] = [
      { authorization: `Bearer ${jwt}`, cookie: `__session=${expired}; __client_uat=${now() - 300}` },
      { authorization: `Bearer ${expired}`, cookie: `__session=${jwt}; __client_uat=${now() - 300}` },
      { authorization: `bearer ${jwt}` },
      { authorization: jwt },
      { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
    ];
    for (const headers of variants) {
      const decision: Record<string, unknown> = await appDecision(request(headers));
      delete decision.token;
      expect(decision, JSON.stringify(headers).slice(0, 80)).toEqual(await clerkDecision(request(headers)));
    }
  });
});
