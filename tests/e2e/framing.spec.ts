// Clickjacking: another site's page loads the app in an invisible frame and lures the visitor into
// clicking its buttons (delete a task, sign in). The app's pages say who may frame them
// (Content-Security-Policy frame-ancestors 'self', X-Frame-Options SAMEORIGIN), and the browser obeys.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from './support/test.ts';

/**
 * The attacker's page, on another origin of this machine: localhost on another port. (Chromium keeps
 * public pages from framing loopback at all; and on the same site, the frame gets the visitor's
 * cookies and Clerk's handshake completes, so without the headers the page would render.)
 */
async function attackerSite(app: string): Promise<{ url: string; close: () => void }> {
  const html = `<!doctype html><title>win a prize</title><script>window.loaded = 0</script>
    <iframe id="home" src="${app}/" onload="window.loaded++"></iframe><iframe id="signin" src="${app}/sign-in" onload="window.loaded++"></iframe>`;
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://localhost:${(server.address() as AddressInfo).port}/prize`, close: () => server.close() };
}

test('another site frames the sign-in form and the home page @both-modes', async ({ page, baseURL }) => {
  const app = new URL(baseURL!).origin;
  const attacker = await attackerSite(app);
  try {
    await page.goto(attacker.url);
    await page.waitForFunction(() => (window as unknown as { loaded: number }).loaded === 2);
    for (const id of ['home', 'signin']) {
      const frame = await (await page.locator(`#${id}`).elementHandle())!.contentFrame();
      // A refused frame holds the browser's error page: none of the app's markup, none of its scripts.
      expect(
        await frame!.evaluate(() => document.querySelectorAll('a[href="/sign-in"], a[href="/sign-up"], .cl-rootBox, form').length),
        id,
      ).toBe(0);
      expect(await frame!.evaluate(() => document.body?.innerText ?? ''), id).not.toMatch(/Clerk \+ Supabase|Sign in/i);
    }
  } finally {
    attacker.close();
  }

  // The app's own origin may still frame itself (frame-ancestors 'self'): the same page, same origin.
  await page.goto(`${app}/`);
  await page.evaluate(
    (src) =>
      new Promise((resolve) => {
        const frame = document.createElement('iframe');
        frame.src = src;
        frame.onload = resolve;
        document.body.append(frame);
      }),
    `${app}/`,
  );
  const own = page.frames().find((f) => f !== page.mainFrame() && f.url() === `${app}/`);
  expect(await own!.evaluate(() => document.querySelectorAll('a, button').length)).toBeGreaterThan(0);
});
