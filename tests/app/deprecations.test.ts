// A deprecation warning caused by this project's code is a defect: it teaches a pattern the next
// major version removes (Next.js 16 renamed middleware.ts to proxy.ts; Clerk deprecated
// createRouteMatcher). The production build's log and both `next start` logs must have none, after
// every kind of request has run once (tests/app/dev-command.test.ts checks `npm run dev` the same way).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { layout } from 'clerk-supabase-local-stack';

const logsDir = process.env.APP_LOGS_DIR ?? layout('test').logs;
const apps = [process.env.APP_URL_THIRD_PARTY ?? 'http://localhost:3100', process.env.APP_URL_TEMPLATE ?? 'http://localhost:3101'];

/** Lines that announce a deprecation: Node's DeprecationWarning, Next.js's and Clerk's own notices. */
const deprecationLines = (text: string) => text.split('\n').filter((line) => /deprecat/i.test(line));

describe('no deprecation warnings', () => {
  it('in next build and next start, after pages, the API, the Frontend API proxy and an action have run', async () => {
    for (const app of apps) {
      for (const p of ['/', '/sign-in', '/dashboard', '/api/tasks', '/api/me', '/__clerk/v1/environment', '/does-not-exist']) {
        await fetch(`${app}${p}`, {
          headers: { accept: p.startsWith('/api') ? 'application/json' : 'text/html' },
          redirect: 'manual',
        }).then((r) => r.arrayBuffer());
      }
      await fetch(`${app}/dashboard`, { method: 'POST', headers: { 'next-action': '00', 'content-type': 'text/plain' }, body: '[]' }).then(
        (r) => r.arrayBuffer(),
      );
    }
    const logs = ['next-build.log', 'app-third-party.log', 'app-template.log'].map((name) => path.join(logsDir, name));
    for (const file of logs) {
      expect(fs.existsSync(file), `${file} is missing`).toBe(true);
      expect(deprecationLines(fs.readFileSync(file, 'utf8')), file).toEqual([]);
    }
  });
});
