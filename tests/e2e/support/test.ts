// Every spec's `test` and `expect`: Playwright's, plus one check on each test's browser context. The
// app sends a Content Security Policy (lib/security-headers.ts), and a policy that blocks one of its
// own scripts, styles or requests shows up only as a console message; so any such message fails the
// test that caused it. Refused framing (frame-ancestors) is the policy at work against another site's
// page (the clickjacking spec provokes it on purpose), not a breakage of the app.
import { test as base, expect } from '@playwright/test';

export { expect };
export type { Page } from '@playwright/test';

export const test = base.extend<{ contentSecurityPolicyViolations: string[] }>({
  contentSecurityPolicyViolations: [
    async ({ context }, use) => {
      const violations: string[] = [];
      context.on('console', (msg) => {
        const text = msg.text();
        if (/Content Security Policy/i.test(text) && !/frame-ancestors/.test(text)) violations.push(`${msg.page()?.url() ?? ''}: ${text}`);
      });
      await use(violations);
      expect(violations, 'the app broke its own Content Security Policy').toEqual([]);
    },
    { auto: true },
  ],
});
