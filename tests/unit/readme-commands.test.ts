// Every command in the guide's shell blocks (the README and docs/*.md) must be exercised by a test. This is the reviewed map
// from each command, exactly as written, to the test file that runs it (and a string that file must
// contain: the command or script name). A new or changed command in the README fails here until
// someone adds it with the test that proves it works; a test file that no longer mentions its
// command fails too. Commands that cannot run here (they need a Supabase account or the network)
// are listed apart, each with the reason and what is checked instead.
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { commands, guide, section } from '../support/readme.ts';
import ts from 'typescript';
import { CAUSES } from '../../scripts/doctor.ts';
import { LINK_PROJECT, PUSH_TO_LINKED, PUSH_TO_URL } from '../../scripts/doctor/hosted-commands.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** A TypeScript file's text with every comment removed (TypeScript's own scanner, so strings and URLs stay). */
function withoutComments(file: string): string {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, fs.readFileSync(file, 'utf8'));
  let out = '';
  // `}` closes either a block or a template's ${...}: only in the second case does the template go on.
  const open: ('block' | 'template')[] = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.CloseBraceToken && open.pop() === 'template') kind = scanner.reScanTemplateToken(false);
    if (kind === ts.SyntaxKind.OpenBraceToken) open.push('block');
    if (kind === ts.SyntaxKind.TemplateHead || kind === ts.SyntaxKind.TemplateMiddle) open.push('template');
    if (kind !== ts.SyntaxKind.SingleLineCommentTrivia && kind !== ts.SyntaxKind.MultiLineCommentTrivia) out += scanner.getTokenText();
  }
  return out;
}

interface Exercised {
  test: string;
  /** What the test file must contain: the command, script name or URL it exercises. */
  needle: string;
}

const VERIFY_DB = { test: 'tests/db/readme-verify.test.ts', needle: "section('verify')" };
const VERIFY_APP = { test: 'tests/app/readme-verify.test.ts', needle: '$APP/api/me' };
const APP_CURLS = { test: 'tests/app/readme-verify.test.ts', needle: "section('app')" };
const LIVE_E2E_ENV = (name: string) => ({ test: 'tests/e2e/support/env.ts', needle: `required('${name}')` });
const QUICKSTART_CURL = { test: 'tests/db/readme-verify.test.ts', needle: 'local:token -- --user user_alice' };

