// Browser tests: real clerk-js and Clerk's prebuilt components against the app's production build.
// `npm test` runs them after starting the test stack and `next start` in both integration modes
// (APP_URL_THIRD_PARTY, APP_URL_TEMPLATE); `npm run test:e2e:live` runs the same specs against a real
// Clerk development instance and hosted Supabase (see the README's "End-to-end tests").
import { defineConfig, devices } from '@playwright/test';
import { accounts, appUrls, chromiumExecutable, live, loadE2eEnv } from './tests/e2e/support/env.ts';

loadE2eEnv();
accounts(); // fail early, with the variable's name, when a live run lacks credentials

const { thirdParty: thirdPartyUrl, template: templateUrl } = appUrls();
const executablePath = chromiumExecutable();

export default defineConfig({
  testDir: 'tests/e2e',
  // Per stack instance: Playwright empties its output folder at start, and runs may share a checkout.
  outputDir: `test-results/e2e${process.env.LOCAL_STACK_INSTANCE && process.env.LOCAL_STACK_INSTANCE !== '0' ? `-${process.env.LOCAL_STACK_INSTANCE}` : ''}`,
  // Three browsers at most. token-expiry.spec.ts spends a minute per mode mostly asleep, waiting for
  // tokens to expire, as an account each mode makes for itself: both modes run beside the rest, and so
  // does the example app (a stack of its own) once a worker is free. The rest share seeded accounts: one
  // spec at a time (third-party, then template: one worker each).
  workers: 3,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  // Several sign-ins per test on a shared two-core machine; Playwright's own waits keep tests fast when it is idle.
  timeout: 180_000,
  expect: { timeout: 15_000 },
  globalSetup: './tests/e2e/support/global-setup.ts',
  reporter: [['list']],
  use: {
    ...devices['Desktop Chrome'],
    screenshot: 'only-on-failure',
    // A failed test keeps its trace: DOM snapshots, network and console for every step. Not the screencast
    // film strip: recording it for every test cost a seventh of the e2e step's CPU (docs/e2e.md).
    trace: { mode: 'retain-on-failure', screenshots: false },
    actionTimeout: 20_000,
    navigationTimeout: 45_000,
    launchOptions: {
      executablePath,
      // --no-sandbox: Chromium refuses to run as root (CI containers) with its sandbox on.
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  projects: [
    // Live runs leave out what needs the local stand-in: sign-up (email verification), the Frontend API
    // coverage and token-expiry (a shortened token lifetime).
    {
      name: 'third-party',
      use: { baseURL: thirdPartyUrl },
      workers: 1,
      testIgnore: live ? /fapi-coverage|sign-up|token-expiry/ : /fapi-coverage|token-expiry/,
    },
    // JWT-template mode: the sign-in and tasks flow again, with HS256 template tokens.
    ...(templateUrl
      ? [
          {
            name: 'template',
            use: { baseURL: templateUrl },
            workers: 1,
            dependencies: ['third-party'],
            grep: /@both-modes/,
            testIgnore: /fapi-coverage|token-expiry/,
          },
        ]
      : []),
    ...(live
      ? []
      : [
          // Beside the others and each other, each mode as an account of its own. No dependencies: Playwright
          // starts a project that has some only once every project without them has ended.
          { name: 'token-expiry', testMatch: /token-expiry/, use: { baseURL: thirdPartyUrl }, workers: 1 },
          ...(templateUrl ? [{ name: 'token-expiry-template', testMatch: /token-expiry/, use: { baseURL: templateUrl }, workers: 1 }] : []),
          // Beside them too: the local-stack package's example app, on a stack and accounts of its own
          // (packages/local-stack/example).
          { name: 'local-stack-example', testDir: 'packages/local-stack/test/e2e', workers: 1 },
          // Last: every Frontend API call the browsers made was one the local stand-in knows.
          {
            name: 'fapi-coverage',
            testMatch: /fapi-coverage/,
            dependencies: [
              'third-party',
              ...(templateUrl ? ['template', 'token-expiry-template'] : []),
              'token-expiry',
              'local-stack-example',
            ],
          },
        ]),
  ],
  ...(live && !process.env.APP_URL_THIRD_PARTY
    ? {
        webServer: {
          command: 'npm run build && npm run start -- --port 3000',
          url: 'http://localhost:3000',
          reuseExistingServer: true,
          timeout: 300_000,
        },
      }
    : {}),
});
