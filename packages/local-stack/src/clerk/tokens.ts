// Tokens the local Clerk instance issues. Session tokens are what Clerk's Frontend API returns
// (RS256, signed with the instance key, Clerk's v2 claims); template tokens are what
// `getToken({ template })` returns (HS256 with the Supabase JWT secret, claims from templates.ts).
import { importPKCS8, SignJWT } from 'jose';
import type { LocalKeys } from '../keys.ts';
import { LOCAL_FAPI_HOST } from '../keys.ts';
import { customSessionClaims } from './session-claims.ts';
import { jwtTemplates } from './templates.ts';

export interface TokenSubject {
  userId: string;
  sessionId: string;
  email?: string;
  org?: { id: string; slug: string; role: 'admin' | 'member' };
  /** The user's public metadata, for the custom claims (session-claims.ts, templates.ts). */
  publicMetadata?: Record<string, unknown>;
  /** The app origin the token is for (`azp`); checked against the middleware's authorizedParties. */
  authorizedParty?: string;
}

export const SESSION_TOKEN_LIFETIME_S = 60;

const keyCache = new Map<string, CryptoKey>();
async function signingKey(keys: LocalKeys) {
  let key = keyCache.get(keys.kid);
  if (!key) {
    key = await importPKCS8(keys.privateKeyPem, 'RS256');
    keyCache.set(keys.kid, key);
  }
  return key;
}

/** A Clerk v2 session token, with `role: "authenticated"` added as the Supabase integration asks. */
export async function mintSessionToken(
  keys: LocalKeys,
  subject: TokenSubject,
  opts: { expiresInSeconds?: number; issuedAt?: number } = {},
): Promise<string> {
  const iat = opts.issuedAt ?? Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    ...customSessionClaims(subject),
    sid: subject.sessionId,
    v: 2,
    role: 'authenticated',
    fva: [0, -1],
  };
  if (subject.authorizedParty) claims.azp = subject.authorizedParty;
  if (subject.org) claims.o = { id: subject.org.id, rol: subject.org.role, slg: subject.org.slug };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: keys.kid, typ: 'JWT' })
    .setSubject(subject.userId)
    .setIssuer(`https://${LOCAL_FAPI_HOST}`)
    .setIssuedAt(iat)
    .setNotBefore(iat - 10)
    .setExpirationTime(iat + (opts.expiresInSeconds ?? SESSION_TOKEN_LIFETIME_S))
    .sign(await signingKey(keys));
}

/** A JWT-template token, as Clerk's dashboard template of that name would produce it. */
export async function mintTemplateToken(
  keys: LocalKeys,
  templateName: string,
  subject: TokenSubject,
  opts: { expiresInSeconds?: number; issuedAt?: number } = {},
): Promise<string> {
  const template = jwtTemplates[templateName];
  if (!template) throw new UnknownTemplateError(templateName);
  const iat = opts.issuedAt ?? Math.floor(Date.now() / 1000);
  // azp is one of Clerk's default claims in every token it generates (left out without an Origin).
  const claims = { ...template.claims(subject), ...(subject.authorizedParty ? { azp: subject.authorizedParty } : {}) };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject.userId)
    .setIssuer(`https://${LOCAL_FAPI_HOST}`)
    .setIssuedAt(iat)
    .setNotBefore(iat - 10)
    .setExpirationTime(iat + (opts.expiresInSeconds ?? template.lifetimeSeconds))
    .sign(new TextEncoder().encode(keys.jwtSecret));
}

export class UnknownTemplateError extends Error {
  readonly templateName: string;
  constructor(templateName: string) {
    super(`No JWT template named "${templateName}" (known: ${Object.keys(jwtTemplates).join(', ')})`);
    this.templateName = templateName;
  }
}
