// The browser side of the integration (lib/supabase/client.ts): the open-tasks count on the dashboard
// is queried by the browser itself, straight from Supabase, with the Clerk token clerk-js hands out
// (the session token in third-party mode, the `supabase` template token in template mode).
import { expect, test } from './support/test.ts';
import { accounts } from './support/env.ts';
import { signIn } from './support/clerk.ts';

const { alice } = accounts();

test('@both-modes the open-tasks count comes from the browser and follows the tasks', async ({ page }, info) => {
  const template = info.project.name === 'template';
  // No deadline of its own (the action timeout, 20 s, also covers the sign-in it waits through): the test's is the one.
  const browserQuery = page.waitForRequest((r) => r.url().includes('/rest/v1/tasks') && r.method() === 'HEAD', { timeout: 0 });
  await signIn(page, alice);

  // The browser asked Supabase itself, as alice, with a Clerk JWT of the mode's kind (not the anon key).
  const request = await browserQuery;
  const bearer = (await request.allHeaders()).authorization?.replace(/^Bearer /, '') ?? '';
  const header = JSON.parse(Buffer.from(bearer.split('.')[0], 'base64url').toString()) as { alg: string };
  const claims = JSON.parse(Buffer.from(bearer.split('.')[1], 'base64url').toString()) as { sub: string };
  expect(header.alg).toBe(template ? 'HS256' : 'RS256');
  expect(claims.sub).toBe('user_alice');

  const count = page.getByTestId('open-tasks-count');
  await expect(page.locator('p.open-count[data-source="browser"]')).toBeVisible();
  const before = Number(await count.textContent());

  const title = `count ${Date.now().toString(36)}`;
  await page.getByLabel('New task').fill(title);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(count).toHaveText(String(before + 1));

  await page.getByRole('button', { name: `Done: ${title}` }).click();
  await expect(count).toHaveText(String(before));
  await page.getByRole('button', { name: `Delete: ${title}` }).click();
  await expect(page.getByLabel('Task title').and(page.locator(`[value="${title}"]`))).toHaveCount(0);
  await expect(page.locator('p.open-count[data-source="browser"]')).toBeVisible();
});