export const EXERCISED: Record<string, Exercised> = {
  // Quickstart, and the local stack on its own (docs/local-stack.md)
  'git clone "$REPO_URL" clerk-supabase-reference && cd clerk-supabase-reference': {
    test: 'tests/app/dev-command.test.ts',
    needle: "startsWith('git clone')",
  },
  'npm run dev': { test: 'tests/app/dev-command.test.ts', needle: "['run', 'dev']" },
  'npm test': { test: 'tests/unit/run-results.test.ts', needle: "path.join(projectRoot, 'tests/run.ts')" },
  'npm run stack:up': { test: 'packages/local-stack/test/db/stack-cli.test.ts', needle: "npm('stack:up')" },
  'npm run db:reset': { test: 'packages/local-stack/test/db/stack-cli.test.ts', needle: "npm('db:reset')" },
  'npm run stack:status': { test: 'packages/local-stack/test/db/stack-cli.test.ts', needle: "npm('stack:status')" },
  'npm run stack:down': { test: 'packages/local-stack/test/db/stack-cli.test.ts', needle: "npm('stack:down')" },
  'npm run local:token -- --user user_alice --org org_acme --org-role admin': {
    test: 'packages/local-stack/test/db/stack-cli.test.ts',
    needle: "'local:token', '--user', 'user_alice', '--org', 'org_acme', '--org-role', 'admin'",
  },
  "source <(grep -E '^NEXT_PUBLIC_SUPABASE_(URL|PUBLISHABLE_KEY)=' .local/stack.env | sed 's/^/export /')": QUICKSTART_CURL,
  'curl -s "$NEXT_PUBLIC_SUPABASE_URL/rest/v1/tasks?select=title" -H "apikey: $NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY" -H "Authorization: Bearer $(npm run -s local:token -- --user user_alice)"':
    QUICKSTART_CURL,
  // How the app connects Clerk to Supabase (docs/architecture.md): run against the production build
  'curl -H "Authorization: Bearer $(npm run -s local:token -- --user user_alice)" localhost:3000/api/tasks': APP_CURLS,
  'curl -H "Authorization: Bearer $(npm run -s local:token -- --user user_bob --org org_acme)" localhost:3000/api/projects': APP_CURLS,
  'curl -H "Authorization: Bearer $(npm run -s local:token -- --user user_alice)" localhost:3000/api/me': APP_CURLS,
  // End-to-end tests (docs/e2e.md; the live run needs a Clerk account; these are the variables its config reads)
  'npm run test:e2e': { test: 'tests/run.ts', needle: "step('e2e'" },
  'E2E_ADMIN_EMAIL=you+clerk_test_admin@example.com': LIVE_E2E_ENV('E2E_ADMIN_EMAIL'),
  'E2E_ADMIN_PASSWORD=...': LIVE_E2E_ENV('E2E_ADMIN_PASSWORD'),
  'E2E_MEMBER_EMAIL=you+clerk_test_member@example.com': LIVE_E2E_ENV('E2E_MEMBER_EMAIL'),
  'E2E_MEMBER_PASSWORD=...': LIVE_E2E_ENV('E2E_MEMBER_PASSWORD'),
  'E2E_ORG_NAME=Your org name': LIVE_E2E_ENV('E2E_ORG_NAME'),
  'E2E_OUTSIDER_EMAIL=you+clerk_test_outsider@example.com': {
    test: 'tests/e2e/online-now.live.spec.ts',
    needle: 'process.env.E2E_OUTSIDER_EMAIL',
  },
  'E2E_OUTSIDER_PASSWORD=...': { test: 'tests/e2e/online-now.live.spec.ts', needle: 'process.env.E2E_OUTSIDER_PASSWORD' },
  'E2E_OUTSIDER_ORG_NAME=Another org name': { test: 'tests/e2e/online-now.live.spec.ts', needle: 'process.env.E2E_OUTSIDER_ORG_NAME' },
  // Going hosted
  [PUSH_TO_URL]: { test: 'tests/db/hosted-migrate.test.ts', needle: 'PUSH_TO_URL' },
  'npm run doctor -- --user <a Clerk user id>': { test: 'tests/db/doctor.test.ts', needle: "'--user', 'user_carol'" },
  'npm run doctor -- --token <a token less than a minute old>': { test: 'tests/db/doctor.test.ts', needle: "'--token'" },
  // Edge Functions (docs/edge-functions.md)
  'curl -s -X POST "$NEXT_PUBLIC_SUPABASE_URL/functions/v1/task-report" -H "Authorization: Bearer $(npm run -s local:token -- --user user_alice)"':
    { test: 'tests/db/edge-function.test.ts', needle: "'local:token', '--', '--user', 'user_alice'" },
  // Verification checklist: run verbatim (see the test files)
  'set -a; source .env.local; set +a': VERIFY_DB,
  'USER_A=user_...': VERIFY_DB,
  'USER_B=user_...': VERIFY_DB,
  'TOKEN_A=$(npm run -s doctor -- --print-token --user "$USER_A")': VERIFY_DB,
  'TOKEN_B=$(npm run -s doctor -- --print-token --user "$USER_B")': VERIFY_DB,
  'REST="$NEXT_PUBLIC_SUPABASE_URL/rest/v1"; KEY="apikey: $NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY"': VERIFY_DB,
  'curl -s -o /dev/null -w \'%{http_code}\\n\' -X DELETE "$REST/tasks?title=eq.checklist" -H "$KEY" -H "Authorization: Bearer $TOKEN_A"':
    VERIFY_DB,
  'curl -s -o /dev/null -w \'%{http_code}\\n\' "$REST/tasks?select=id" -H "$KEY"': VERIFY_DB,
  'curl -s -o /dev/null -w \'%{http_code}\\n\' -X POST "$REST/tasks" -H "$KEY" -H "Authorization: Bearer $TOKEN_A" -H \'Content-Type: application/json\' -d \'{"title":"checklist"}\'':
    VERIFY_DB,
  'curl -s -w \' %{http_code}\\n\' "$REST/tasks?select=user_id&user_id=neq.$USER_A" -H "$KEY" -H "Authorization: Bearer $TOKEN_A"':
    VERIFY_DB,
  'curl -s -o /dev/null -w \'%{http_code}\\n\' -X POST "$REST/tasks" -H "$KEY" -H "Authorization: Bearer $TOKEN_A" -H \'Content-Type: application/json\' -d "{\\"title\\":\\"forged\\",\\"user_id\\":\\"$USER_B\\"}"':
    VERIFY_DB,
  'curl -s -w \' %{http_code}\\n\' "$REST/tasks?select=id&title=eq.checklist" -H "$KEY" -H "Authorization: Bearer $TOKEN_B"': VERIFY_DB,
  'curl -s -w \' %{http_code}\\n\' -X DELETE "$REST/tasks?title=eq.checklist&select=title" -H "$KEY" -H "Authorization: Bearer $TOKEN_B" -H \'Prefer: return=representation\'':
    VERIFY_DB,
  'curl -s -w \' %{http_code}\\n\' -X DELETE "$REST/tasks?title=eq.checklist&select=title" -H "$KEY" -H "Authorization: Bearer $TOKEN_A" -H \'Prefer: return=representation\'':
    VERIFY_DB,
  'APP=https://<your app domain>': VERIFY_APP,
  'curl -s -o /dev/null -w \'%{http_code}\\n\' "$APP/api/tasks"': VERIFY_APP,
  'curl -s -o /dev/null -w \'%{http_code}\\n\' "$APP/api/tasks" -H "Authorization: Bearer $TOKEN_A"': VERIFY_APP,
  'curl -s "$APP/api/me" -H "Authorization: Bearer $TOKEN_A"': VERIFY_APP,
};

