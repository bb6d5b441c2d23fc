// "Online now" on /org against a hosted Supabase project with its Realtime server (`npm run test:e2e:live`,
// docs/e2e.md): two browsers of one organisation see each other online, and stay joined after the token
// they joined with has expired (supabase-js hands Realtime a fresh one); a user of another organisation
// sees neither and is refused at the channel itself. Offline (the local stack has no Realtime server)
// this file is skipped: organizations.spec.ts checks the "No Realtime server here" line instead.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { accounts, live, type Account } from './support/env.ts';
import { signIn, supabaseToken } from './support/clerk.ts';

const SKIP_REASON = 'needs a hosted Supabase project with its Realtime server (npm run test:e2e:live); the local stack has none';
// Printed once, by the runner process, so an offline run says why these tests did not run.
if (!live && !process.env.TEST_WORKER_INDEX) console.log(`online-now.live.spec.ts skipped: ${SKIP_REASON}`);
test.skip(!live, SKIP_REASON);

const { alice, bob, orgName } = accounts();
const template = process.env.CLERK_SUPABASE_TEMPLATE || null;

async function openOrg(browser: Browser, account: Account, org: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, account, '/org');
  await expect(page.locator('.cl-organizationSwitcherTrigger')).toBeVisible({ timeout: 60_000 });
  await page.locator('.cl-organizationSwitcherTrigger').click();
  await page.locator('.cl-organizationSwitcherPopoverCard').getByText(org, { exact: true }).click();
  await expect(page.getByRole('heading', { name: /^Organisation/ })).toBeVisible();
  return page;
}

const onlineList = (page: Page) => page.getByRole('list', { name: 'Online now' });
const activeOrgId = async (page: Page) => ((await (await page.request.get('/api/projects')).json()) as { orgId: string }).orgId;

/** A join of `org:<orgId>` straight on Realtime's socket with this page's Clerk token: Realtime's answer. */
async function rawJoin(page: Page, orgId: string): Promise<{ status: string; response: { reason?: string } }> {
  const token = await supabaseToken(page, template);
  return page.evaluate(
    ({ url, key, topic, accessToken }) =>
      new Promise((resolve, reject) => {
        const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${encodeURIComponent(key)}&vsn=2.0.0`);
        socket.onopen = () =>
          socket.send(
            JSON.stringify([
              '1',
              '1',
              `realtime:${topic}`,
              'phx_join',
              {
                config: { broadcast: {}, presence: { key: '', enabled: true }, postgres_changes: [], private: true },
                access_token: accessToken,
              },
            ]),
          );
        socket.onmessage = (e) => {
          const [, ref, , event, payload] = JSON.parse(e.data as string);
          if (ref === '1' && event === 'phx_reply') {
            socket.close();
            resolve(payload);
          }
        };
        socket.onerror = () => reject(new Error('the Realtime socket failed'));
      }),
    {
      url: process.env.NEXT_PUBLIC_SUPABASE_URL!,
      key: process.env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY!,
      topic: `org:${orgId}`,
      accessToken: token,
    },
  );
}

test('two members see each other online, still after their first token expired, and not after one leaves', async ({ browser }) => {
  test.setTimeout(300_000);
  const a = await openOrg(browser, alice, orgName);
  const b = await openOrg(browser, bob, orgName);
  await expect(onlineList(a).getByRole('listitem')).toHaveCount(2, { timeout: 30_000 });
  await expect(onlineList(b).getByRole('listitem')).toHaveCount(2, { timeout: 30_000 });

  // Clerk session tokens live 60 s. Wait (polling the clock, one deadline) until the token alice joined
  // with has expired, then show the channel is still live: bob sees her leave.
  const { exp } = JSON.parse(Buffer.from((await supabaseToken(a, template))!.split('.')[1], 'base64url').toString()) as { exp: number };
  await expect.poll(() => Date.now() / 1000 > exp + 15, { timeout: 120_000, intervals: [1000] }).toBe(true);
  await expect(onlineList(a).getByRole('listitem')).toHaveCount(2);
  await a.context().close();
  await expect(onlineList(b).getByRole('listitem')).toHaveCount(1, { timeout: 30_000 });
  await b.context().close();
});

test('a user of another organisation does not see them, and Realtime refuses their join of it', async ({ browser }) => {
  const outsiderEmail = process.env.E2E_OUTSIDER_EMAIL;
  test.skip(
    !outsiderEmail,
    'set E2E_OUTSIDER_EMAIL, E2E_OUTSIDER_PASSWORD and E2E_OUTSIDER_ORG_NAME (a user of another organisation) to run it; see docs/e2e.md',
  );
  const outsider: Account = { email: outsiderEmail!, password: process.env.E2E_OUTSIDER_PASSWORD ?? '' };

  const a = await openOrg(browser, alice, orgName);
  await expect(onlineList(a).getByRole('listitem')).not.toHaveCount(0, { timeout: 30_000 });
  const acme = await activeOrgId(a);
  const o = await openOrg(browser, outsider, process.env.E2E_OUTSIDER_ORG_NAME ?? '');
  await expect(onlineList(o).getByRole('listitem')).not.toHaveCount(0, { timeout: 30_000 });
  const aliceName = (await onlineList(a).locator('li', { hasText: '(you)' }).innerText()).replace(/\s*\(you\)\s*$/, '');
  await expect(onlineList(o)).not.toContainText(aliceName);

  // The control: alice's token opens her organisation's channel; the outsider's does not.
  expect((await rawJoin(a, acme)).status).toBe('ok');
  const refused = await rawJoin(o, acme);
  expect(refused.status).toBe('error');
  expect(refused.response.reason).toMatch(/Unauthorized/);
  await a.context().close();
  await o.context().close();
});
