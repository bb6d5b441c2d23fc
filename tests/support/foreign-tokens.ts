// Tokens Supabase accepts but Clerk did not mean for this app, minted with jose and the local keys:
// what an attacker gets from the other doors of a Supabase project. Locally the data API trusts the
// Clerk instance key (RS256) and the project's JWT secret (HS256), so "a provider Supabase trusts" is
// played by the JWT secret, as hosted Supabase Auth's own tokens are signed with it.
import { randomBytes, randomUUID } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import { loadKeys, LOCAL_FAPI_HOST } from 'clerk-supabase-local-stack';

const now = () => Math.floor(Date.now() / 1000);

async function hs256(claims: Record<string, unknown>) {
  const { jwtSecret } = await loadKeys();
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(jwtSecret));
}

/**
 * What hosted Supabase Auth gives anyone who signs up while it is on beside third-party auth: an
 * `authenticated` token with a uuid `sub`, issued by https://<ref>.supabase.co/auth/v1.
 */
export async function supabaseAuthToken(
  sub = randomUUID(),
  supabaseUrl = process.env.NEXT_PUBLIC_SUPABASE_URL,
): Promise<{ sub: string; token: string }> {
  const iat = now();
  const token = await hs256({
    iss: `${supabaseUrl}/auth/v1`,
    sub,
    aud: 'authenticated',
    role: 'authenticated',
    email: `${sub}@example.test`,
    aal: 'aal1',
    amr: [{ method: 'password', timestamp: iat }],
    session_id: randomUUID(),
    is_anonymous: false,
    iat,
    exp: iat + 600,
  });
  return { sub, token };
}

/** Another third-party provider the project trusts, whose tokens carry a top-level org_id of the attacker's choosing. */
export async function foreignProviderToken(o: { sub: string; orgId: string; orgRole?: string }): Promise<string> {
  const iat = now();
  return hs256({
    iss: 'https://securetoken.google.com/another-provider',
    aud: 'another-provider',
    sub: o.sub,
    role: 'authenticated',
    org_id: o.orgId,
    org_role: o.orgRole ?? 'org:admin',
    iat,
    exp: iat + 600,
  });
}

/** A real Clerk session token v2 (the instance key) with claims of the test's choosing on top, e.g. `sts: "pending"`. */
export async function clerkSessionToken(user: string, extra: Record<string, unknown> = {}): Promise<string> {
  const keys = await loadKeys();
  const iat = now();
  return new SignJWT({ sid: `sess_${randomBytes(8).toString('hex')}`, v: 2, role: 'authenticated', fva: [0, -1], ...extra })
    .setProtectedHeader({ alg: 'RS256', kid: keys.kid, typ: 'JWT' })
    .setSubject(user)
    .setIssuer(`https://${LOCAL_FAPI_HOST}`)
    .setIssuedAt(iat)
    .setNotBefore(iat - 10)
    .setExpirationTime(iat + 600)
    .sign(await importPKCS8(keys.privateKeyPem, 'RS256'));
}

/**
 * Another JWT template of the same Clerk instance, signed with the instance key (RS256) as Clerk signs
 * every template without a custom signing key: any signed-in user can mint it by name, and in
 * third-party mode Supabase accepts it. No `v`, no `sid` unless the test adds them.
 */
export async function clerkOtherTemplateToken(user: string, claims: Record<string, unknown>): Promise<string> {
  const keys = await loadKeys();
  const iat = now();
  return new SignJWT({ role: 'authenticated', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: keys.kid, typ: 'JWT' })
    .setSubject(user)
    .setIssuer(`https://${LOCAL_FAPI_HOST}`)
    .setIssuedAt(iat)
    .setNotBefore(iat - 10)
    .setExpirationTime(iat + 600)
    .sign(await importPKCS8(keys.privateKeyPem, 'RS256'));
}
