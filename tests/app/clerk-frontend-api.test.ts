// Clerk's Frontend API at /__clerk is a route handler of its own (lib/clerk-frontend-api.ts), outside
// proxy.ts: clerk-js reaches it from the app's origin, and it carries its own body limit, counted
// while the body streams through to Clerk. (Its Host guard: tests/app/api.test.ts; a client that
// goes away mid-upload: tests/app/aborted-requests.test.ts.)
import http from 'node:http';
import { describe, expect, it } from 'vitest';

const APP = process.env.APP_URL_THIRD_PARTY ?? 'http://localhost:3100';
const LIMIT = 10 * 1024 * 1024;

/**
 * A POST whose body is sent in 64 KiB chunks until the server answers or `total` bytes are out. The
 * server may reset the connection once it has answered, while this side is still sending: status 0 when
 * that lost the whole answer, `complete: false` when it cut the answer's body off after its status line.
 */
function upload(url: string, total: number, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; complete: boolean; sent: number }>((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...headers }, agent: false },
      (res) => {
        answered = true;
        let body = '';
        res.on('data', (c) => (body += c));
        // 'close' comes after 'end', and also after a reset that cut the body off ('aborted', then an
        // ECONNRESET 'error' that is this same ending): 3 uploads in 160 here.
        res.on('error', () => {});
        res.on('close', () => resolve({ status: res.statusCode ?? 0, body, complete: res.complete, sent }));
      },
    );
    // A reset before the status line arrived: Node's client drops the socket with the answer unread
    // (EPIPE or ECONNRESET): 2 uploads in 160 here.
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (answered) return;
      if (['EPIPE', 'ECONNRESET'].includes(e.code ?? '')) resolve({ status: 0, body: '', complete: false, sent });
      else reject(e);
    });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const write = () => {
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

describe("Clerk's Frontend API at /__clerk", () => {
  it('is served from the app origin (the environment clerk-js loads first)', async () => {
    const res = await fetch(`${APP}/__clerk/v1/environment`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ object: 'environment' });
  });

  it('refuses a body declared larger than 10 MiB (413) before reading it', async () => {
    const res = await fetch(`${APP}/__clerk/v1/client/sign_ins`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array(LIMIT + 1),
    });
    expect(res.status).toBe(413);
    expect((await res.json()).error).toBe(`The body is larger than ${LIMIT} bytes.`);
  });

  it('refuses a chunked body past 10 MiB (413) by a counted read, never buffered whole', async () => {
    const res = await upload(`${APP}/__clerk/v1/client/sign_ins`, 2 * LIMIT);
    // The route stops reading at the limit and answers; the unread rest of the request is then cut off,
    // which resets the connection (reading on after answering did not keep it open: Next.js ends it),
    // and a client still sending may lose the 413 with it, whole (status 0) or after its status line.
    // Either way the server stopped reading soon after the limit.
    if (res.status !== 0) expect(res.status).toBe(413);
    if (res.complete) expect(JSON.parse(res.body).error).toBe(`The body is larger than ${LIMIT} bytes.`);
    expect(res.sent).toBeGreaterThan(LIMIT);
    expect(res.sent).toBeLessThan(2 * LIMIT);
  });
});
