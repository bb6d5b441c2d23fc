// The package's example app (packages/local-stack/example) runs on the local stack with environment
// variables only: `local-stack dev -- next dev` in its folder starts a stack of its own (its
// migration and seed: one `notes` table with a text owner column and its policy) and the app; a
// person signs in through Clerk's own form (real clerk-js from the stand-in) and sees their own row,
// not another user's. Runs on a scratch stack instance; Ctrl-C (SIGINT) stops everything.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { layout, LOCAL_PASSWORD, projectRoot, scratchInstance } from 'clerk-supabase-local-stack';

const exampleDir = path.join(projectRoot, 'packages/local-stack/example');
const instance = scratchInstance('example');
const port = layout('test', instance).ports.app + 5;
const appUrl = `http://localhost:${port}`;
let dev: ChildProcess | null = null;
let output = '';

test.beforeAll(async () => {
  test.setTimeout(300_000);
  dev = spawn('npm', ['run', 'dev'], {
    cwd: exampleDir,
    detached: true, // its own process group, like a terminal's foreground job
    env: {
      ...process.env,
      LOCAL_STACK_PROFILE: 'test',
      LOCAL_STACK_INSTANCE: String(instance),
      PORT: String(port),
      NEXT_TELEMETRY_DISABLED: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  dev.stdout!.on('data', (c) => (output += c));
  dev.stderr!.on('data', (c) => (output += c));
  const deadline = Date.now() + 240_000;
  while (!output.includes('App ready') && Date.now() < deadline && dev.exitCode === null) await new Promise((r) => setTimeout(r, 250));
  expect(output, output).toContain('App ready');
});

test.afterAll(async () => {
  if (!dev?.pid || dev.exitCode !== null) return;
  const exited = new Promise((resolve) => dev!.once('exit', resolve));
  process.kill(-dev.pid, 'SIGINT');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
  if (dev.exitCode === null) process.kill(-dev.pid, 'SIGKILL');
});

test("signs in through Clerk's form and reads the user's own row, and only that", async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto(`${appUrl}/`);
  await expect(page).toHaveURL(/\/sign-in/, { timeout: 120_000 });
  const identifier = page.locator('input[name=identifier]');
  await expect(identifier).toBeVisible({ timeout: 60_000 });
  await identifier.fill('alice@example.test');
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.locator('input[name=password]').fill(LOCAL_PASSWORD);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Notes of user_alice' })).toBeVisible({ timeout: 120_000 });
  await expect(page.getByRole('listitem')).toHaveText(["Alice's own note"]);
  await expect(page.locator('#error')).toHaveCount(0);
});
