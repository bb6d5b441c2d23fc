// JSON answers and CORS for Edge Functions called from the browser. Supabase's gateway adds no CORS
// headers to function responses: the function answers the preflight and sets them on every response.

/** The headers supabase-js sends with `functions.invoke()`, which a preflight must allow. */
const ALLOWED_HEADERS = 'authorization, x-client-info, apikey, content-type';

/**
 * CORS for this request. With allowed origins configured (the app's origins, the same list the token's
 * `azp` is checked against), only those get an Access-Control-Allow-Origin; without, any origin does.
 * Either way nothing is readable without a valid Clerk token: the browser never sends one by itself.
 */
export function corsHeaders(req: Request, allowedOrigins: string[]): Record<string, string> {
  const origin = req.headers.get('origin');
  const allow = allowedOrigins.length === 0 ? '*' : origin && allowedOrigins.includes(origin) ? origin : null;
  return {
    ...(allow ? { 'Access-Control-Allow-Origin': allow } : {}),
    'Access-Control-Allow-Headers': ALLOWED_HEADERS,
    'Access-Control-Allow-Methods': 'POST, OPTIONS',
    'Access-Control-Expose-Headers': 'Content-Disposition',
    'Access-Control-Max-Age': '600',
    Vary: 'Origin',
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...headers, 'Content-Type': 'application/json' } });
}

/** An error answer: a stable `error` code for programs and a `message` for people. */
export function problem(status: number, error: string, message: string, headers: Record<string, string> = {}): Response {
  return json(status, { error, message }, headers);
}

/** A request the function refuses with a 4xx (or a 503 for a dependency), carrying its answer. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}
