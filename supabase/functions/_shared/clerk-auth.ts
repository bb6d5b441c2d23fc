// Who is calling: the function checks the caller's Clerk token itself. Supabase's own check in front
// of functions (verify_jwt) knows only the project's keys, never Clerk's, so config.toml turns it off
// for functions that use this, and nothing reaches the function's code unchecked but the request.
//
// The app sends one of two kinds of token (its two integration modes):
//   * a Clerk session token (third-party auth, RS256): verified by Clerk's own SDK (`verifyToken` from
//     @clerk/backend) with the instance's public key (CLERK_JWT_KEY, networkless, as the app's
//     clerkMiddleware does): signature, issuer, expiry, not-before, and `azp` against the app's origins;
//   * a Clerk JWT-template token (template mode, HS256 with the Supabase project's JWT secret), which
//     Clerk's SDK does not verify (RS256 only). Supabase does not give functions that secret, and a copy
//     in a function secret would be a key that can mint service_role tokens. So the data API, which
//     holds it, checks the token: PostgREST verifies signature and expiry and hands back the claims it
//     verified (public.whoami()).
// Rejections are cheap first: an expired token, a foreign issuer or a pending session is refused
// before any signature is checked. Only verified claims are ever trusted.
//
// Beyond the signature, the database's claim helpers judge every token
// (supabase/migrations/*_claim_helpers.sql): a deleted user's tombstone, the issuer pin, the token's
// mode. One whoami() call per request asks them, so the rules live in one place and a refused token
// gets a 401 here rather than a 200 with an empty report.
import { verifyToken } from '@clerk/backend';
import { TokenVerificationError, TokenVerificationErrorReason as Reason } from '@clerk/backend/errors';
import { decodeJwt } from '@clerk/backend/jwt';
import type { SupabaseClient } from '@supabase/supabase-js';
import { HttpError } from './http.ts';

export interface ClerkAuthConfig {
  /** Clerk's Frontend API URL, the `iss` of every token it issues (https://clerk.example.com). */
  issuer: string;
  /** The instance's PEM public key (Clerk Dashboard -> API keys -> JWT public key), what the app's CLERK_JWT_KEY holds. */
  jwtKey: string;
  /** The app origins tokens may be for (`azp`); empty: not checked. */
  authorizedParties: string[];
}

type Claims = Record<string, unknown> & { sub?: string; exp?: number; iss?: string };

export interface Caller {
  userId: string;
  kind: 'session token' | 'template token';
  claims: Claims;
}

/** Reads the function secrets; returns what is missing or malformed instead of throwing. */
export function clerkAuthConfig(env: { get(name: string): string | undefined }): ClerkAuthConfig | string {
  const issuer = env.get('CLERK_ISSUER')?.trim().replace(/\/+$/, '');
  if (!issuer || !/^https?:\/\/[^/\s]+$/.test(issuer)) {
    return 'CLERK_ISSUER is not set to your Clerk Frontend API URL (e.g. https://clerk.example.com). Set it with `supabase secrets set CLERK_ISSUER=...`.';
  }
  // A key pasted on one line keeps its line breaks as `\n`.
  const jwtKey = env.get('CLERK_JWT_KEY')?.trim().replace(/\\n/g, '\n');
  if (!jwtKey?.startsWith('-----BEGIN PUBLIC KEY-----')) {
    return 'CLERK_JWT_KEY is not set to your Clerk instance\'s PEM public key (Clerk Dashboard -> API keys -> JWT public key). Set it with `supabase secrets set CLERK_JWT_KEY="$CLERK_JWT_KEY"`.';
  }
  const authorizedParties = (env.get('CLERK_AUTHORIZED_PARTIES') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return { issuer, jwtKey, authorizedParties };
}

const unauthorized = (code: string, message: string) =>
  new HttpError(401, code, message, { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${code}"` });

/** The bearer token of the request, or a 401 saying what is missing. */
export function bearerToken(req: Request): string {
  const header = req.headers.get('authorization');
  const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!token) throw unauthorized('missing_token', 'Send the Clerk session token as `Authorization: Bearer <token>`.');
  if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)) {
    throw unauthorized(
      'malformed_token',
      'The bearer token is not a JWT. An API key (sb_publishable_…) is not a user token: send the Clerk session token.',
    );
  }
  return token;
}

