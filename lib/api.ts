// Route handler plumbing: the session check, body reading with limits, and the wrapper that turns
// every failure into a status and a JSON `{ error }` body, never a 500 with a stack trace.
import { auth } from '@clerk/nextjs/server';
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { ApiError, DATABASE_UNAVAILABLE } from '@/lib/errors';

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
