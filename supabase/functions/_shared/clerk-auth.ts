// Who is calling: the function checks the caller's Clerk token itself. Supabase's own check in front
// of functions (verify_jwt) knows only the project's keys, never Clerk's, so config.toml turns it off
// for functions that use this, and nothing reaches the function's code unchecked but the request.
//
// The app sends one of two kinds of token (its two integration modes):
//   * a Clerk session token (third-party auth, RS256): verified here against Clerk's JWKS (signature,
//     issuer, expiry, a session id, and `azp` when authorized parties are configured);
//   * a Clerk JWT-template token (template mode, HS256 with the Supabase project's JWT secret).
//     Supabase does not give functions that secret, and a copy in a function secret would be a key
//     that can mint service_role tokens. So the data API, which holds it, checks the token: PostgREST
//     verifies signature and expiry and hands back the claims it verified (public.whoami()).
// Rejections are cheap first: an expired token, a foreign issuer or a pending session is refused
// before any key is fetched. Only verified claims are ever trusted.
//
// The function refuses what the app and the database refuse. Beyond the signature, the database's
// claim helpers judge every token (supabase/migrations/*_claim_helpers.sql): a deleted
// user's tombstone, the issuer pin, the token's mode. One whoami() call per request asks them, so the
// rules live in one place and a refused token gets a 401 here rather than a 200 with an empty report.
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import type { SupabaseClient } from '@supabase/supabase-js';
import { HttpError } from './http.ts';

export interface ClerkAuthConfig {
  /** Clerk's Frontend API URL, the `iss` of every token it issues (https://clerk.example.com). */
  issuer: string;
  jwksUrl: URL;
  /** The app origins tokens may be for (`azp`); empty: not checked. */
  authorizedParties: string[];
}

export interface Caller {
  userId: string;
  kind: 'session token' | 'template token';
  claims: JWTPayload & Record<string, unknown>;
}

/** Reads the function secrets; returns what is missing or malformed instead of throwing. */
export function clerkAuthConfig(env: { get(name: string): string | undefined }): ClerkAuthConfig | string {
  const issuer = env.get('CLERK_ISSUER')?.trim().replace(/\/+$/, '');
  if (!issuer || !/^https?:\/\/[^/\s]+$/.test(issuer)) {
    return 'CLERK_ISSUER is not set to your Clerk Frontend API URL (e.g. https://clerk.example.com). Set it with `supabase secrets set CLERK_ISSUER=...`.';
  }
  let jwksUrl: URL;
  try {
    jwksUrl = new URL(env.get('CLERK_JWKS_URL') || `${issuer}/.well-known/jwks.json`);
  } catch {
    return 'CLERK_JWKS_URL is not a URL.';
  }
  const authorizedParties = (env.get('CLERK_AUTHORIZED_PARTIES') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return { issuer, jwksUrl, authorizedParties };
}

const CLOCK_SKEW_S = 5;
const unauthorized = (code: string, message: string) =>
  new HttpError(401, code, message, { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${code}"` });

/** The bearer token of the request, or a 401 saying what is missing. */
export function bearerToken(req: Request): string {
  const header = req.headers.get('authorization');
  const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!token) throw unauthorized('missing_token', 'Send the Clerk session token as `Authorization: Bearer <token>`.');
  if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)) {
    throw unauthorized('malformed_token', 'The bearer token is not a JWT. An API key (sb_publishable_…) is not a user token: send the Clerk session token.');
  }
  return token;
}

// One key set per isolate: jose caches Clerk's keys and refetches only for an unknown key id.
let keySets: { url: string; keys: ReturnType<typeof createRemoteJWKSet> } | null = null;
function clerkKeys(url: URL) {
  if (keySets?.url !== url.href) keySets = { url: url.href, keys: createRemoteJWKSet(url, { timeoutDuration: 5000, cooldownDuration: 30_000 }) };
  return keySets.keys;
}

/** Verifies the token and returns the caller, or throws a 401 (bad token) / 503 (keys unreachable). */
export async function verifyCaller(token: string, config: ClerkAuthConfig, dataApi: SupabaseClient): Promise<Caller> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  let unverified: JWTPayload & Record<string, unknown>;
  try {
    header = decodeProtectedHeader(token);
    unverified = decodeJwt(token);
  } catch {
    throw unauthorized('malformed_token', 'The bearer token is not a readable JWT.');
  }
  precheck(unverified, config);
  const caller = header.alg === 'HS256' ? await verifiedByDataApi(dataApi) : await verifiedSessionToken(token, config, dataApi);
  // The same checks on what was verified: nothing above trusted the unverified claims.
  precheck(caller.claims, config);
  const azp = caller.claims.azp;
  if (config.authorizedParties.length && typeof azp === 'string' && !config.authorizedParties.includes(azp)) {
    throw unauthorized('unauthorized_party', `The token was issued for ${azp}, which is not one of this function's authorized parties (CLERK_AUTHORIZED_PARTIES).`);
  }
  return caller;
}

