// A session the server refuses: a second server on the stack whose CLERK_JWT_KEY is another Clerk
// instance's (two instances' keys mixed in .env.local), visited by a browser signed in on the test
// app. Clerk drops the session without a word and clerk-js, which holds it, hides its form: the
// sign-in page must say so instead of ending blank, and the server must log why, once. Local stack
// only (it starts its own server).
import { generateKeyPairSync } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { layout, projectRoot } from '../../local/paths.ts';
import { parseEnv } from '../../local/env-file.ts';
import { accounts, live } from './support/env.ts';
import { signIn } from './support/clerk.ts';

test.skip(live, 'starts its own server on the local stack');

const l = layout('test');
const port = l.ports.app + 7;
const appUrl = `http://localhost:${port}`;
let server: ChildProcess | null = null;
let output = '';

test.beforeAll(async () => {
  const stackEnv = parseEnv(fs.readFileSync(process.env.LOCAL_STACK_ENV_FILE ?? l.envFile, 'utf8'));
  const otherInstanceKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const distDir = process.env.APP_DIST_DIR ? path.basename(process.env.APP_DIST_DIR) : '.next';
  const child = spawn(path.join(projectRoot, 'node_modules/.bin/next'), ['start', '-p', String(port), '--hostname', 'localhost'], {
    cwd: projectRoot,
    env: { PATH: `${path.join(projectRoot, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}`, HOME: process.env.HOME, ...stackEnv, CLERK_JWT_KEY: otherInstanceKey, NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: '1' } as unknown as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && child.exitCode === null) {
    if (await fetch(`${appUrl}/`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`next start -p ${port} did not come up:\n${output}`);
});

test.afterAll(() => {
  server?.kill('SIGTERM');
});

test('with a session this server refuses, the sign-in page says so instead of ending blank, and the server logs why once', async ({ page }) => {
  // Signed in on the test app; cookies on localhost are shared by every port, so this server sees
  // that session too, signed by a key it does not trust.
  await signIn(page, accounts().alice);
  await page.goto(`${appUrl}/dashboard`);
  await expect(page).toHaveURL(/\/sign-in/);
  const notice = page.getByRole('heading', { name: 'Signed in, but this server refused the session' });
  await expect(notice).toBeVisible();
  await expect(page.getByRole('alert', { name: /refused the session/ })).toContainText('token-invalid-signature');
  // It stays: nothing (clerk-js, which holds a session, or a redirect loop) takes it away again.
  await page.waitForTimeout(3000);
  await expect(notice).toBeVisible();
  const lines = output.split('\n').filter((x) => x.includes('Clerk refused the session'));
  expect(lines.length, output).toBe(1);
  expect(output).toMatch(/\(token-invalid-signature\)[^\n]*\n\s+Fix: the token was signed by another Clerk instance/);
});
