// Clickjacking: another site's page loads the app in an invisible frame and lures the visitor into
// clicking its buttons (delete a task, sign in). The app's pages say who may frame them
// (Content-Security-Policy frame-ancestors 'self', X-Frame-Options SAMEORIGIN), and the browser obeys.
import { expect, test } from './support/test.ts';

test('another site frames the sign-in form and the home page @both-modes', async ({ page, baseURL }) => {
  const app = new URL(baseURL!).origin;
  // The attacker's page, under another origin of this machine (Chromium keeps public pages from framing
  // loopback at all, so the attacker is local too); Playwright answers for it, nothing is listening there.
  await page.route('http://evil.localhost:9/**', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><title>win a prize</title><script>window.loaded = 0</script>
        <iframe id="home" src="${app}/" onload="window.loaded++"></iframe><iframe id="signin" src="${app}/sign-in" onload="window.loaded++"></iframe>`,
    }),
  );
  await page.goto('http://evil.localhost:9/prize');
  await page.waitForFunction(() => (window as unknown as { loaded: number }).loaded === 2);
  for (const id of ['home', 'signin']) {
    const frame = await (await page.locator(`#${id}`).elementHandle())!.contentFrame();
    // A refused frame holds the browser's error page: none of the app's markup, none of its scripts.
    expect(await frame!.evaluate(() => document.querySelectorAll('a, button, input, form').length), id).toBe(0);
  }

  // The app's own origin may still frame itself (frame-ancestors 'self'): the same page, same origin.
  await page.goto(`${app}/`);
  await page.evaluate((src) => new Promise((resolve) => {
    const frame = document.createElement('iframe');
    frame.src = src;
    frame.onload = resolve;
    document.body.append(frame);
  }), `${app}/`);
  const own = page.frames().find((f) => f !== page.mainFrame() && f.url() === `${app}/`);
  expect(await own!.evaluate(() => document.querySelectorAll('a, button').length)).toBeGreaterThan(0);
});
