// A page left open while its session token expires, with its timers stopped: a background tab that the
// browser froze, a laptop that slept. The stand-in's tokens live LIFETIME_S seconds here (Clerk's: 60 s),
// for an account each mode makes for itself (through Clerk's Backend API, the stand-in's): no other spec
// signs in as it, so this spec (mostly waiting) runs beside the rest, in both modes at once (the
// token-expiry projects of playwright.config.ts; each project's baseURL picks the app).
// The page's JavaScript is stopped through the DevTools protocol (Debugger.pause: no timer callback,
// worker message or event handler of the page runs until it resumes, as in a tab the browser froze), so
// clerk-js cannot refresh its token. Page.setWebLifecycleState "frozen" would be the closer emulation,
// but headless Chromium 156 ignores it (its timers kept firing). Before acting, the test checks that the
// __session cookie still holds the same token and that it expired more than Clerk's 5 s clock-skew
// allowance ago. Then it wakes the page and acts at once, while clerk-js's own refresh
// (which the wake-up sets off) is held back until the request under test has gone out with the expired
// cookie. What must still work: a server action (rename and create a task), GET /api/tasks from the
// page with the cookie (lib/api-fetch.ts), the browser's supabase-js query and the Edge Function.
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page, Request, Response } from '@playwright/test';
import ts from 'typescript';
import { expect, test } from './support/test.ts';
import { signIn } from './support/clerk.ts';
import type { Account } from './support/env.ts';
import { fapi } from './support/fapi.ts';
import { LOCAL_PASSWORD, projectRoot } from 'clerk-supabase-local-stack';
import { createClerkClient } from '@clerk/backend';

// Made in beforeAll: a Pro user (like carol: the task report is Pro's), one per project.
let account: Account & { id: string };
const LIFETIME_S = 5; // the stand-in's shortest
const CLOCK_SKEW_S = 5; // what Clerk's authenticateRequest tolerates past exp
const TOKEN_REQUEST = /\/v1\/client\/sessions\/[^/]+\/tokens(\/[^/?]+)?(\?|$)/;

const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as { iat: number; exp: number; sub: string };
const nowS = () => Date.now() / 1000;

async function sessionCookie(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies()).find((c) => /^__session(_|$)/.test(c.name) && c.value);
  expect(cookie, 'a __session cookie').toBeTruthy();
  return cookie!.value;
}
/**
 * The `exp` of the session token in a request's cookie. A token minted just before the page stopped can
 * land in the cookie as the page resumes: it expired as well, which is what the tests check against.
 */
async function cookieExpOf(request: Request): Promise<number> {
  const token = /(?:^|;\s*)__session(?:_[\w-]+)?=([^;]+)/.exec((await request.allHeaders()).cookie ?? '')?.[1];
  expect(token, 'the request carried a __session cookie').toBeTruthy();
  return claimsOf(token!).exp;
}

/**
 * Stops the page's JavaScript until its cookie's token expired `lifetimes` token lifetimes after it was issued (and
 * past the clock-skew allowance), proves the page wrote nothing meanwhile, then resumes it with clerk-js's
 * token requests held. Returns the expired token and `release()`, which lets the held requests through.
 */
async function sleepPastExpiry(page: Page, lifetimes: number) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Debugger.enable');
  // Debugger.pause stops the page at its next JavaScript statement, whenever that comes: until then no
  // script of the page runs either, so there is nothing to wait for here.
  let paused = false;
  cdp.on('Debugger.paused', () => (paused = true));
  await cdp.send('Debugger.pause');
  const expired = await sessionCookie(page.context());
  const { iat, exp } = claimsOf(expired);
  expect(exp - iat, 'the stand-in issues tokens of the shortened lifetime').toBe(LIFETIME_S);
  const wakeAt = Math.max(iat + lifetimes * LIFETIME_S, exp + CLOCK_SKEW_S + 1);
  // The state that matters is the clock passing wakeAt; the deadline only bounds the poll.
  await expect.poll(nowS, { timeout: (wakeAt - nowS() + 60) * 1000, intervals: [1000] }).toBeGreaterThan(wakeAt);
  // Nothing refreshed the cookie while the page was stopped, and its token has expired.
  expect(await sessionCookie(page.context()), 'the stopped page left its cookie alone').toBe(expired);
  expect(nowS()).toBeGreaterThan(exp + CLOCK_SKEW_S);

  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  await page.route(TOKEN_REQUEST, async (route) => {
    await released;
    await route.fallback();
  });
  if (paused) await cdp.send('Debugger.resume');
  await cdp.send('Debugger.disable'); // also drops a pause still waiting for the page's next statement
  await cdp.detach();
  return { expired, release };
}

/** The Bearer token a call carried was the account's, minted after `clicked`: a fresh one, not the expired one. */
async function expectFreshToken(call: Response, clicked: number, what: string) {
  const bearer = (await call.request().allHeaders()).authorization?.replace(/^Bearer /, '') ?? '';
  expect(claimsOf(bearer).sub).toBe(account.id);
  expect(claimsOf(bearer).exp, what).toBeGreaterThan(clicked);
}

/** The app's own browser helper (lib/api-fetch.ts, which has no imports) loaded into the page as it is. */
const apiFetchSource = ts
  .transpileModule(fs.readFileSync(path.join(projectRoot, 'lib/api-fetch.ts'), 'utf8'), {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  })
  .outputText.replace(/^export /m, '');

