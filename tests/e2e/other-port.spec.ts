// The app on another port, as `PORT=3001 npm run dev` or `next start -p 3108` runs it on the local
// stack: the same production build, started here with the stack's env file exactly as the stack wrote
// it (its CLERK_AUTHORIZED_PARTIES name the default port only). The app's authorized parties follow
// the port it listens on, so Clerk's form signs alice in and the dashboard shows her tasks. Before,
// the session was refused for its `azp` and the form just vanished. Local stack only.
import { expect, test } from './support/test.ts';
import { startExtraApp, type ExtraApp } from './support/extra-app.ts';
import { layout } from 'clerk-supabase-local-stack';
import { isLoopbackAddress, listeningAddresses } from '../support/network.ts';
import { accounts, live } from './support/env.ts';
import { fillClerkSignIn } from './support/clerk.ts';

test.skip(live, 'starts its own server on the local stack');

const stackLayout = layout('test');
const port = stackLayout.ports.app + 8; // inside this instance's range, beside the two servers tests/run.ts started
const appUrl = `http://localhost:${port}`;
let server: ExtraApp | null = null;

test.beforeAll(async () => {
  server = await startExtraApp(port);
  expect(server.stackEnv.CLERK_AUTHORIZED_PARTIES, 'the stack env names its default port only').not.toContain(String(port));
});

test.afterAll(() => {
  server?.stop();
});

test("on a port the stack env does not name, Clerk's form signs alice in and the dashboard shows her tasks", async ({ page }) => {
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
  expect(server!.output()).not.toMatch(/Clerk refused the session/);
});

test('next start on the local stack cannot be reached from the network', async () => {
  expect(listeningAddresses(port).length, `nothing listens on ${port}`).toBeGreaterThan(0);
  expect(listeningAddresses(port).filter((a) => !isLoopbackAddress(a))).toEqual([]);
});
