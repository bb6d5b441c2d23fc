// A session the server refuses: a second server on the stack whose CLERK_JWT_KEY is another Clerk
// instance's (two instances' keys mixed in .env.local), visited by a browser signed in on the test
// app. Clerk drops the session without a word and clerk-js, which holds it, hides its form: the
// sign-in page must say so instead of ending blank, and the server must log why, once. Local stack
// only (it starts its own server).
import { generateKeyPairSync } from 'node:crypto';
import { clerk } from '@clerk/testing/playwright';
import { expect, test } from './support/test.ts';
import { startExtraApp, type ExtraApp } from './support/extra-app.ts';
import { layout } from 'clerk-supabase-local-stack';
import { accounts, live } from './support/env.ts';
import { signIn } from './support/clerk.ts';

test.skip(live, 'starts its own server on the local stack');

const stackLayout = layout('test');
const port = stackLayout.ports.app + 7;
const appUrl = `http://localhost:${port}`;
let server: ExtraApp | null = null;

test.beforeAll(async () => {
  const otherInstanceKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  server = await startExtraApp(port, () => ({ CLERK_JWT_KEY: otherInstanceKey }));
});

test.afterAll(() => {
  server?.stop();
});

test('with a session this server refuses, the sign-in page says so instead of ending blank, and the server logs why once', async ({
  page,
}) => {
  // Signed in on the test app; cookies on localhost are shared by every port, so this server sees
  // that session too, signed by a key it does not trust.
  await signIn(page, accounts().alice);
  await page.goto(`${appUrl}/dashboard`);
  await expect(page).toHaveURL(/\/sign-in/);
  const notice = page.getByRole('heading', { name: 'Signed in, but this server refused the session' });
  await expect(notice).toBeVisible();
  await expect(page.getByRole('alert', { name: /refused the session/ })).toContainText('token-invalid-signature');
  // It stays: nothing (clerk-js, which holds a session, or a redirect loop) takes it away again. The
  // state that could: clerk-js loaded and its session known to the page (no timed wait; a slow machine
  // only takes longer to get there). clerk-js keeps polling here, so the network never goes idle.
  await clerk.loaded({ page });
  await page.waitForFunction(() => Boolean((window as unknown as { Clerk?: { session?: unknown } }).Clerk?.session));
  await expect(notice).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);
  // Once per reason: the signature, exactly once. A later request may be refused for another reason
  // (seen once: session-token-but-no-client-uat on a GET /, as localhost's cookies are shared by every
  // port); that one is logged once too.
  const reasons = server!
    .output()
    .split('\n')
    .flatMap((x) => /Clerk refused the session of .*? \(([a-z-]+)\)/.exec(x)?.[1] ?? []);
  expect(
    reasons.filter((r) => r === 'token-invalid-signature'),
    server!.output(),
  ).toHaveLength(1);
  expect(new Set(reasons).size, server!.output()).toBe(reasons.length);
  expect(server!.output()).toMatch(/\(token-invalid-signature\)[^\n]*\n\s+Fix: the token was signed by another Clerk instance/);
});
