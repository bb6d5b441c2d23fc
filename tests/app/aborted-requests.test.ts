// A client that goes away mid-request (a closed tab, a cancelled download) is a quiet event (issue 20):
// no uncaught exception, no error line and no stack trace in the logs of `next start` (app-<mode>.log)
// and of the local stack (stack.log: the gateway and the Edge Function behind it; clerk-frontend.log:
// the Frontend API stand-in behind /__clerk). Each kind is cut off part-way on purpose: a page, an
// API answer, clerk-js downloaded through /__clerk, the task report's CSV, and an upload whose body
// never ends (to the API, and to Clerk's Frontend API). The same downloads against `npm run dev` are
// in tests/app/dev-command.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mintToken, uniqueUserId, withDb } from '../support/tokens-and-db.ts';
import { abortMidResponse, abortMidUpload, NOISY_LINE } from '../support/aborts.ts';

const APP = process.env.APP_URL_THIRD_PARTY ?? 'http://localhost:3100';
const logsDir = process.env.APP_LOGS_DIR ?? '';
// The Frontend API stand-in's log is created with its first line: it may not exist yet, or at all.
const LOGS = ['app-third-party.log', 'stack.log', 'clerk-frontend.log'].map((f) => path.join(logsDir, f));
const sizeOf = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : 0);
const sizes = () => new Map(LOGS.map((f) => [f, sizeOf(f)]));
const since = (start: Map<string, number>) =>
  LOGS.filter((f) => fs.existsSync(f))
    .map((f) => fs.readFileSync(f, 'utf8').slice(start.get(f) ?? 0))
    .join('\n');

/** Many tasks, so that the API answer and the CSV are long enough to be cut off part-way. */
const addTasks = (user: string, n: number) =>
  withDb((c) =>
    c.query(
      `insert into public.tasks (user_id, title) select $1, 'aborted download ' || i || repeat(' padding', 10) from generate_series(1, $2) i`,
      [user, n],
    ),
  );

describe('requests the client abandons part-way', () => {
  it('reads the logs of next start and of the stack', () => {
    expect(
      LOGS.filter((f) => fs.existsSync(f)).map((f) => path.basename(f)),
      `APP_LOGS_DIR=${logsDir}`,
    ).toEqual(expect.arrayContaining(['app-third-party.log', 'stack.log']));
  });

  it(
    'leave no uncaught exception, error or stack trace: page, API answer, clerk-js download, report CSV, API and /__clerk uploads',
    { timeout: 120_000 },
    async () => {
      const user = uniqueUserId('aborted');
      await addTasks(user, 2000);
      const token = await mintToken({ user, azp: APP, plan: 'pro' });
      const iat = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).iat as number;
      const start = sizes();

      const cut = [
        // The signed-in dashboard, 2,000 tasks long.
        await abortMidResponse(`${APP}/dashboard`, {
          accept: 'text/html',
          cookie: `__session=${token}; __client_uat=${iat}; __clerk_db_jwt=dvb_aborted_test`,
        }),
        await abortMidResponse(`${APP}/api/tasks`, { authorization: `Bearer ${token}` }),
        await abortMidResponse(`${APP}/__clerk/npm/@clerk/clerk-js@6.40.0/dist/clerk.browser.js`, {}),
        await abortMidResponse(
          `${process.env.NEXT_PUBLIC_SUPABASE_URL}/functions/v1/task-report`,
          { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          JSON.stringify({ format: 'csv' }),
        ),
      ];
      for (const c of cut) expect(c.status, c.url).toBe(200);
      // Cut off part-way: some of the answer arrived, not all of it.
      for (const c of cut) expect(c.bytes, c.url).toBeGreaterThan(0);
      expect(cut.filter((c) => c.complete).map((c) => c.url)).toEqual([]);

      await abortMidUpload(
        `${APP}/api/tasks`,
        { authorization: `Bearer ${token}`, 'content-type': 'application/json', origin: APP },
        '{"title": "never fini',
      );
      // clerk-js posting through /__clerk when its tab closes (issue 20's uncaught exception in proxy.ts).
      await abortMidUpload(
        `${APP}/__clerk/v1/client/sign_ins`,
        { 'content-type': 'application/x-www-form-urlencoded', origin: APP },
        'identifier=alice%40example.test&passw',
      );

      // Then the same requests to their end: the server has gone through the abandoned ones' endings
      // (their errors would be printed as they happen) before it answers these.
      for (const url of [`${APP}/`, `${APP}/api/tasks`]) {
        const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      }
      const created = await fetch(`${APP}/api/tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', origin: APP },
        body: '{"title":"finished"}',
      });
      expect(created.status).toBe(201);
      // Nothing of the abandoned upload was stored.
      const stored = await withDb((c) =>
        c.query<{ title: string }>(`select title from public.tasks where user_id = $1 and title not like 'aborted download %'`, [user]),
      );
      expect(stored.rows.map((r) => r.title)).toEqual(['finished']);

      const logged = since(start)
        .split('\n')
        .filter((line) => NOISY_LINE.test(line));
      expect(logged).toEqual([]);
    },
  );
});
