// The JSON API's error handling in one place: every route answers with a status and a JSON
// `{ error }` body that says what is wrong, never a 500 with a stack trace.
import { auth } from '@clerk/nextjs/server';
import { NextResponse } from 'next/server';
import { z } from 'zod';

export class ApiError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  constructor(status: number, error: string, extra: Record<string, unknown> = {}) {
    super(error);
    this.status = status;
    this.body = { error, ...extra };
  }
}

export const DATABASE_UNAVAILABLE = 'The database is unreachable right now. Try again in a moment.';
export const DATABASE_TIMEOUT = 'The database took too long to answer (statement timeout). Try again in a moment.';
/**
 * Error names lib/supabase/template-token.ts gives a failed template token request. supabase-js turns
 * an error thrown by `accessToken` into a result with status 0 and the message "<name>: <message>";
 * the name lets dbError blame Clerk (503) or the session (401) instead of the database.
 */
export const CLERK_UNAVAILABLE = 'ClerkUnavailableError';
export const CLERK_SESSION_REFUSED = 'ClerkSessionRefusedError';
export const CLERK_ORG_MISMATCH = 'ClerkOrgMismatchError';
export const CLERK_ORG_MISMATCH_MESSAGE = 'Your active organisation changed (in another tab?) while this request was on its way, so it was not run. Reload the page.';
export const CLERK_UNAVAILABLE_MESSAGE = 'Clerk (the sign-in service) is unreachable right now, so no database token could be issued. Try again in a moment.';

/** The part of a supabase-js error we need: PostgREST's `code` plus the HTTP status (0 = no response). */
export interface DbFailure {
  error: { code?: string; message: string } | null;
  status: number;
}

/**
 * Maps a PostgREST / Postgres error to the API's answer. Anything that means "the database is not
 * there" (fetch failed, 5xx from the gateway, PostgREST's PGRST000-003 connection errors) is a 503.
 */
export function dbError({ error, status }: DbFailure): ApiError {
  const code = error?.code ?? '';
  // Template mode: the token for Supabase could not be had from Clerk (lib/supabase/template-token.ts).
  if (status === 0 && error?.message.startsWith(`${CLERK_UNAVAILABLE}:`)) return new ApiError(503, CLERK_UNAVAILABLE_MESSAGE);
  if (status === 0 && error?.message.startsWith(`${CLERK_SESSION_REFUSED}:`)) return new ApiError(401, 'Your session was refused by Clerk. Sign in again.');
  if (status === 0 && error?.message.startsWith(`${CLERK_ORG_MISMATCH}:`)) return new ApiError(409, CLERK_ORG_MISMATCH_MESSAGE);
  if (code === '57014') return new ApiError(503, DATABASE_TIMEOUT);
  if (status === 0 || status >= 500 || /^PGRST00[0-3]$/.test(code) || code === '57P01' || code === '08006') {
    return new ApiError(503, DATABASE_UNAVAILABLE);
  }
  if (code === 'PGRST116') return new ApiError(404, 'Not found.');
  if (code.startsWith('PGRST3') || status === 401) return new ApiError(401, 'Your session token was refused. Sign in again.');
  if (code === '42501' || status === 403) return new ApiError(403, 'Not allowed.');
  if (code === '23505' || code === '23503') return new ApiError(409, 'That conflicts with an existing row.');
  // 22P05/22021: text Postgres cannot store (NUL, bad encoding); PGRST102: a body PostgREST cannot parse.
  if (['23514', '23502', '22001', '22P02', '22023', 'P0001', '22P05', '22021', 'PGRST102'].includes(code)) return new ApiError(400, 'The database rejected that value.');
  console.error('Unexpected database error', status, code, error?.message);
  return new ApiError(500, 'Unexpected database error.');
}

/** Throws the mapped ApiError when supabase-js reported one; returns the data otherwise. */
export function unwrap<T>(result: DbFailure & { data: T }): T {
  if (result.error) throw dbError(result);
  return result.data;
}

/** Every route handler that reads user data starts with this: the signed-in user, or a 401 JSON answer. */
export async function requireUser() {
  const session = await auth();
  if (!session.userId) throw new ApiError(401, 'Sign in first (send a Clerk session cookie or an Authorization: Bearer token).');
  return session;
}

export const MAX_BODY_BYTES = 16 * 1024;

/**
 * The raw body, refused with a 413 past `maxBytes`. Content-Length can be absent (chunked) or lie,
 * so the bytes are counted while reading and the stream is cancelled at the limit: a huge body is
 * never buffered whole.
 */
export async function readBody(req: Request, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new ApiError(413, `The body is larger than ${maxBytes} bytes.`);
  if (Number(req.headers.get('content-length') ?? 0) > maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body?.getReader();
  for (let r = await reader?.read(); r && !r.done; r = await reader!.read()) {
    size += r.value.byteLength;
    if (size > maxBytes) {
      await reader!.cancel();
      throw tooLarge();
    }
    chunks.push(r.value);
  }
  return Buffer.concat(chunks);
}

/** Reads a JSON body of at most MAX_BODY_BYTES and validates it: 413, 400 (malformed) or 400 with zod's field errors. */
export async function readJson<S extends z.ZodType>(req: Request, schema: S): Promise<z.infer<S>> {
  const raw = await readBody(req, MAX_BODY_BYTES);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ApiError(400, 'The body is not valid JSON.');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const { formErrors, fieldErrors } = z.flattenError(parsed.error);
    throw new ApiError(400, 'Invalid request body.', { fieldErrors, formErrors });
  }
  return parsed.data;
}

/**
 * Wraps a route handler: an ApiError becomes its JSON answer; anything else is logged and answered
 * with a 503 when it is a network failure (a dependency is down) or a plain 500, never a stack trace.
 */
export function route<A extends unknown[]>(handler: (...args: A) => Promise<Response>) {
  return async (...args: A): Promise<Response> => {
    try {
      return await handler(...args);
    } catch (e) {
      if (e instanceof ApiError) return NextResponse.json(e.body, { status: e.status });
      console.error('API route failed:', e instanceof Error ? e.message : e);
      if (e instanceof TypeError && /fetch failed/i.test(e.message)) return NextResponse.json({ error: DATABASE_UNAVAILABLE }, { status: 503 });
      return NextResponse.json({ error: 'Something went wrong on our side.' }, { status: 500 });
    }
  };
}
