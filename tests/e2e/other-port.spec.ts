// The app on another port, as `PORT=3001 npm run dev` or `next start -p 3108` runs it on the local
// stack: the same production build, started here with the stack's env file exactly as the stack wrote
// it (its CLERK_AUTHORIZED_PARTIES name the default port only). The app's authorized parties follow
// the port it listens on, so Clerk's form signs alice in and the dashboard shows her tasks. Before,
// the session was refused for its `azp` and the form just vanished. Local stack only.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { layout, projectRoot } from '../../local/paths.ts';
import { parseEnv } from '../../local/env-file.ts';
import { isLoopbackAddress, listeningAddresses, reachableFromNetwork } from '../support/network.ts';
import { accounts, live } from './support/env.ts';
import { fillClerkSignIn } from './support/clerk.ts';

test.skip(live, 'starts its own server on the local stack');

const stackLayout = layout('test');
const port = stackLayout.ports.app + 8; // inside this instance's range, beside the two servers tests/run.ts started
const appUrl = `http://localhost:${port}`;
let server: ChildProcess | null = null;
let output = '';

test.beforeAll(async () => {
  const stackEnv = parseEnv(fs.readFileSync(process.env.LOCAL_STACK_ENV_FILE ?? stackLayout.envFile, 'utf8'));
  expect(stackEnv.CLERK_AUTHORIZED_PARTIES, 'the stack env names its default port only').not.toContain(String(port));
  const distDir = process.env.APP_DIST_DIR ? path.basename(process.env.APP_DIST_DIR) : '.next';
  const child = spawn(path.join(projectRoot, 'node_modules/.bin/next'), ['start', '-p', String(port), '--hostname', 'localhost'], {
    cwd: projectRoot,
    // Only the stack's env file (and the project's Node first on PATH), as a person's shell would have it.
    env: { PATH: `${path.join(projectRoot, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}`, HOME: process.env.HOME, ...stackEnv, NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: '1' } as unknown as NodeJS.ProcessEnv,
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

test('on a port the stack env does not name, Clerk\'s form signs alice in and the dashboard shows her tasks', async ({ page }) => {
  const { alice } = accounts();
  await page.goto(`${appUrl}/dashboard`);
  await expect(page).toHaveURL(/\/sign-in/);
  await fillClerkSignIn(page, alice);
  await expect(page).toHaveURL(`${appUrl}/dashboard`, { timeout: 45_000 });
  await expect(page.getByLabel('Task title').and(page.locator('[value="Write the launch post"]'))).toBeVisible();
  // Her session token was minted for this origin, and this server accepted it.
  const me = await page.request.get(`${appUrl}/api/me`);
  expect(me.status()).toBe(200);
  expect(((await me.json()) as { database: { claims: { azp: string } } }).database.claims.azp).toBe(appUrl);
  expect(output).not.toMatch(/Clerk refused the session/);
});

test('next start on the local stack cannot be reached from the network', async () => {
  expect(listeningAddresses(port).length, `nothing listens on ${port}`).toBeGreaterThan(0);
  expect(listeningAddresses(port).filter((a) => !isLoopbackAddress(a))).toEqual([]);
  expect(await reachableFromNetwork(port)).toEqual([]);
});
