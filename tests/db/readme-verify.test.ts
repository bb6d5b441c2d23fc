// The README's shell blocks that talk to the data API, run verbatim with bash against the test stack:
// the Quickstart's "try the data API as alice", and the verification checklist (its setup, with
// `.env.local` / `.local/stack.env` pointing at the test stack's env file and two fresh users, then
// the data API block, whose output must equal the README's "Expected" block line by line).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { layout, projectRoot } from '../../local/paths.ts';
import { codeBlocks, section } from '../support/readme.ts';
import { uniqueUserId } from '../support/tokens-and-db.ts';

const envFile = process.env.LOCAL_STACK_ENV_FILE ?? layout('test').envFile;
const bash = async (script: string) => {
  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: projectRoot,
    // Only what a fresh shell has, plus the instance of the test stack for `npm run local:token`.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOCAL_STACK_PROFILE: 'test', LOCAL_STACK_INSTANCE: process.env.LOCAL_STACK_INSTANCE ?? '0' } as unknown as NodeJS.ProcessEnv,
    timeout: 60_000,
  });
  return stdout;
};

describe('README verification checklist (data API)', () => {
  it('prints exactly the expected statuses and bodies against the local stack', async () => {
    const blocks = codeBlocks(section('verify'));
    const [setup, dataApi] = blocks.filter((b) => b.lang === 'bash');
    const expected = blocks.find((b) => b.lang === 'text')!.body.trim();
    const userA = uniqueUserId('readme_a');
    const userB = uniqueUserId('readme_b');
    const prelude = setup.body
      .replace('source .env.local', `source ${envFile}`)
      .replace(/^USER_A=\S+/m, `USER_A=${userA}`)
      .replace(/^USER_B=\S+/m, `USER_B=${userB}`);
    expect(prelude, 'the setup block changed shape: update this test').toContain(`USER_A=${userA}`);
    const out = await bash(`${prelude}\n${dataApi.body}`);
    expect(out.trim()).toBe(expected);
  });
});

describe('README Quickstart: the data API as alice', () => {
  it('returns alice\'s task titles', async () => {
    const block = codeBlocks(section('quickstart')).find((b) => b.body.includes('local:token -- --user user_alice)'));
    expect(block, 'the Quickstart curl example moved: update this test').toBeDefined();
    const out = await bash(block!.body.replaceAll('.local/stack.env', envFile));
    const titles = JSON.parse(out) as { title: string }[];
    expect(Array.isArray(titles)).toBe(true);
    expect(titles.length).toBeGreaterThan(0);
    expect(Object.keys(titles[0])).toEqual(['title']);
  });
});
