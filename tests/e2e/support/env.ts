// Where the e2e suite points, and as whom it signs in.
//   Local (default): the test stack (its env file: layout('test').envFile) and the two production
//   servers tests/run.ts started (APP_URL_THIRD_PARTY / APP_URL_TEMPLATE), seeded accounts.
//   Live (E2E_LIVE=1, `npm run test:e2e:live`): your real Clerk development instance and hosted
//   Supabase from .env.local / .env.test.local, with the E2E_* test users described in docs/e2e.md.
import fs from 'node:fs';
import path from 'node:path';
import { LOCAL_PASSWORD, seedAccounts, seedOrgs } from 'clerk-supabase-local-stack';
import { readEnvFile } from 'clerk-supabase-local-stack';
import { layout, projectRoot } from 'clerk-supabase-local-stack';

export const live = process.env.E2E_LIVE === '1' || process.env.npm_lifecycle_event === 'test:e2e:live';

/** Fills process.env (without overriding what is already set) and says where the env came from. */
export function loadE2eEnv(): string[] {
  const files = live
    ? ['.env.test.local', '.env.local'].map((f) => path.join(projectRoot, f))
    : [process.env.LOCAL_STACK_ENV_FILE ?? layout('test').envFile, path.join(layout('test').dir, 'apps.env')];
  for (const file of files) for (const [k, v] of Object.entries(readEnvFile(file))) process.env[k] ??= v;
  if (!live && !process.env.CLERK_FAPI_URL) {
    throw new Error(
      `No running test stack (${files[0]} is missing). Run \`npm test\`, or \`LOCAL_STACK_PROFILE=test npm run stack:up\` plus the app (see docs/e2e.md).`,
    );
  }
  return files.filter((f) => fs.existsSync(f));
}

export interface Account {
  email: string;
  password: string;
}

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: the live e2e run needs it in .env.test.local (see docs/e2e.md).`);
  return v;
}

/** alice: admin of the shared organisation; bob: a member of it (seeded locally, E2E_* live). */
export function accounts(): { alice: Account; bob: Account; orgName: string } {
  if (live) {
    return {
      alice: { email: required('E2E_ADMIN_EMAIL'), password: required('E2E_ADMIN_PASSWORD') },
      bob: { email: required('E2E_MEMBER_EMAIL'), password: required('E2E_MEMBER_PASSWORD') },
      orgName: required('E2E_ORG_NAME'),
    };
  }
  const email = (id: string) => seedAccounts.find((a) => a.id === id)!.email;
  return {
    alice: { email: email('user_alice'), password: LOCAL_PASSWORD },
    bob: { email: email('user_bob'), password: LOCAL_PASSWORD },
    orgName: seedOrgs[0].name,
  };
}

/** The apps under test: third-party mode always, JWT-template mode when tests/run.ts started it. */
export function appUrls(): { thirdParty: string; template: string | undefined } {
  return {
    thirdParty: process.env.APP_URL_THIRD_PARTY ?? process.env.APP_URL ?? 'http://localhost:3000',
    template: process.env.APP_URL_TEMPLATE,
  };
}

/** The Chromium to drive: Debian's package where it exists (no browser downloads here), else Playwright's. */
export function chromiumExecutable(): string | undefined {
  const fromEnv = process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE;
  if (fromEnv) return fromEnv;
  return fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}