/** Commands that need an account or the network. Each says why, and what is checked instead. */
export const NOT_RUNNABLE_HERE: Record<string, string> = {
  'REPO_URL=https://github.com/your-org/clerk-supabase-reference.git':
    "a placeholder for your copy's URL; tests/app/dev-command.test.ts runs the clone line with REPO_URL set to this checkout",
  'npx supabase login': 'needs a Supabase account; the command and its CLI version are checked with --help below',
  [LINK_PROJECT]: 'needs a Supabase project; --project-ref is checked with --help below',
  [PUSH_TO_LINKED]:
    'needs a linked Supabase project; tests/db/hosted-migrate.test.ts runs it unlinked and checks that the pinned CLI asks for the linked project, never the local database',
  'npx supabase secrets set CLERK_ISSUER=https://<your Clerk Frontend API host> CLERK_JWT_KEY="<your CLERK_JWT_KEY>" CLERK_AUTHORIZED_PARTIES=https://<your app domain>':
    'needs a Supabase project; `secrets set` is checked with --help below',
  'npx supabase functions deploy task-report --no-verify-jwt':
    'needs a Supabase project; --no-verify-jwt is checked with --help below, and the function runs on Deno in tests/db/edge-function.test.ts',
};

describe('README commands', () => {
  const found = [...new Set(commands(guide()))];

  it('every command in the README is exercised by a test (or listed as not runnable here, with a reason)', () => {
    const unmapped = found.filter((c) => !(c in EXERCISED) && !(c in NOT_RUNNABLE_HERE));
    expect(unmapped, 'add these to EXERCISED with the test that runs them').toEqual([]);
  });

  it('the map has no stale entries', () => {
    const stale = [...Object.keys(EXERCISED), ...Object.keys(NOT_RUNNABLE_HERE)].filter((c) => !found.includes(c));
    expect(stale, 'these commands are no longer in the README: remove them from the map').toEqual([]);
  });

  it('each test file exists and contains its command or script name', () => {
    for (const [command, { test, needle }] of Object.entries(EXERCISED)) {
      const file = path.join(root, test);
      expect(fs.existsSync(file), `${test} (for \`${command}\`) is missing`).toBe(true);
      // In its code: a comment that names the command exercises nothing.
      expect(withoutComments(file), `${test} does not mention ${needle} in its code (for \`${command}\`)`).toContain(needle);
    }
  });

  it('every npm script the README runs exists in package.json', () => {
    const scripts = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const used = found.flatMap((c) => [...c.matchAll(/npm run(?: -s)? ([\w:-]+)/g)].map((m) => m[1]));
    expect(used.filter((s) => !(s in scripts))).toEqual([]);
  });

  // One CLI process per command, in parallel: a generous deadline, so a busy machine is slower, not failing.
  it('every Supabase CLI command in the guide exists in the pinned CLI, with each flag it uses', { timeout: 300_000 }, async () => {
    const cli = path.join(root, 'node_modules/.bin/supabase');
    const help = async (words: string[]) =>
      (
        await promisify(execFile)(cli, [...words, '--help'], {
          encoding: 'utf8',
          env: { ...process.env, SUPABASE_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
        })
      ).stdout;
    const cliCommands = found.filter((c) => c.startsWith('npx supabase '));
    expect(cliCommands.length).toBeGreaterThanOrEqual(6);
    const missing = await Promise.all(
      cliCommands.map(async (command) => {
        const args = command.replace(/^npx supabase /, '').split(/\s+/);
        const firstArg = args.findIndex((a) => a.startsWith('-') || /[<$=]/.test(a));
        const words = firstArg === -1 ? args : args.slice(0, firstArg);
        const text = await help(words);
        if (!/USAGE/.test(text)) return [`${command}: supabase ${words.join(' ')} is not a command of the pinned CLI`];
        return args
          .filter((a) => a.startsWith('--'))
          .map((a) => a.split('=')[0])
          .filter((flag) => !text.includes(flag))
          .map((flag) => `${command}: ${flag}`);
      }),
    );
    expect(missing.flat()).toEqual([]);
  });

  it('the hosted migration commands are the ones doctor prints (scripts/doctor/hosted-commands.ts), and every db push in the guide says --remote', () => {
    for (const command of [LINK_PROJECT, PUSH_TO_LINKED, PUSH_TO_URL]) expect(found, command).toContain(command);
    // The pinned CLI pushes to the local database unless told --remote (its `db push --help`: "TARGET Local by default").
    expect(found.filter((c) => /\bsupabase db push\b/.test(c) && !/\s--remote\b/.test(c))).toEqual([]);
  });
});

describe('README pitfalls table', () => {
  const table = section('pitfalls');
  const rows = table.split('\n').filter((l) => l.startsWith('|') && !l.startsWith('| Symptom') && !l.startsWith('| ---'));
  const ids = rows
    .map((l) => /\|\s*([^|]*?)\s*\|\s*$/.exec(l)![1])
    .flatMap((cell) => [...cell.matchAll(/`([a-z][a-z-]+)`/g)].map((x) => x[1]));

  it('names only causes doctor knows', () => {
    expect(ids.length).toBeGreaterThan(10);
    expect(ids.filter((id) => !(id in CAUSES))).toEqual([]);
  });

  it('every cause in the table is reproduced by the doctor tests', () => {
    const tests = fs.readFileSync(path.join(root, 'tests/db/doctor.test.ts'), 'utf8');
    const untested = ids.filter((id) => !tests.includes(`toBe('${id}')`) && !tests.includes(`! ${id}`));
    expect(untested).toEqual([]);
  });
});
