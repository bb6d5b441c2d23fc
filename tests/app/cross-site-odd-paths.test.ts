// A resource carries its own guards: a cross-site write (text/plain, the visitor's cookies, a foreign
// Origin) sent through every other spelling of /api/tasks must write nothing, whatever the router
// makes of the spelling. The guard is in the route handler (lib/api.ts), not in a path match in
// proxy.ts, so no spelling can walk around it. Sent with node:http so the path goes out byte for byte
// (fetch would normalise `/api/./tasks`); a redirect is followed as a browser follows a 307/308 POST.
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { newClerkUser } from '../support/app.ts';
import { createSession, withDb } from '../support/tokens-and-db.ts';

const MODES = [
  ['third-party', process.env.APP_URL_THIRD_PARTY ?? 'http://localhost:3100'],
  ['template', process.env.APP_URL_TEMPLATE ?? 'http://localhost:3101'],
] as const;

const ODD_PATHS = [
  '/api/tasks',
  '/%61pi/tasks',
  '/api%2Ftasks',
  '//api/tasks',
  '/api/./tasks',
  '/API/tasks',
  '/api/tasks%2F',
  '/api/tasks/',
  '/api/tasks/.',
  '/api//tasks',
];

/** One raw request: the path exactly as given. */
function send(
  appUrl: string,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; location: string | null; text: string }> {
  const { hostname, port } = new URL(appUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { hostname, port, path, method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location ?? null, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** What a browser ends with: redirects followed (a 307/308 keeps the method and body), at most five. */
async function asBrowserWould(appUrl: string, path: string, headers: Record<string, string>, body: string) {
  const hops: string[] = [];
  let res = await send(appUrl, path, headers, body);
  for (let i = 0; i < 5 && [307, 308].includes(res.status) && res.location; i++) {
    const next = new URL(res.location, new URL(path.replace(/^\/+/, '/'), appUrl));
    if (next.origin !== new URL(appUrl).origin) break;
    hops.push(`${res.status} -> ${next.pathname}`);
    res = await send(appUrl, next.pathname + next.search, headers, body);
  }
  return { ...res, hops };
}

describe.each(MODES)('%s mode: cross-site POST through other spellings of /api/tasks', (_mode, appUrl) => {
  it('writes nothing, through any spelling, with or without following redirects', async () => {
    const user = await newClerkUser('oddpath', 'csrf');
    const { token } = await createSession({ user, azp: new URL(appUrl).origin });
    const { iat } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { iat: number };
    const headers = {
      cookie: `__session=${token}; __client_uat=${iat}; __clerk_db_jwt=dvb_local_test`,
      origin: 'https://evil.example',
      'content-type': 'text/plain;charset=UTF-8',
    };
    const answers: Record<string, string> = {};
    for (const path of ODD_PATHS) {
      const res = await asBrowserWould(appUrl, path, headers, JSON.stringify({ title: `planted via ${path}` }));
      answers[path] = [...res.hops, String(res.status)].join(' ');
      // Never a success; where the router reaches the route, the route itself refuses (403).
      expect(res.status, `${path}: ${answers[path]} ${res.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      if (res.status === 403) expect(JSON.parse(res.text).error).toMatch(/Cross-origin write refused/);
    }
    // The plain spelling reaches the route and is refused by it.
    expect(answers['/api/tasks']).toBe('403');
    const rows = await withDb(async (c) => (await c.query('select title from public.tasks where user_id = $1', [user])).rows);
    expect(rows, JSON.stringify(answers)).toEqual([]);
    // The same session, same-origin and as JSON, does write: the refusals above are the guard, not a broken session.
    const own = await send(
      appUrl,
      '/api/tasks',
      { ...headers, origin: new URL(appUrl).origin, 'content-type': 'application/json' },
      JSON.stringify({ title: 'mine' }),
    );
    expect(own.status, own.text).toBe(201);
  });
});