/** Verifies the token and returns the caller, or throws a 401 (bad token) / 503 (a dependency failed). */
export async function verifyCaller(token: string, config: ClerkAuthConfig, dataApi: SupabaseClient): Promise<Caller> {
  let unverified: ReturnType<typeof decodeJwt>;
  try {
    unverified = decodeJwt(token);
  } catch {
    throw unauthorized('malformed_token', 'The bearer token is not a readable JWT.');
  }
  precheck(unverified.payload as Claims, config);
  const caller = unverified.header.alg === 'HS256' ? await verifiedByDataApi(dataApi) : await verifiedSessionToken(token, config, dataApi);
  // The same checks on what was verified: nothing above trusted the unverified claims.
  precheck(caller.claims, config);
  // Clerk's rule for both kinds (verifyToken applied it to session tokens already): a token for another origin.
  const azp = caller.claims.azp;
  if (config.authorizedParties.length && typeof azp === 'string' && !config.authorizedParties.includes(azp)) {
    throw unauthorized(
      'unauthorized_party',
      `The token was issued for ${azp}, which is not one of this function's authorized parties (CLERK_AUTHORIZED_PARTIES).`,
    );
  }
  return caller;
}

function precheck(claims: Claims, config: ClerkAuthConfig) {
  if (claims.iss !== config.issuer) {
    if (claims.role === 'anon' || claims.role === 'service_role') {
      throw unauthorized('not_a_user_token', `This is a Supabase API key (role ${claims.role}), not a signed-in user's Clerk token.`);
    }
    throw unauthorized(
      'wrong_issuer',
      `The token was issued by ${JSON.stringify(claims.iss ?? null)}, not by this app's Clerk instance (${config.issuer}).`,
    );
  }
  if (typeof claims.exp !== 'number') throw unauthorized('invalid_claims', 'The token has no expiry (exp).');
  // Clerk's own allowance for clock skew (5 s), so both token kinds expire alike.
  if (claims.exp + 5 < Date.now() / 1000) {
    throw unauthorized(
      'token_expired',
      `The token expired at ${new Date(claims.exp * 1000).toISOString()}. Clerk tokens live about a minute: ask for a fresh one (getToken()) for each call.`,
    );
  }
  if (typeof claims.sub !== 'string' || !claims.sub) throw unauthorized('invalid_claims', 'The token names no user (sub).');
  // A session with tasks left (choosing an organisation, ...): Clerk's auth() treats it as signed out.
  if (claims.sts !== undefined && claims.sts !== 'active') {
    throw unauthorized('session_pending', `The Clerk session is ${JSON.stringify(claims.sts)}, not active: finish signing in first.`);
  }
}

/**
 * Clerk's refusal reasons, as this function's error codes and messages (its own words: Clerk's messages
 * start with "Invalid JWT", which is what Supabase's verify_jwt answers and what doctor looks for).
 */
