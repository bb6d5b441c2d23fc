// Template mode only: the Supabase token is a Clerk JWT-template token, which the server gets from
// Clerk's Backend API (POST /v1/sessions/:sid/tokens/:template). Fetching one per request would put
// a network call to Clerk on every page view, so tokens are cached per session, template and active
// organisation (the org is in the claims) until shortly before they expire.
//
// supabase-js calls `accessToken` before every request, so a long request that outlives a token gets
// a fresh one on its next query: an expiring token is refreshed, never replayed. The trade-off: a
// revoked session keeps its cached token until that token expires (60 s by default), exactly as a
// Clerk session token stays valid until its own expiry.
//
// The organisation: Clerk fills the template's `org_id` from the session's active organisation as
// Clerk's servers know it, which can differ from the request's (another tab switched organisation
// after this request's session token was minted). A token is used only when its `org_id` is the
// request's orgId; otherwise it is fetched again, and if Clerk still names another organisation the
// request fails with a clear error instead of reading or writing the other organisation's rows.
import 'server-only';
import { clerkClient } from '@clerk/nextjs/server';
import { CLERK_ORG_MISMATCH_MESSAGE, CLERK_SESSION_REFUSED_MESSAGE, CLERK_UNAVAILABLE_MESSAGE, TemplateTokenError } from './token-errors';

/** Refresh this many seconds before `exp`: covers clock skew and a request queued in flight. */
export const REFRESH_MARGIN_SECONDS = 10;
const MAX_ENTRIES = 10_000;

// Module scope on purpose: this holds short-lived tokens keyed by session, never a client or a user's
// request state, and each entry is only ever returned for the session it was issued to.
interface Entry {
  jwt: string;
  exp: number;
  /** The template's `org_id` claim; null when the token names no organisation. */
  orgId: string | null;
}
const cache = new Map<string, Entry>();
const inFlight = new Map<string, Promise<string>>();

function entryFor(jwt: string): Entry {
  const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown; org_id?: unknown };
  if (typeof payload.exp !== 'number') throw new Error('Clerk returned a template token without exp');
  return { jwt, exp: payload.exp, orgId: typeof payload.org_id === 'string' && payload.org_id ? payload.org_id : null };
}

function remember(key: string, entry: Entry) {
  if (cache.size >= MAX_ENTRIES) {
    const now = Date.now() / 1000;
    for (const [k, v] of cache) if (v.exp <= now) cache.delete(k);
    // Still full: drop the oldest entries (a Map iterates in insertion order).
    for (const k of cache.keys()) {
      if (cache.size < MAX_ENTRIES) break;
      cache.delete(k);
    }
  }
  cache.set(key, entry);
}

/** Tells "Clerk refused this session" (401) from "Clerk did not answer" (503), so neither is blamed on the database. */
function templateTokenFailure(e: unknown): TemplateTokenError {
  const status = (e as { status?: unknown } | null)?.status;
  const refused = typeof status === 'number' && status >= 400 && status < 500 && status !== 429;
  return refused
    ? new TemplateTokenError(401, CLERK_SESSION_REFUSED_MESSAGE, `Clerk answered ${status} to this session's template token request`)
    : new TemplateTokenError(503, CLERK_UNAVAILABLE_MESSAGE, 'Clerk Backend API did not answer the template token request');
}

async function fetchEntry(sessionId: string, template: string): Promise<Entry> {
  let jwt: string;
  try {
    ({ jwt } = await (await clerkClient()).sessions.getToken(sessionId, template));
  } catch (e) {
    throw templateTokenFailure(e);
  }
  return entryFor(jwt);
}

function orgMismatch(wanted: string | null, got: string | null): TemplateTokenError {
  const hint = got === null ? ' (if every request with an organisation fails so, the JWT template lacks "org_id": "{{org.id}}")' : '';
  const detail = `Clerk issued the template token for ${got ?? 'no organisation'}, but this request is for ${wanted ?? 'no organisation'}${hint}`;
  // The answer is a 409 the user can act on; the log keeps the detail for whoever runs the app.
  console.warn(`Template token refused: ${detail}`);
  return new TemplateTokenError(409, CLERK_ORG_MISMATCH_MESSAGE, detail);
}

/** A valid template token for this session and organisation (cached), fetched from Clerk only when needed. */
export async function templateToken(sessionId: string, template: string, orgId: string | null | undefined): Promise<string> {
  const wanted = orgId || null;
  const key = `${sessionId}\u0000${template}\u0000${wanted ?? ''}`;
  const hit = cache.get(key);
  if (hit && hit.orgId === wanted && hit.exp - REFRESH_MARGIN_SECONDS > Date.now() / 1000) return hit.jwt;
  // Concurrent requests of one session share one Backend API call.
  let pending = inFlight.get(key);
  if (!pending) {
    pending = (async () => {
      let entry = await fetchEntry(sessionId, template);
      // Clerk may be between two organisations of this session (a switch in another tab): ask once more.
      if (entry.orgId !== wanted) entry = await fetchEntry(sessionId, template);
      if (entry.orgId !== wanted) throw orgMismatch(wanted, entry.orgId);
      remember(key, entry);
      return entry.jwt;
    })().finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}