function precheck(claims: JWTPayload & Record<string, unknown>, config: ClerkAuthConfig) {
  if (claims.iss !== config.issuer) {
    if (claims.role === 'anon' || claims.role === 'service_role') {
      throw unauthorized('not_a_user_token', `This is a Supabase API key (role ${claims.role}), not a signed-in user's Clerk token.`);
    }
    throw unauthorized('wrong_issuer', `The token was issued by ${JSON.stringify(claims.iss ?? null)}, not by this app's Clerk instance (${config.issuer}).`);
  }
  if (typeof claims.exp !== 'number') throw unauthorized('invalid_claims', 'The token has no expiry (exp).');
  if (claims.exp + CLOCK_SKEW_S < Date.now() / 1000) {
    throw unauthorized('token_expired', `The token expired at ${new Date(claims.exp * 1000).toISOString()}. Clerk tokens live about a minute: ask for a fresh one (getToken()) for each call.`);
  }
  if (typeof claims.sub !== 'string' || !claims.sub) throw unauthorized('invalid_claims', 'The token names no user (sub).');
  // A session with tasks left (choosing an organisation, ...): Clerk's auth() treats it as signed out.
  if (claims.sts !== undefined && claims.sts !== 'active') {
    throw unauthorized('session_pending', `The Clerk session is ${JSON.stringify(claims.sts)}, not active: finish signing in first.`);
  }
}

async function verifiedSessionToken(token: string, config: ClerkAuthConfig, dataApi: SupabaseClient): Promise<Caller> {
  let caller: Caller;
  try {
    const { payload } = await jwtVerify(token, clerkKeys(config.jwksUrl), {
      issuer: config.issuer,
      algorithms: ['RS256'],
      clockTolerance: CLOCK_SKEW_S,
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    // Every Clerk session token names its session; OAuth and machine tokens signed by the same keys do not.
    if (typeof payload.sid !== 'string') throw unauthorized('not_a_session_token', 'The token is not a Clerk session token (it has no sid).');
    if (config.authorizedParties.length && typeof payload.azp !== 'string') {
      throw unauthorized('unauthorized_party', 'The session token names no authorized party (azp), and this function accepts only tokens for its configured origins.');
    }
    caller = { userId: payload.sub!, kind: 'session token', claims: payload as Caller['claims'] };
  } catch (e) {
    throw e instanceof HttpError ? e : joseFailure(e, config);
  }
  // Signed by Clerk is not enough: the database's rules (a deleted user, the issuer pin) decide too.
  await databaseVerdict(dataApi);
  return caller;
}

function joseFailure(e: unknown, config: ClerkAuthConfig): HttpError {
  if (e instanceof errors.JWTExpired) return unauthorized('token_expired', 'The token has expired. Ask Clerk for a fresh one (getToken()) for each call.');
  if (e instanceof errors.JWSSignatureVerificationFailed || e instanceof errors.JWKSNoMatchingKey) {
    return unauthorized('bad_signature', `The token is not signed by ${config.issuer}'s keys.`);
  }
  if (e instanceof errors.JOSEAlgNotAllowed) return unauthorized('unsupported_algorithm', 'Clerk session tokens are RS256; template tokens HS256. This token is neither.');
  if (e instanceof errors.JWTClaimValidationFailed) return unauthorized('invalid_claims', `The token's ${e.claim} claim is not acceptable: ${e.reason}.`);
  if (e instanceof errors.JWTInvalid || e instanceof errors.JWSInvalid) return unauthorized('malformed_token', 'The bearer token is not a valid JWS.');
  // Anything else: Clerk's key set could not be fetched or read.
  console.error(`Fetching Clerk's keys from ${config.jwksUrl} failed:`, e);
  return new HttpError(503, 'auth_unavailable', "Clerk's signing keys could not be fetched, so no token can be checked right now. Try again shortly.", { 'Retry-After': '5' });
}

interface Whoami {
  role: string;
  sub: string | null;
  token_problem?: string | null;
  claims: Caller['claims'];
}

/**
 * What the database makes of the token (public.whoami(), run with it): PostgREST verifies the signature
 * and expiry, the claim helpers apply the rules. A token they refuse is a 401, whatever signed it.
 */
async function databaseVerdict(dataApi: SupabaseClient): Promise<Whoami & { sub: string }> {
  const { data, error, status } = await dataApi.rpc('whoami', undefined, { get: true });
  if (error) {
    if (status === 401 || status === 403) throw unauthorized('token_refused', `The data API refused the token: ${error.message}`);
    throw new HttpError(503, 'data_api_unavailable', `The data API could not check the token (${status || 'no answer'}). Try again shortly.`, { 'Retry-After': '5' });
  }
  const me = data as Whoami;
  if (me.role !== 'authenticated') throw unauthorized('not_a_user_token', `The token does not act as a signed-in user (role ${me.role}).`);
  if (!me.sub) throw unauthorized('token_refused', `The database refuses this token: ${me.token_problem ?? 'its claim helpers do not trust it'}.`);
  return { ...me, sub: me.sub };
}

/** Template mode: PostgREST verifies the HS256 token with the project's JWT secret and returns its claims. */
async function verifiedByDataApi(dataApi: SupabaseClient): Promise<Caller> {
  const me = await databaseVerdict(dataApi);
  return { userId: me.sub, kind: 'template token', claims: me.claims };
}
