// Clients that go away part-way, for the tests of aborted requests (tests/app/aborted-requests.test.ts,
// tests/app/dev-command.test.ts): a download dropped after its first bytes, an upload whose body never
// ends. Plain node:http, so the socket is closed exactly there (fetch would finish reading first).
import http from 'node:http';

/** A line no abandoned request may leave in a server's log: an uncaught exception, an error, a stack frame. */
export const NOISY_LINE =
  /uncaught|unhandled|Error: aborted|ECONNRESET|EPIPE|API route failed|proxy answered 5\d\d|^\s+at .*(:\d+:\d+\)?|ignore-listed frames.*)$/i;

export interface Cut {
  url: string;
  status: number;
  bytes: number;
  complete: boolean;
}

/** Sends the request (a POST when `body` is given), reads the first chunk of the answer, then closes the socket. */
export function abortMidResponse(url: string, headers: Record<string, string>, body?: string): Promise<Cut> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: body === undefined ? 'GET' : 'POST', headers, agent: false }, (res) => {
      res.once('data', (chunk: Buffer) => {
        const complete = res.complete;
        req.destroy();
        resolve({ url, status: res.statusCode ?? 0, bytes: chunk.length, complete });
      });
      res.once('end', () => resolve({ url, status: res.statusCode ?? 0, bytes: 0, complete: true }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? undefined : reject(e)));
    req.end(body);
  });
}

/** Sends the headers and the start of a body longer than that, waits until the server has them, then closes the socket. */
export function abortMidUpload(url: string, headers: Record<string, string>, start: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(start) + 1000) },
      agent: false,
    });
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? undefined : reject(e)));
    req.on('response', () => reject(new Error(`${url} answered before its body ended`)));
    req.write(start, () => {
      req.destroy();
      resolve();
    });
  });
}
