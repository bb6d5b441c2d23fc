// The instant inside clerk-js's dev-browser cookie rewrite (issue 20's 401, dev-browser-missing), held
// open on purpose in a real browser: both __clerk_db_jwt copies removed, __session and __client_uat
// in place. The signed-in page's own API call, a client-side navigation and a call through Playwright's
// request context (no Sec-Fetch-Site) all keep the session (lib/clerk-dev-browser.ts).
import { clerk } from '@clerk/testing/playwright';
import { expect, test } from './support/test.ts';
import { accounts } from './support/env.ts';
import { signIn } from './support/clerk.ts';
import { apiFromPage, clerkDecision } from './support/page-api.ts';

const { alice } = accounts();

test('a request sent while clerk-js rewrites __clerk_db_jwt keeps its session', async ({ page, context }) => {
  await signIn(page, alice);
  await clerk.loaded({ page });
  const devBrowser = (await context.cookies()).filter((c) => c.name.startsWith('__clerk_db_jwt'));
  expect(
    devBrowser.map((c) => c.name),
    'clerk-js wrote its dev-browser cookie',
  ).toContain('__clerk_db_jwt');
  await context.clearCookies({ name: /^__clerk_db_jwt/ });
  try {
    const names = (await context.cookies()).map((c) => c.name);
    expect(names.filter((n) => n.startsWith('__clerk_db_jwt'))).toEqual([]);
    expect(names).toContain('__session');

    const fromPage = await apiFromPage(page, 'GET', '/api/me');
    expect(fromPage.status, clerkDecision(fromPage)).toBe(200);
    expect((fromPage.json() as { userId: string }).userId).toMatch(/^user_/);

    const fromPlaywright = await page.request.get('/api/me');
    expect(fromPlaywright.status(), await fromPlaywright.text()).toBe(200);

    // A client-side navigation: its data request goes through proxy.ts and clerkMiddleware.
    await page.getByRole('link', { name: 'Organisation', exact: true }).click();
    // Generous: on a cold server the first /org render includes loading its code.
    await expect(page).toHaveURL(/\/org$/, { timeout: 45_000 });
    await expect(page.getByRole('heading', { name: /^Organisation/, level: 1 })).toBeVisible();
  } finally {
    await context.addCookies(devBrowser);
  }
});
