// Route handler plumbing: every JSON API route is wrapped in route(), which carries the resource's
// guards itself (proxy.ts does not run for /api): the refusal of offline keys off this machine, the
// cross-site write rule, the body limit and the session check, for every method the route exports,
// HEAD and OPTIONS included. Then it turns every failure into a status and a JSON `{ error }` body,
// never a 500 with a stack trace.
import { NextResponse, type NextRequest } from 'next/server';
import { z } from 'zod';
import { appOrigins, authenticate, localKeysRefusal, type ApiSession } from '@/lib/api-auth';
import { crossSiteWriteGuard } from '@/lib/cross-site-guard';
import { MAX_JSON_BODY_BYTES } from '@/lib/body-limits';
import { ApiError, DATABASE_UNAVAILABLE } from '@/lib/errors';

export type { ApiSession } from '@/lib/api-auth';

export const MAX_BODY_BYTES = MAX_JSON_BODY_BYTES;
export const SIGN_IN_FIRST = 'Sign in first (send a Clerk session cookie or an Authorization: Bearer token).';

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
 * The client closed the connection before its request ended (a closed tab, a cancelled upload): the
 * read of its body fails with Node's "aborted" (ECONNRESET), and Next.js aborts the request's signal.
 * Nobody is left to answer, and nothing failed on our side: not worth a log line.
 */
const clientWentAway = (req: Request, e: unknown) => req.signal.aborted || (e as { code?: unknown } | null)?.code === 'ECONNRESET';

/** An ApiError becomes its JSON answer; anything else is logged and answered 503 (a dependency is down) or 500, never a stack trace. */
async function answer(req: Request, run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (e) {
    if (clientWentAway(req, e)) return new Response(null, { status: 400, headers: { connection: 'close' } });
    // A body refused part-way is left unread: the connection closes after the answer, so that no client
    // sends its next request on a socket whose remaining bytes the server then discards.
    if (e instanceof ApiError)
      return NextResponse.json(e.body, { status: e.status, headers: e.status === 413 ? { connection: 'close' } : undefined });
    console.error('API route failed:', e instanceof Error ? e.message : e);
    if (e instanceof TypeError && /fetch failed/i.test(e.message))
      return NextResponse.json({ error: DATABASE_UNAVAILABLE }, { status: 503 });
    return NextResponse.json({ error: 'Something went wrong on our side.' }, { status: 500 });
  }
}

let crossSiteRefusal: ((req: Request) => Response | null) | undefined;

/**
 * Wraps a route handler for signed-in callers: the handler runs only for a verified, active session
 * (cookie or Bearer), which it receives. Export it for each method, HEAD and OPTIONS too (`options()`).
 */
export function route<C = unknown>(handler: (req: NextRequest, session: ApiSession, ctx: C) => Promise<Response>) {
  return (req: NextRequest, ctx?: C): Promise<Response> =>
    answer(req, async () => {
      const refused = localKeysRefusal(req) ?? (crossSiteRefusal ??= crossSiteWriteGuard(appOrigins()))(req);
      if (refused) return refused;
      // Declared too large: refused before the body is read or the token verified.
      if (Number(req.headers.get('content-length') ?? 0) > MAX_BODY_BYTES)
        throw new ApiError(413, `The body is larger than ${MAX_BODY_BYTES} bytes.`);
      const session = await authenticate(req);
      if (session instanceof Response) return session; // Clerk's handshake for a browser navigation
      if (session instanceof Headers) return NextResponse.json({ error: SIGN_IN_FIRST }, { status: 401, headers: session });
      return handler(req, session, ctx as C);
    });
}

/** OPTIONS for a route: signed in, the methods it answers (no CORS headers: this API answers no preflight). */
export const options = (allow: string) => route(async () => new Response(null, { status: 204, headers: { allow } }));

/**
 * Wraps a public route that authenticates by other means (the Svix-signed webhook): no session and
 * no cross-site rule (a signature is not a cookie), but the offline keys' refusal and the error answers.
 */
export function publicRoute<C = unknown>(handler: (req: NextRequest, ctx: C) => Promise<Response>) {
  return (req: NextRequest, ctx?: C): Promise<Response> => answer(req, async () => localKeysRefusal(req) ?? handler(req, ctx as C));
}
