// The Edge Function from the browser: /reports calls supabase/functions/task-report through
// supabase-js (`functions.invoke`) with the Clerk token of the mode (a CORS request to the gateway's
// /functions/v1), and shows the report, or for a plan without reports the function's 403 message.
import fs from 'node:fs';
import { expect, test } from './support/test.ts';
import { accounts, live } from './support/env.ts';
import { signIn } from './support/clerk.ts';

const { alice, bob } = accounts();
// Live, the test users' plans are whatever their public metadata says, and the function must be deployed.
test.skip(live, 'needs the seeded local users (alice on Pro, bob on Free) and the local function');

test('@both-modes a Pro user gets their task report and CSV from the Edge Function, called by the browser', async ({ page }, info) => {
  const template = info.project.name === 'template';
  const call = page.waitForResponse((r) => r.url().includes('/functions/v1/task-report') && r.request().method() === 'POST');
  await signIn(page, alice, '/reports');
  await expect(page.getByTestId('plan')).toHaveText('pro');

  // The browser itself asked the function, cross-origin, as alice, with a Clerk JWT of the mode's kind.
  const response = await call;
  const bearer = (await response.request().allHeaders()).authorization?.replace(/^Bearer /, '') ?? '';
  const header = JSON.parse(Buffer.from(bearer.split('.')[0], 'base64url').toString()) as { alg: string };
  expect(header.alg).toBe(template ? 'HS256' : 'RS256');
  expect(response.status()).toBe(200);
  const body = (await response.json()) as {
    user: string;
    plan: string;
    tokenKind: string;
    summary: { total: number; open: number; done: number };
  };
  expect(body).toMatchObject({ user: 'user_alice', plan: 'pro', tokenKind: template ? 'template token' : 'session token' });

  // What the page shows is what the function computed.
  await expect(page.getByTestId('report-total')).toHaveText(String(body.summary.total));
  await expect(page.getByTestId('report-open')).toHaveText(String(body.summary.open));
  await expect(page.getByTestId('report-done')).toHaveText(String(body.summary.done));

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download CSV' }).click();
  const file = await (await download).path();
  const csv = fs.readFileSync(file, 'utf8');
  expect(csv.split('\r\n')[0]).toBe('id,title,done,created_at,updated_at');
  expect(csv).toContain('Write the launch post'); // alice's seeded task
  expect(csv).not.toContain('Fix the flaky login test'); // bob's
  expect(csv.trim().split('\r\n')).toHaveLength(body.summary.total + 1);
});

test('@both-modes a Free user is told reports need the Pro plan', async ({ page }) => {
  const call = page.waitForResponse((r) => r.url().includes('/functions/v1/task-report') && r.request().method() === 'POST');
  await signIn(page, bob, '/reports');
  await expect(page.getByTestId('plan')).toHaveText('free');
  expect((await call).status()).toBe(403);
  await expect(page.getByRole('heading', { name: 'Reports are a Pro feature' })).toBeVisible();
  await expect(page.getByText('Task reports are part of the Pro plan; your plan is free.', { exact: true })).toBeVisible();
  await expect(page.getByTestId('report-total')).toHaveCount(0);
});
