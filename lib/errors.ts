// The answers the app gives when something fails: ApiError (a status and a message a person can act
// on), and how a failed supabase-js query maps to one. Route handlers throw these (lib/api.ts turns
// them into JSON); pages and server actions show their message. No imports: safe to use anywhere.

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

/** The part of a supabase-js error we need: PostgREST's `code` plus the HTTP status (0 = no response). */
export interface DbFailure {
  error: { code?: string; message: string } | null;
  status: number;
}

/**
 * Maps a PostgREST / Postgres error to the API's answer. Anything that means "the database is not
 * there" (fetch failed, 5xx from the gateway, PostgREST's PGRST000-003 connection errors, a connection
 * closed as Postgres shuts down) is a 503.
 */
export function dbError({ error, status }: DbFailure): ApiError {
  const code = error?.code ?? '';
  if (code === '57014') return new ApiError(503, DATABASE_TIMEOUT);
  if (
    status === 0 ||
    status >= 500 ||
    /^PGRST00[0-3]$/.test(code) ||
    code === '57P01' ||
    code === '08006' ||
    connectionLost(status, error)
  ) {
    return new ApiError(503, DATABASE_UNAVAILABLE);
  }
  if (code === 'PGRST116') return new ApiError(404, 'Not found.');
  if (code.startsWith('PGRST3') || status === 401) return new ApiError(401, 'Your session token was refused. Sign in again.');
  if (code === '42501' || status === 403) return new ApiError(403, 'Not allowed.');
  if (code === '23505' || code === '23503') return new ApiError(409, 'That conflicts with an existing row.');
  // 22P05/22021: text Postgres cannot store (NUL, bad encoding); PGRST102: a body PostgREST cannot parse.
  if (['23514', '23502', '22001', '22P02', '22023', 'P0001', '22P05', '22021', 'PGRST102'].includes(code))
    return new ApiError(400, 'The database rejected that value.');
  console.error('Unexpected database error', status, code, error?.message);
  return new ApiError(500, 'Unexpected database error.');
}

/**
 * A request whose connection Postgres closed while shutting down: PostgREST 12.0 answers it with a 400
 * and an error with neither a code nor a message (seen when Postgres stops with inserts in flight; the
 * reliability run's load found it). Every error PostgREST means to send has a code: this is an outage.
 */
function connectionLost(status: number, error: DbFailure['error']) {
  return status === 400 && !error?.code && !error?.message;
}

/** Throws the mapped ApiError when supabase-js reported one; returns the data otherwise. */
export function unwrap<T>(result: DbFailure & { data: T }): T {
  if (result.error) throw dbError(result);
  return result.data;
}
