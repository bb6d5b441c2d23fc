// The route walk (tests/support/route-walk.ts) must be able to fail: against a small server with one
// guarded and one unguarded page, route and action (and a route that guards GET but not HEAD or
// OPTIONS), it reports exactly the unguarded ones.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNED_OUT } from '../../lib/signed-out.ts';
import { findUnprotected, samplePath } from '../support/route-walk.ts';

let server: http.Server;
let appUrl = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url!, appUrl);
    const action = req.headers['next-action'];
    if (action) {
      const value = action === 'guarded' ? { error: SIGNED_OUT } : {};
      return res.writeHead(200, { 'content-type': 'text/x-component' }).end(`0:${JSON.stringify({ a: value })}\n`);
    }
    if (url.pathname === '/dashboard')
      return res.writeHead(307, { location: `/sign-in?redirect_url=${encodeURIComponent(url.href)}` }).end();
    if (url.pathname === '/reports') return res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Everyone’s reports</h1>');
    if (url.pathname === '/api/tasks') {
      if (req.method !== 'GET') return res.writeHead(405).end();
      return res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Sign in first.' }));
    }
    // Guards GET but answers HEAD and OPTIONS as a framework does by default.
    if (url.pathname === '/api/me') {
      if (req.method === 'GET')
        return res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Sign in first.' }));
      if (req.method === 'HEAD') return res.writeHead(200, { 'content-type': 'application/json' }).end();
      if (req.method === 'OPTIONS') return res.writeHead(204, { allow: 'GET, HEAD, OPTIONS' }).end();
      return res.writeHead(405).end();
    }
    if (url.pathname === '/api/export') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"rows":[]}');
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('route walk', () => {
  it('reports exactly the page, route and action that do not refuse a signed-out caller', async () => {
    const problems = await findUnprotected(appUrl, {
      pages: ['/', '/dashboard', '/reports'],
      routes: ['/api/tasks', '/api/me', '/api/export'],
      actions: [
        { id: 'guarded', name: 'addTask', page: '/dashboard' },
        { id: 'leaky', name: 'exportAll', page: '/dashboard' },
      ],
    });
    expect(problems.filter((p) => p.startsWith('page '))).toEqual([
      expect.stringMatching(/^page GET \/reports: 200/),
      expect.stringMatching(/^page HEAD \/reports: 200/),
      expect.stringMatching(/^page OPTIONS \/reports: 200/),
    ]);
    expect(problems.filter((p) => p.includes('/api/me'))).toEqual([
      expect.stringMatching(/^route HEAD \/api\/me: 200/),
      expect.stringMatching(/^route OPTIONS \/api\/me: 204/),
    ]);
    expect(problems.filter((p) => p.startsWith('route '))).toContainEqual(expect.stringMatching(/^route GET \/api\/export: 200/));
    expect(problems.some((p) => p.includes('/api/tasks'))).toBe(false);
    expect(problems.filter((p) => p.startsWith('action '))).toEqual([
      expect.stringMatching(/^action exportAll .*2 args/),
      expect.stringMatching(/^action exportAll .*1 args/),
    ]);
  });

  it('fills dynamic segments with a well-formed sample', () => {
    expect(samplePath('/api/tasks/[id]')).toBe('/api/tasks/00000000-0000-4000-8000-000000000000');
    expect(samplePath('/sign-in/[[...sign-in]]')).toBe('/sign-in');
    expect(samplePath('/docs/[...slug]')).toBe('/docs/sample');
  });
});
