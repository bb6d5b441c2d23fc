// Used by proxy.ts: requests Next.js would answer with a bare 500 (and a stack trace in the log)
// before any of our code runs. Each guard answers a clear 400 (or 413) instead, or null to let the
// request on.
import { NextResponse } from 'next/server';
import { MAX_SERVER_ACTION_BODY_BYTES } from './body-limits';

/**
 * A path that is not valid percent-encoding (`/dashboard/%FF`): Next.js fails to decode it and
 * answers 500.
 */
export function rejectUndecodablePath(req: Request): Response | null {
  try {
    decodeURIComponent(new URL(req.url).pathname);
    return null;
  } catch {
    return NextResponse.json({ error: 'The URL path is not valid percent-encoding.' }, { status: 400 });
  }
}

const TOO_LARGE = `A server action's form is at most ${MAX_SERVER_ACTION_BODY_BYTES} bytes.`;

/** The body's bytes, or null past `max`: counted while reading, the stream cancelled at the limit. */
async function boundedBytes(body: ReadableStream<Uint8Array> | null, max: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body?.getReader();
  for (let r = await reader?.read(); r && !r.done; r = await reader!.read()) {
    size += r.value.byteLength;
    if (size > max) {
      // Not awaited: cancelling one branch of a cloned body settles only once the other is cancelled too.
      void reader!.cancel().catch(() => {});
      return null;
    }
    chunks.push(r.value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) bytes.set(c, (at += c.byteLength) - c.byteLength);
  return bytes;
}

/**
 * Next.js decodes a server action's arguments before any of our code runs and answers a body it
 * cannot decode with a 500. A browser always sends them as React encodes them: a JSON array (text),
 * or multipart form data whose field "0" is that array. Anything else is a malformed request. The
 * size is checked before the body is read (Content-Length) and while it is read (a chunked body):
 * this check, which runs before any session check, never copies more than an action accepts.
 */
export async function rejectMalformedServerAction(req: Request): Promise<Response | null> {
  if (req.method !== 'POST' || !req.headers.has('next-action')) return null;
  if (Number(req.headers.get('content-length') ?? 0) > MAX_SERVER_ACTION_BODY_BYTES)
    return NextResponse.json({ error: TOO_LARGE }, { status: 413 });
  const type = req.headers.get('content-type') ?? '';
  // Next.js cuts a proxied body at proxyClientMaxBodySize: one that reaches the limit may be cut, so it is refused too.
  const bytes = await boundedBytes(req.clone().body, MAX_SERVER_ACTION_BODY_BYTES - 1);
  if (!bytes) return NextResponse.json({ error: TOO_LARGE }, { status: 413 });
  let wellFormed: boolean;
  try {
    const root = type.startsWith('multipart/form-data')
      ? (await new Response(bytes, { headers: { 'content-type': type } }).formData()).get('0')
      : new TextDecoder().decode(bytes);
    wellFormed = typeof root === 'string' && Array.isArray(JSON.parse(root));
  } catch {
    wellFormed = false;
  }
  return wellFormed ? null : NextResponse.json({ error: 'Malformed server action request: send the form from the page.' }, { status: 400 });
}
