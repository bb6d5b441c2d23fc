// The README checklist's app block, run verbatim with bash against the production build (third-party
// mode): signed out 401, signed in 200, and /api/me showing what Postgres saw for the token.
// api.test.ts stops parts of the shared stack near its end; if that happens while this runs, the
// block is run again (a wrong answer that persists still fails).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { layout, projectRoot } from '../../local/paths.ts';
import { codeBlocks, section } from '../support/readme.ts';
import { uniqueUserId } from '../support/tokens-and-db.ts';

const envFile = process.env.LOCAL_STACK_ENV_FILE ?? layout('test').envFile;
const app = process.env.APP_URL_THIRD_PARTY ?? 'http://localhost:3100';

describe('README verification checklist (app API)', () => {
  it('signed out 401, signed in 200, /api/me shows role authenticated and the user id', async () => {
    const blocks = codeBlocks(section('verify')).filter((b) => b.lang === 'bash');
    const setup = blocks[0].body.replace('source .env.local', `source ${envFile}`).replace(/^USER_A=\S+/m, `USER_A=${uniqueUserId('readme_app')}`);
    const appBlock = blocks.find((b) => b.body.includes('$APP/api/me'))!.body.replace(/^APP=.*$/m, `APP=${app}`);
    let lines: string[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', `${setup.replace(/^.*USER_B.*$/gm, '')}\n${appBlock}\necho; echo "$USER_A"`], {
        cwd: projectRoot,
        env: { PATH: process.env.PATH, HOME: process.env.HOME } as unknown as NodeJS.ProcessEnv,
        timeout: 60_000,
      });
      lines = stdout.trim().split('\n');
      if (lines[0] === '401' && lines[1] === '200') break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    const [signedOut, signedIn, me, userA] = lines;
    expect(signedOut).toBe('401');
    expect(signedIn).toBe('200');
    const body = JSON.parse(me) as { userId: string; database: { role: string; sub: string } };
    expect(body.userId).toBe(userA);
    expect(body.database).toMatchObject({ role: 'authenticated', sub: userA });
  });
});

describe('README "How the app connects": the curl examples', () => {
  it('answer as the signed-in user: alice\'s tasks, bob\'s projects in Acme, what Postgres saw', async () => {
    const lines = codeBlocks(section('app'))
      .filter((b) => b.lang === 'bash')
      .flatMap((b) => b.body.split('\n'))
      .filter((l) => l.startsWith('curl ') && l.includes('localhost:3000/api/'));
    expect(lines.length, 'the curl examples moved: update this test').toBeGreaterThanOrEqual(3);
    for (const line of lines) {
      const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', `${line.replace(/\s+#.*$/, '').replace('localhost:3000', app.replace(/^https?:\/\//, ''))} -sS`], {
        cwd: projectRoot,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, LOCAL_STACK_PROFILE: 'test', LOCAL_STACK_INSTANCE: process.env.LOCAL_STACK_INSTANCE ?? '0' } as unknown as NodeJS.ProcessEnv,
        timeout: 60_000,
      });
      const body = JSON.parse(stdout) as Record<string, unknown>;
      const path = /\/api\/(\w+)/.exec(line)![1];
      if (path === 'me') expect(body.database).toMatchObject({ role: 'authenticated', sub: 'user_alice' });
      else expect(Array.isArray(body[path]), `${line}: ${stdout}`).toBe(true);
    }
  });
});
