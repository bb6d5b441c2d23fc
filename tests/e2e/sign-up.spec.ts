// Sign-up through Clerk's <SignUp/> form, then signing in again with the new account. Local only: a
// live instance verifies new email addresses (playwright.config.ts leaves this file out there).
import { expect, test } from './support/test.ts';
import { fillClerkSignIn, signOutThroughMenu } from './support/clerk.ts';

test('a new account signs up with a password, lands on an empty dashboard, and can sign in again', async ({ page }) => {
  const account = { email: `e2e-${Date.now().toString(36)}@example.test`, password: 'a-long-test-password' };
  await page.goto('/sign-up');
  await page.locator('input[name=emailAddress]').fill(account.email);
  await page.locator('input[name=password]').fill(account.password);
  // Clerk's form then checks the password and shows its verdict under the field, which moves the
  // Continue button down: a click made while it moves can miss the button and submit nothing. A
  // person clicks once the verdict is shown; so does this test.
  await expect(page.getByText('Your password meets all the necessary requirements').first()).toBeVisible();
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByText('No tasks yet')).toBeVisible();
  await signOutThroughMenu(page);

  await page.goto('/sign-in');
  await fillClerkSignIn(page, account);
  await expect(page).toHaveURL(/\/dashboard$/);
});