const REFUSALS: Record<string, [code: string, message: (claims: Claims) => string]> = {
  [Reason.TokenExpired]: ['token_expired', () => 'The token has expired. Ask Clerk for a fresh one (getToken()) for each call.'],
  [Reason.TokenInvalidSignature]: ['bad_signature', (c) => `The token is not signed by ${c.iss}'s key (CLERK_JWT_KEY).`],
  // The signature could not even be checked with the key (another RS algorithm than the key's, a broken key).
  [Reason.TokenVerificationFailed]: [
    'bad_signature',
    (c) => `The token's signature does not check out with ${c.iss}'s key (CLERK_JWT_KEY).`,
  ],
  [Reason.TokenInvalidAuthorizedParties]: [
    'unauthorized_party',
    (c) =>
      typeof c.azp === 'string'
        ? `The token was issued for ${c.azp}, which is not one of this function's authorized parties (CLERK_AUTHORIZED_PARTIES).`
        : 'The session token names no authorized party (azp), and this function accepts only tokens for its configured origins.',
  ],
  [Reason.TokenInvalidIssuer]: [
    'wrong_issuer',
    (c) => `The token was issued by ${JSON.stringify(c.iss ?? null)}, not by this app's Clerk instance.`,
  ],
  [Reason.TokenInvalidAlgorithm]: [
    'unsupported_algorithm',
    () => 'Clerk session tokens are RS256; template tokens HS256. This token is neither.',
  ],
  [Reason.TokenNotActiveYet]: ['invalid_claims', () => 'The token is not valid yet (nbf): check the clock of the machine that minted it.'],
  [Reason.TokenIatInTheFuture]: [
    'invalid_claims',
    () => 'The token was issued in the future (iat): check the clock of the machine that minted it.',
  ],
  [Reason.TokenInvalid]: ['malformed_token', () => 'The bearer token is not a valid Clerk JWT.'],
};

async function verifiedSessionToken(token: string, config: ClerkAuthConfig, dataApi: SupabaseClient): Promise<Caller> {
  let claims: Claims;
  try {
    claims = (await verifyToken(token, {
      jwtKey: config.jwtKey,
      issuer: config.issuer,
      authorizedParties: config.authorizedParties,
    })) as Claims;
  } catch (e) {
    const refusal = e instanceof TokenVerificationError ? REFUSALS[e.reason] : undefined;
    if (refusal) throw unauthorized(refusal[0], refusal[1](decodeJwt(token).payload as Claims));
    // Not the token's fault: no key to check it with, or something unforeseen (logged).
    console.error('Verifying a Clerk token failed:', e);
    throw new HttpError(
      503,
      'auth_unavailable',
      'The function could not check Clerk tokens (see its logs: CLERK_JWT_KEY). Try again later.',
      { 'Retry-After': '5' },
    );
  }
  // Every Clerk session token names its session; OAuth and machine tokens signed by the same keys do not.
  if (typeof claims.sid !== 'string') throw unauthorized('not_a_session_token', 'The token is not a Clerk session token (it has no sid).');
  // Signed by Clerk is not enough: the database's rules (a deleted user, the issuer pin) decide too.
  await databaseVerdict(dataApi);
  return { userId: claims.sub!, kind: 'session token', claims };
}

interface Whoami {
  role: string;
  sub: string | null;
  token_problem?: string | null;
  claims: Claims;
}

/**
 * What the database makes of the token (public.whoami(), run with it): PostgREST verifies the signature
 * and expiry, the claim helpers apply the rules. A token they refuse is a 401, whatever signed it.
 */
async function databaseVerdict(dataApi: SupabaseClient): Promise<Whoami & { sub: string }> {
  const { data, error, status } = await dataApi.rpc('whoami', undefined, { get: true });
  if (error) {
    if (status === 401 || status === 403) throw unauthorized('token_refused', `The data API refused the token: ${error.message}`);
    throw new HttpError(
      503,
      'data_api_unavailable',
      `The data API could not check the token (${status || 'no answer'}). Try again shortly.`,
      { 'Retry-After': '5' },
    );
  }
  const me = data as Whoami;
  if (me.role !== 'authenticated') throw unauthorized('not_a_user_token', `The token does not act as a signed-in user (role ${me.role}).`);
  if (!me.sub)
    throw unauthorized('token_refused', `The database refuses this token: ${me.token_problem ?? 'its claim helpers do not trust it'}.`);
  return { ...me, sub: me.sub };
}

/** Template mode: PostgREST verifies the HS256 token with the project's JWT secret and returns its claims. */
async function verifiedByDataApi(dataApi: SupabaseClient): Promise<Caller> {
  const me = await databaseVerdict(dataApi);
  return { userId: me.sub, kind: 'template token', claims: me.claims };
}