test.beforeAll(async ({}, testInfo) => {
  const clerk = createClerkClient({ secretKey: process.env.CLERK_SECRET_KEY, apiUrl: process.env.CLERK_API_URL });
  const email = `expiry-${testInfo.project.name}-${Date.now().toString(36)}@example.test`;
  const user = await clerk.users.createUser({ emailAddress: [email], password: LOCAL_PASSWORD, publicMetadata: { plan: 'pro' } });
  account = { id: user.id, email, password: LOCAL_PASSWORD };
});
test.beforeEach(async () => {
  const res = await fapi('/__local/session-token-lifetime', 'PUT', { seconds: String(LIFETIME_S), user_id: account.id });
  expect(res.status).toBe(200);
});
test.afterEach(async () => {
  // Clerk's 60 s again, whatever happened in the test.
  const res = await fapi('/__local/session-token-lifetime', 'DELETE', { user_id: account.id });
  expect(await res.json()).toEqual({ seconds: 60 });
});

const taskInput = (page: Page, title: string) => page.getByLabel('Task title').and(page.locator(`[value="${title}"]`));
const isAction = (r: Request) => r.method() === 'POST' && Boolean(r.headers()['next-action']);

test("after the session token expired in a stopped tab: a server action, /api/tasks and the browser's Supabase query still work", async ({
  page,
}) => {
  test.setTimeout(360_000); // four sleeps of two to three token lifetimes each, on a shared machine
  const stamp = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  await signIn(page, account);
  await page.getByLabel('New task').fill(`expiry ${stamp}`);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(taskInput(page, `expiry ${stamp}`)).toBeVisible();

  // 1. A server action (rename), after several lifetimes asleep.
  let wake = await sleepPastExpiry(page, 3);
  const row = page.getByRole('listitem').filter({ has: taskInput(page, `expiry ${stamp}`) });
  await row.getByLabel('Task title').fill(`renamed ${stamp}`);
  const firstAction = page.waitForRequest(isAction);
  let clicked = nowS();
  await row.getByRole('button', { name: 'Save' }).click();
  expect((await cookieExpOf(await firstAction)) + CLOCK_SKEW_S, 'the action went out with an expired cookie').toBeLessThan(clicked);
  wake.release();
  await expect(taskInput(page, `renamed ${stamp}`)).toBeVisible();
  await expect(page.getByText('Your session has ended')).toHaveCount(0);

  // ...and creating one (a form whose action is the server action itself).
  wake = await sleepPastExpiry(page, 2);
  await page.getByLabel('New task').fill(`created ${stamp}`);
  const addAction = page.waitForRequest(isAction);
  clicked = nowS();
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  expect((await cookieExpOf(await addAction)) + CLOCK_SKEW_S).toBeLessThan(clicked);
  wake.release();
  await expect(taskInput(page, `created ${stamp}`)).toBeVisible();
  await expect(page.getByText('Your session has ended')).toHaveCount(0);

  // 2. GET /api/tasks from the page with the cookie, through the app's apiFetch.
  wake = await sleepPastExpiry(page, 2);
  clicked = nowS();
  const refused = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/tasks' && r.status() === 401);
  // Evaluated as a script through the DevTools protocol, so the page's CSP (no eval) does not apply.
  const answer = page.evaluate(`(async () => {
  ${apiFetchSource}
  const res = await apiFetch('/api/tasks');
  return { status: res.status, titles: res.ok ? (await res.json()).tasks.map((t) => t.title) : [] };
})()`) as Promise<{ status: number; titles: string[] }>;
  const first = await refused;
  // Clerk's decision on the expired cookie, which the helper answers by refreshing and asking once more.
  expect((await cookieExpOf(first.request())) + CLOCK_SKEW_S).toBeLessThan(clicked);
  expect(first.headers()['x-clerk-auth-reason']).toMatch(/^session-token-expired/);
  wake.release();
  const api = await answer;
  expect(api.status).toBe(200);
  expect(api.titles).toEqual(expect.arrayContaining([`renamed ${stamp}`, `created ${stamp}`]));

  // 3. The browser's own supabase-js query (the open-tasks count refreshes when the window gets focus).
  wake = await sleepPastExpiry(page, 2);
  const query = page.waitForResponse((r) => r.url().includes('/rest/v1/tasks') && r.request().method() === 'HEAD');
  clicked = nowS();
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  wake.release();
  const counted = await query;
  expect(counted.status()).toBeLessThan(300);
  await expectFreshToken(counted, clicked, 'supabase-js sent a fresh token, not the expired one');
  await expect(page.locator('p.open-count[data-source="browser"]')).toBeVisible();
  await expect(page.getByText('(could not refresh)')).toHaveCount(0);
});

test('after the session token expired in a stopped tab, the Edge Function still answers the page', async ({ page }) => {
  await signIn(page, account, '/reports');
  await expect(page.getByTestId('report-total')).toBeVisible();

  const wake = await sleepPastExpiry(page, 2);
  const call = page.waitForResponse((r) => r.url().includes('/functions/v1/task-report') && r.request().method() === 'POST');
  const download = page.waitForEvent('download');
  const clicked = nowS();
  await page.getByRole('button', { name: 'Download CSV' }).click();
  wake.release();
  const answered = await call;
  expect(answered.status()).toBe(200);
  await expectFreshToken(answered, clicked, 'the function got a fresh token');
  expect((await download).suggestedFilename()).toBe('tasks.csv');
  await expect(page.getByText('could not be reached')).toHaveCount(0);
  await expect(page.getByTestId('report-total')).toBeVisible();
});
