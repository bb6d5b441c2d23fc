// The guide's shell blocks that talk to the data API, run verbatim with bash against the test stack:
// docs/local-stack.md's "try the data API as alice", and the README's verification checklist (its
// setup, with `.env.local` / `.local/stack.env` pointing at the test stack's env file and two fresh
// users, then the data API block, whose output must equal the README's "Expected" block line by line).
// The checklist is re-runnable: a second run with the same users, and a run after one interrupted
// right after its create step, print the same lines and leave no row behind.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { layout, projectRoot } from 'clerk-supabase-local-stack';
import { codeBlocks, section } from '../support/readme.ts';
import { clerkUser, uniqueUserId, withDb } from '../support/tokens-and-db.ts';

const envFile = process.env.LOCAL_STACK_ENV_FILE ?? layout('test').envFile;
// Each run of the checklist starts `npm run doctor -- --print-token` twice and sends ten requests: a few seconds
// on an idle machine, over 30 s once on two cores with the production build, a fresh clone's `npm run
// dev` and two other db files running beside it. A deadline, not a measure.
const CHECKLIST_DEADLINE = 120_000;
const bash = async (script: string) => {
  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: projectRoot,
    // Only what a fresh shell has, plus the instance of the test stack for `npm run local:token`.
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOCAL_STACK_PROFILE: 'test',
      LOCAL_STACK_INSTANCE: process.env.LOCAL_STACK_INSTANCE ?? '0',
    } as unknown as NodeJS.ProcessEnv,
    timeout: 60_000,
  });
  return stdout;
};

describe('README verification checklist (data API)', { timeout: CHECKLIST_DEADLINE }, () => {
  const blocks = codeBlocks(section('verify'));
  const [setup, dataApi] = blocks.filter((b) => b.lang === 'bash');
  const expected = blocks.find((b) => b.lang === 'text')!.body.trim();
  /** The setup block as a user runs it, for these two users. */
  const prelude = (userA: string, userB: string) => {
    const script = setup.body
      .replace('source .env.local', `source ${envFile}`)
      .replace(/^USER_A=\S+/m, `USER_A=${userA}`)
      .replace(/^USER_B=\S+/m, `USER_B=${userB}`);
    expect(script, 'the setup block changed shape: update this test').toContain(`USER_A=${userA}`);
    return script;
  };
  const checklistRows = (user: string) =>
    withDb(
      async (c) =>
        (await c.query<{ title: string }>("select title from public.tasks where user_id = $1 and title = 'checklist'", [user])).rows,
    );

  it('prints exactly the expected statuses and bodies, twice in a row with the same two users, and leaves no row', async () => {
    const [userA, userB] = await Promise.all([clerkUser(uniqueUserId('readme_a')), clerkUser(uniqueUserId('readme_b'))]);
    const first = await bash(`${prelude(userA, userB)}\n${dataApi.body}`);
    expect(first.trim()).toBe(expected);
    const second = await bash(`${prelude(userA, userB)}\n${dataApi.body}`);
    expect(second.trim()).toBe(expected);
    expect(await checklistRows(userA)).toEqual([]);
  });

  it('prints the same after a run interrupted right after its create step left the task behind', async () => {
    const [userA, userB] = await Promise.all([clerkUser(uniqueUserId('readme_a')), clerkUser(uniqueUserId('readme_b'))]);
    const createStep = dataApi.body.indexOf('# 3.');
    expect(createStep, 'the data API block changed shape: update this test').toBeGreaterThan(0);
    const interrupted = await bash(`${prelude(userA, userB)}\n${dataApi.body.slice(0, createStep)}`);
    expect(interrupted.trim().split('\n').at(-1), 'the run stopped after A created the task').toBe('201');
    expect(await checklistRows(userA)).toEqual([{ title: 'checklist' }]);
    const rerun = await bash(`${prelude(userA, userB)}\n${dataApi.body}`);
    expect(rerun.trim()).toBe(expected);
    expect(await checklistRows(userA)).toEqual([]);
  });
});

describe('docs/local-stack.md: the data API as alice', () => {
  it("returns alice's task titles", async () => {
    const block = codeBlocks(section('local-stack')).find((b) => b.body.includes('local:token -- --user user_alice)'));
    expect(block, 'the curl example moved: update this test').toBeDefined();
    const out = await bash(block!.body.replaceAll('.local/stack.env', envFile));
    const titles = JSON.parse(out) as { title: string }[];
    // alice's seeded tasks (supabase/seed.sql) are there, and every row is one of hers: none of bob's
    // or carol's. Other tests may add tasks for alice meanwhile, hence "contains" for the seed.
    const mine = await withDb(async (c) =>
      (await c.query<{ title: string }>("select title from public.tasks where user_id = 'user_alice'")).rows.map((r) => r.title),
    );
    const others = await withDb(async (c) =>
      (await c.query<{ title: string }>("select title from public.tasks where user_id <> 'user_alice'")).rows.map((r) => r.title),
    );
    expect(titles.every((t) => Object.keys(t).join() === 'title')).toBe(true);
    expect(titles.map((t) => t.title)).toEqual(
      expect.arrayContaining(['Write the launch post', "Review Bob's pull request", 'Book the team offsite']),
    );
    for (const { title } of titles) expect(mine, title).toContain(title);
    expect(titles.map((t) => t.title)).not.toContain('Fix the flaky login test');
    expect(others).toContain('Fix the flaky login test');
  });
});
