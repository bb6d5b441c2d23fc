// lib/clerk-frontend-api.ts, the /__clerk route: its own body limit, counted while the body streams
// through to Clerk. Clerk's Frontend API cannot run here and the local stand-in stops reading at 1 MB,
// so a TEST DOUBLE for Clerk's Frontend API (a server that reads every byte and says how many) stands
// behind it: what it received is what the route let through. The route against the real stand-in:
// tests/app/clerk-frontend-api.test.ts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { validEnv } from './fixtures.ts';

vi.mock('server-only', () => ({})); // the route's guards (lib/api-auth.ts) are server code; this is the server

const LIMIT = 10 * 1024 * 1024;
let upstream: http.Server;
let received: { path: string; bytes: number; secret: unknown }[] = [];

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      received.push({ path: req.url!, bytes, secret: req.headers['clerk-secret-key'] });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ bytes }));
    });
    req.on('error', () => received.push({ path: req.url!, bytes: -1, secret: null }));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, validEnv(), {
    CLERK_TELEMETRY_DISABLED: '1',
    CLERK_FAPI_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
  });
});
afterAll(() => new Promise<void>((resolve) => upstream.close(() => resolve())));

/** A body of `total` bytes, sent in 64 KiB chunks without a Content-Length (chunked). */
function chunked(total: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close();
      const n = Math.min(64 * 1024, total - sent);
      sent += n;
      controller.enqueue(new Uint8Array(n));
    },
  });
}

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  new NextRequest('http://localhost:3000/__clerk/v1/client/sign_ins?_clerk_js_version=6.40.0', {
    method: 'POST',
    // Host as a browser sends it: the local keys' guard answers this machine only.
    headers: { host: 'localhost:3000', 'content-type': 'application/octet-stream', ...headers },
    body,
    duplex: 'half',
  } as ConstructorParameters<typeof NextRequest>[1]);

describe('the /__clerk route', () => {
  it('streams a body to Clerk whole, on the path after /__clerk, with the secret key', async () => {
    const { frontendApiRoute } = await import('../../lib/clerk-frontend-api.ts');
    received = [];
    const res = await frontendApiRoute(post(chunked(3 * 1024 * 1024)));
    expect(res.status).toBe(200);
    expect(received).toEqual([
      { path: '/v1/client/sign_ins?_clerk_js_version=6.40.0', bytes: 3 * 1024 * 1024, secret: 'sk_test_unittest' },
    ]);
  });

  it('refuses a chunked body past 10 MiB with 413, having let no more than 10 MiB through', async () => {
    const { frontendApiRoute } = await import('../../lib/clerk-frontend-api.ts');
    received = [];
    const res = await frontendApiRoute(post(chunked(LIMIT + 1024 * 1024)));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: `The body is larger than ${LIMIT} bytes.` });
    expect(received.every((r) => r.bytes <= LIMIT)).toBe(true);
  });

  it('refuses a body declared past 10 MiB with 413 without calling Clerk', async () => {
    const { frontendApiRoute } = await import('../../lib/clerk-frontend-api.ts');
    received = [];
    const res = await frontendApiRoute(post(chunked(10), { 'content-length': String(LIMIT + 1) }));
    expect(res.status).toBe(413);
    expect(received).toEqual([]);
  });
});

describe('the /__clerk route when Clerk cannot be reached', () => {
  it("answers 502 (Clerk's proxy) and logs the method and path, never the query", async () => {
    const { frontendApiRoute } = await import('../../lib/clerk-frontend-api.ts');
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const reachable = process.env.CLERK_FAPI_URL;
    process.env.CLERK_FAPI_URL = `http://127.0.0.1:${port}`; // nothing listens there now
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const res = await frontendApiRoute(
        new NextRequest('http://localhost:3000/__clerk/npm/@clerk/ui@1.36.0/dist/userbutton_ui.js?__clerk_db_jwt=dvb_secret', {
          headers: { host: 'localhost:3000' },
        }),
      );
      expect(res.status).toBe(502);
      expect(errors.mock.calls.map((c) => c.join(' '))).toEqual([
        "Clerk's Frontend API proxy answered 502 for GET /__clerk/npm/@clerk/ui@1.36.0/dist/userbutton_ui.js",
      ]);
    } finally {
      errors.mockRestore();
      process.env.CLERK_FAPI_URL = reachable;
    }
  });
});
