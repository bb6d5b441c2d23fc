// The stand-ins never close an idle keep-alive connection before their client does. When a server closes
// a socket in the instant a late client sends its next request on it, undici fails that request ("other
// side closed"), and the app answers a signed-in user 502 or 503 on a busy machine (docs/e2e.md).
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type http from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBackendApi } from '../../src/clerk/backend-api.ts';
import { createFrontendApi } from '../../src/clerk/frontend-api.ts';
import { Store } from '../../src/clerk/store.ts';
import { createGateway } from '../../src/gateway.ts';
import { loadKeys } from '../../src/keys.ts';
import { layout } from '../../src/paths.ts';

const servers: Record<string, http.Server> = {};
let dir: string;

beforeAll(async () => {
  const keys = await loadKeys();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keep-alive-'));
  const store = new Store(path.join(dir, 'clerk.json'));
  servers['Frontend API'] = createFrontendApi({
    keys,
    store,
    layout: { ...layout('test'), dir, logs: dir, clerkStore: path.join(dir, 'clerk.json') },
  });
  servers['Backend API'] = createBackendApi(keys, store).server;
  servers.gateway = createGateway(keys, 9); // /health answers without PostgREST
  for (const s of Object.values(servers)) await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
});
afterAll(async () => {
  for (const s of Object.values(servers)) await new Promise<void>((r) => (s.close(() => r()), s.closeAllConnections()));
  fs.rmSync(dir, { recursive: true, force: true });
});

/** One keep-alive connection: `request()` sends a GET and resolves with the response's head. */
function connection(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let closed = false;
  socket.on('close', () => (closed = true));
  let buffer = '';
  let waiting: ((head: string) => void) | null = null;
  socket.on('data', (d) => {
    buffer += d.toString('latin1');
    const end = buffer.indexOf('\r\n\r\n');
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(buffer.slice(0, end))?.[1] ?? 0);
    if (end >= 0 && buffer.length >= end + 4 + length && waiting) {
      const head = buffer.slice(0, end);
      buffer = buffer.slice(end + 4 + length);
      waiting(head);
      waiting = null;
    }
  });
  return {
    isClosed: () => closed,
    request: (p: string) =>
      new Promise<string>((resolve, reject) => {
        waiting = resolve;
        socket.once('error', reject);
        socket.write(`GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      }),
    end: () => socket.destroy(),
  };
}

it('each stand-in keeps an idle connection open past the keep-alive timeout it advertises, with room for a late client', async () => {
  const conns = Object.entries(servers).map(([name, s]) => ({ name, conn: connection((s.address() as AddressInfo).port) }));
  for (const { name, conn } of conns) {
    const head = await conn.request('/health');
    // What clients read to drop the socket themselves (undici: that, less a second or two).
    expect(head, name).toMatch(/\r\nKeep-Alive: timeout=5(\r\n|$)/i);
  }
  // Node's default closes at 6 s. A Next.js server whose event loop is seconds late must still find it open.
  await new Promise((r) => setTimeout(r, 8_000));
  for (const { name, conn } of conns) {
    expect(conn.isClosed(), `${name} closed the idle connection first`).toBe(false);
    expect(await conn.request('/health'), name).toMatch(/^HTTP\/1\.1 \d{3} /);
    conn.end();
  }
}, 20_000);
