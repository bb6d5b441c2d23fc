// Small HTTP helpers shared by the local stand-ins (gateway, Clerk Backend and Frontend APIs).
import type { IncomingMessage, ServerOptions, ServerResponse } from 'node:http';

/**
 * Every stand-in server's options: it never closes an idle keep-alive connection before its client does.
 * Node advertises `Keep-Alive: timeout=5` and closes the socket at 5 s plus keepAliveTimeoutBuffer (1 s).
 * A client whose event loop runs late (a Next.js server rendering on a loaded machine) can send its next
 * request on that socket in the instant the server closes it, and undici fails the request ("other side
 * closed", `UND_ERR_SOCKET`): Clerk's Frontend API proxy answers the browser 502, supabase-js "fetch
 * failed". Clients keep to the advertised 5 s; the server waits a minute longer than it says.
 */
export const standInServerOptions = { keepAliveTimeoutBuffer: 60_000 } satisfies ServerOptions;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  // Exactly `application/json`: with a charset suffix Clerk's SDK keeps the body as a raw string.
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Clerk's error envelope. */
export function sendClerkError(res: ServerResponse, status: number, code: string, message: string, meta?: Record<string, unknown>) {
  sendJson(res, status, { errors: [{ code, message, long_message: message, ...(meta ? { meta } : {}) }] });
}

/** A request body past what a stand-in reads: answered 413, as Clerk does, never 500. */
class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`The request body is larger than ${limit} bytes.`);
  }
}

/** Answers a BodyTooLargeError with Clerk's envelope and 413; false for any other error. */
export function sentBodyTooLarge(res: ServerResponse, e: unknown): boolean {
  if (!(e instanceof BodyTooLargeError)) return false;
  res.setHeader('Connection', 'close'); // the rest of the body is left unread
  sendClerkError(res, 413, 'request_body_too_large', e.message);
  return true;
}

/**
 * What a stand-in reads of a request body: more than Clerk's own 10,000,000-byte uploads and an app's
 * proxy limit (the reference app's is 10 MiB), so that the app's limit is the one a test meets.
 */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** The client closed the connection before its request ended: nobody to answer, nothing to log. */
export const clientWentAway = (e: unknown) => (e as NodeJS.ErrnoException | null)?.code === 'ECONNRESET';

async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a JSON or form-encoded body into a flat record (clerk-js posts forms, the SDK posts JSON). */
export async function readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  if (!text) return {};
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/** Matches `/v1/users/:id`-style patterns; returns the named parts or null. */
export function match(pattern: string, pathname: string): Record<string, string> | null {
  const p = pattern.split('/');
  const a = pathname.replace(/\/+$/, '').split('/');
  if (p.length !== a.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) out[p[i].slice(1)] = decodeURIComponent(a[i]);
    else if (p[i] !== a[i]) return null;
  }
  return out;
}
