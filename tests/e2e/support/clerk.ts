// Signing in and out the two ways Clerk's users do in browser tests: by clicking through Clerk's own
// <SignIn/> form, and with @clerk/testing (`clerk.signIn`), which drives clerk-js in the page.
import { clerk, setupClerkTestingToken } from '@clerk/testing/playwright';
import { expect, type Page } from '@playwright/test';
import { live, type Account } from './env.ts';

/** Clerk's prebuilt form: email, Continue, password, Continue. Leaves the page wherever Clerk sends it. */
export async function fillClerkSignIn(page: Page, account: Account, password = account.password) {
  const identifier = page.locator('input[name=identifier]');
  await expect(identifier).toBeVisible();
  await identifier.fill(account.email);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  const pw = page.locator('input[name=password]');
  await expect(pw).toBeVisible();
  await pw.fill(password);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
}

/**
 * @clerk/testing's sign-in: loads a page with clerk-js, signs in, opens `then`. Locally with the password;
 * live with an e-mail code, which Device Trust never interrupts: for a `+clerk_test` address on a
 * development instance @clerk/testing enters the fixed code 424242 itself.
 */
export async function signIn(page: Page, account: Account, then = '/dashboard') {
  await setupClerkTestingToken({ page });
  await page.goto('/');
  const signInParams = live
    ? ({ strategy: 'email_code', identifier: account.email } as const)
    : ({ strategy: 'password', identifier: account.email, password: account.password } as const);
  await clerk.signIn({ page, signInParams });
  // Let clerk-js finish what setActive started: leaving mid-request makes it write signed-out cookies.
  await page.waitForLoadState('networkidle');
  await page.goto(then);
  await expect(page).toHaveURL(new RegExp(`${then}$`));
}

/** Sign out through <UserButton/>'s menu, as a person would. */
export async function signOutThroughMenu(page: Page) {
  // clerk-js and the UI bundle load after the page; on a busy machine that takes a while.
  await expect(page.locator('.cl-userButtonTrigger')).toBeVisible({ timeout: 60_000 });
  await page.locator('.cl-userButtonTrigger').click();
  await page
    .getByRole('menuitem', { name: 'Sign out' })
    .or(page.getByRole('button', { name: 'Sign out' }))
    .click();
  await expect(page.locator('.cl-userButtonTrigger')).toHaveCount(0);
  // The next request must not race clerk-js's own cookie update: wait until the browser tells the
  // server "signed out" (__client_uat=0, no __session), as it will for every request from now on.
  await page.waitForFunction(() => /(^|; )__client_uat=0(;|$)/.test(document.cookie) && !/(^|; )__session=/.test(document.cookie));
}

/** The token the app's browser code would hand to Supabase in this integration mode. */
export function supabaseToken(page: Page, template: string | null) {
  return page.evaluate(async (t) => {
    const session = (window as unknown as { Clerk: { session: { getToken(o?: { template: string }): Promise<string | null> } } }).Clerk
      .session;
    return session.getToken(t ? { template: t } : undefined);
  }, template);
}
