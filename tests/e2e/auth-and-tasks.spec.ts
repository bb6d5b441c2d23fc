// Signing in through Clerk's own form, tasks, isolation between users, escaping. Tagged @both-modes:
// runs against the third-party build and again against the JWT-template build.
import fs from 'node:fs';
import path from 'node:path';
import { clerk } from '@clerk/testing/playwright';
import { expect, test } from './support/test.ts';
import { accounts } from './support/env.ts';
import { fillClerkSignIn, signIn, signOutThroughMenu } from './support/clerk.ts';
import { apiFromPage, clerkDecision } from './support/page-api.ts';

const { alice, bob } = accounts();
const unique = (label: string) => `${label} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

async function addTask(page: import('@playwright/test').Page, title: string) {
  await page.getByLabel('New task').fill(title);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  const row = page
    .getByRole('list', { name: 'Your tasks' })
    .getByRole('listitem')
    .filter({ has: page.locator(`input[name=title]`) });
  await expect(page.getByLabel('Task title').and(page.locator(`[value="${title.replace(/["\\]/g, '\\$&')}"]`))).toBeVisible();
  return row;
}

async function taskIdByTitle(page: import('@playwright/test').Page, title: string): Promise<string> {
  const res = await apiFromPage(page, 'GET', '/api/tasks');
  expect(res.status, clerkDecision(res)).toBe(200);
  const body = res.json() as { tasks: { id: string; title: string }[] };
  const task = body.tasks.find((t) => t.title === title);
  expect(task, `task "${title}" in GET /api/tasks`).toBeTruthy();
  return task!.id;
}

test("@both-modes a signed-out visit to the dashboard signs in through Clerk's form and comes back; tasks; sign-out", async ({
  page,
}, info) => {
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/sign-in/);

  // A wrong password is refused, and Clerk's form says so under the field.
  await fillClerkSignIn(page, alice, 'not-the-password');
  await expect(page.locator('#error-password')).toContainText('Password is incorrect');
  await page.locator('input[name=password]').fill(alice.password);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();

  // Generous: on a cold server the first /dashboard render includes loading its code.
  await expect(page).toHaveURL(/\/dashboard$/, { timeout: 45_000 });
  await expect(page.getByRole('heading', { name: 'Your tasks' })).toBeVisible();
  const title = unique('E2E task');
  await addTask(page, title);

  // It is stored, not just rendered: a fresh load shows it again.
  await page.reload();
  await expect(page.getByLabel('Task title').and(page.locator(`[value="${title}"]`))).toBeVisible();
  fs.mkdirSync('test-results', { recursive: true });
  await page.screenshot({ path: path.join('test-results', `dashboard-${info.project.name}.png`), fullPage: true });

  await signOutThroughMenu(page);
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/sign-in/);
});

test("@both-modes bob does not see alice's task, and its API route is a 404 for him", async ({ page }) => {
  await signIn(page, alice);
  const title = unique('Alice only');
  await addTask(page, title);
  const id = await taskIdByTitle(page, title);
  await signOutThroughMenu(page);

  await signIn(page, bob);
  await expect(page.getByRole('heading', { name: 'Your tasks' })).toBeVisible();
  await expect(page.locator(`[value="${title}"]`)).toHaveCount(0);
  // From bob's page, as its own script would call the API.
  const list = await apiFromPage(page, 'GET', '/api/tasks');
  expect(list.status, clerkDecision(list)).toBe(200);
  expect((list.json() as { tasks: { id: string }[] }).tasks.map((t) => t.id)).not.toContain(id);
  const patch = await apiFromPage(page, 'PATCH', `/api/tasks/${id}`, { title: 'taken over' });
  expect(patch.status, clerkDecision(patch)).toBe(404);
  const del = await apiFromPage(page, 'DELETE', `/api/tasks/${id}`);
  expect(del.status, clerkDecision(del)).toBe(404);
  await signOutThroughMenu(page);

  // Still there, untouched, for alice.
  await signIn(page, alice);
  await expect(page.getByLabel('Task title').and(page.locator(`[value="${title}"]`))).toBeVisible();
});

test('@both-modes a task title with HTML and quotes is shown as text', async ({ page }) => {
  await signIn(page, alice);
  const title = `<img src=x onerror="window.__xss=1"> "quoted" & 'single' </li><b>${Date.now()}</b>`;
  await page.getByLabel('New task').fill(title);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  const input = page.getByLabel('Task title').and(page.locator(`[value="${title.replace(/["\\]/g, '\\$&')}"]`));
  await expect(input).toBeVisible();
  await page.reload();
  await expect(input).toHaveValue(title);
  const tasks = page.getByRole('list', { name: 'Your tasks' });
  await expect(tasks.locator('img')).toHaveCount(0);
  await expect(tasks.locator('b')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
});

test('@both-modes with the session cookie gone, a page visit goes through the handshake and stays signed in', async ({
  page: first,
  context,
}) => {
  await signIn(first, alice);
  // Close the page once clerk-js is idle: a page left mid-request would let clerk-js write "signed
  // out" cookies, and a live page could write a fresh __session back before the visit.
  await clerk.loaded({ page: first });
  await first.waitForLoadState('networkidle');
  await first.close();
  // What an expired or missing __session looks like to the middleware: __client_uat says "signed in".
  await context.clearCookies({ name: /^__session/ });
  const page = await context.newPage();
  const response = await page.goto('/dashboard');
  // The redirect chain of that one navigation: page -> /__clerk/v1/client/handshake -> page.
  const chain: string[] = [];
  for (let r = response?.request() ?? null; r; r = r.redirectedFrom()) chain.unshift(new URL(r.url()).pathname);
  expect(chain[0]).toBe('/dashboard');
  expect(chain[1]).toMatch(/\/v1\/client\/handshake$/);
  expect(chain.at(-1)).toBe('/dashboard');
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole('heading', { name: 'Your tasks' })).toBeVisible();
  expect((await context.cookies()).some((c) => c.name.startsWith('__session') && c.value.length > 0)).toBe(true);
});
