// The README checklist's app block, run verbatim with bash against the production build (third-party
// mode): signed out 401, signed in 200, and /api/me showing what Postgres saw for the token.
// App test files run one at a time, but api.test.ts stops and restarts parts of the shared stack:
// this waits until the data API answers again (one generous deadline), then runs the block once.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { layout, projectRoot } from 'clerk-supabase-local-stack';
import { codeBlocks, section } from '../support/readme.ts';
import { clerkUser, uniqueUserId } from '../support/tokens-and-db.ts';

const envFile = process.env.LOCAL_STACK_ENV_FILE ?? layout('test').envFile;
const app = process.env.APP_URL_THIRD_PARTY ?? 'http://localhost:3100';

/** Polls the data API (through the gateway) until it answers 200; fails with its last answer after 60 s. */
async function dataApiAnswers() {
  const deadline = Date.now() + 60_000;
  let last = '';
  for (;;) {
    const res = await fetch(`${process.env.NEXT_PUBLIC_SUPABASE_URL}/rest/v1/`, {
      headers: { apikey: process.env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY ?? '' },
    }).catch((e: Error) => e);
    if (!(res instanceof Error) && res.status === 200) return;
    last = res instanceof Error ? res.message : String(res.status);
    if (Date.now() > deadline) throw new Error(`the data API did not come back within 60 s (last: ${last})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// A test's deadline covers its wait for the data API and its command(s) at their full deadlines.
const WAIT_AND_RUN_MS = 60_000 + 3 * 60_000;

describe('README verification checklist (app API)', () => {
  it(
    'signed out 401, signed in 200, /api/me shows role authenticated and the user id',
    async () => {
      const blocks = codeBlocks(section('verify')).filter((b) => b.lang === 'bash');
      const setup = blocks[0].body
        .replace('source .env.local', `source ${envFile}`)
        .replace(/^USER_A=\S+/m, `USER_A=${await clerkUser(uniqueUserId('readme_app'))}`);
      const appBlock = blocks.find((b) => b.body.includes('$APP/api/me'))!.body.replace(/^APP=.*$/m, `APP=${app}`);
      await dataApiAnswers();
      const { stdout } = await promisify(execFile)(
        'bash',
        ['-euo', 'pipefail', '-c', `${setup.replace(/^.*USER_B.*$/gm, '')}\n${appBlock}\necho; echo "$USER_A"`],
        {
          cwd: projectRoot,
          env: { PATH: process.env.PATH, HOME: process.env.HOME } as unknown as NodeJS.ProcessEnv,
          timeout: 60_000,
        },
      );
      const lines = stdout.trim().split('\n');
      const [signedOut, signedIn, me, userA] = lines;
      expect(signedOut).toBe('401');
      expect(signedIn).toBe('200');
      const body = JSON.parse(me) as { userId: string; database: { role: string; sub: string } };
      expect(body.userId).toBe(userA);
      expect(body.database).toMatchObject({ role: 'authenticated', sub: userA });
    },
    WAIT_AND_RUN_MS,
  );
});

describe('README "How the app connects": the curl examples', () => {
  it(
    "answer as the signed-in user: alice's tasks, bob's projects in Acme, what Postgres saw",
    async () => {
      const lines = codeBlocks(section('app'))
        .filter((b) => b.lang === 'bash')
        .flatMap((b) => b.body.split('\n'))
        .filter((l) => l.startsWith('curl ') && l.includes('localhost:3000/api/'));
      expect(lines.length, 'the curl examples moved: update this test').toBeGreaterThanOrEqual(3);
      await dataApiAnswers();
      for (const line of lines) {
        const { stdout } = await promisify(execFile)(
          'bash',
          ['-euo', 'pipefail', '-c', `${line.replace(/\s+#.*$/, '').replace('localhost:3000', app.replace(/^https?:\/\//, ''))} -sS`],
          {
            cwd: projectRoot,
            env: {
              PATH: process.env.PATH,
              HOME: process.env.HOME,
              LOCAL_STACK_PROFILE: 'test',
              LOCAL_STACK_INSTANCE: process.env.LOCAL_STACK_INSTANCE ?? '0',
            } as unknown as NodeJS.ProcessEnv,
            timeout: 60_000,
          },
        );
        const body = JSON.parse(stdout) as Record<string, unknown>;
        const path = /\/api\/(\w+)/.exec(line)![1];
        // The seeded rows (supabase/seed.sql) prove whose data answered: alice's tasks, Acme's projects for bob.
        if (path === 'me') expect(body.database).toMatchObject({ role: 'authenticated', sub: 'user_alice' });
        else if (path === 'tasks') {
          const tasks = body.tasks as { title: string }[];
          expect(
            tasks.map((t) => t.title),
            `${line}: ${stdout}`,
          ).toEqual(expect.arrayContaining(['Write the launch post', 'Book the team offsite']));
          expect(tasks.map((t) => t.title)).not.toContain('Fix the flaky login test');
        } else if (path === 'projects') {
          expect(body.orgId, `${line}: ${stdout}`).toBe('org_acme');
          const projects = body.projects as { name: string; org_id: string }[];
          expect(projects.map((p) => p.name)).toEqual(expect.arrayContaining(['Website relaunch', 'Mobile app', 'Customer portal']));
          expect(projects.every((p) => p.org_id === 'org_acme')).toBe(true);
        } else throw new Error(`${line}: no expectation for /api/${path}; add one here`);
      }
    },
    WAIT_AND_RUN_MS,
  );
});
