// The JSON API called as the signed-in page's own script calls it: fetch() inside the page, so the
// browser sends what it sends for the app's requests (its cookies, Origin, Sec-Fetch-Site:
// same-origin). Playwright's page.request shares the cookies but is no browser request (no
// Sec-Fetch-*), and the server cannot tell it from an old browser's request caused by another site.
import type { Page } from '@playwright/test';

export interface PageApiResponse {
  status: number;
  text: string;
  json: () => unknown;
  headers: Record<string, string>;
}

export async function apiFromPage(page: Page, method: string, path: string, body?: unknown): Promise<PageApiResponse> {
  const res = await page.evaluate(
    async ([m, p, b]) => {
      const r = await fetch(p, {
        method: m,
        ...(b === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) }),
      });
      return { status: r.status, text: await r.text(), headers: Object.fromEntries(r.headers) };
    },
    [method, path, body] as const,
  );
  return { ...res, json: () => JSON.parse(res.text) };
}

/** For a failed expectation: what Clerk decided (x-clerk-auth-*) and what the app answered, so a rare
 * refusal names its cause instead of just "401". */
export function clerkDecision(res: PageApiResponse) {
  const h = res.headers;
  return `${res.status} ${res.text} | x-clerk-auth-status: ${h['x-clerk-auth-status'] ?? '-'}, x-clerk-auth-reason: ${h['x-clerk-auth-reason'] ?? '-'} ${h['x-clerk-auth-message'] ?? ''}`;
}
