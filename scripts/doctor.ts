// `npm run doctor`: finds which of the well-known Clerk + Supabase mistakes you have hit, against the
// local stack or your hosted Clerk instance and Supabase project, and says how to fix it.
//
// It reads the configuration the app reads (process env, then .env.local, then .env; with none of
// them pointing at a Supabase project, the running local stack's .local/stack.env), then checks in
// order and stops at the first failure, because every later check depends on the earlier ones:
//   project files -> env -> Clerk keys -> data API -> [template] -> token -> whoami -> tables
//   -> policies -> profile -> Supabase Auth sign-ups -> the Edge Function -> [hosted] the webhook URL
//
//   node scripts/doctor.ts [--env-file FILE] [--token JWT | --user user_... [--org org_...]] [--no-color]
//
// It only reads, except for one idempotent call: ensure_user_profile() for the test user, which
// the app itself makes on every signed-in request, and one unsigned event posted to the deployment's
// webhook route, which refuses it. Secrets are never printed.
// Runs on Node 24 type stripping: no build step, and it talks to every service (hosted or the local
// stack) over HTTP and SQL only, so it works from a deployed checkout as well.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CAUSES, problem, Problem } from './doctor/causes.ts';
import { clerkHostFromPublishableKey, loadConfig, type Ctx, type Loaded } from './doctor/config.ts';
import { checkClerkKeys, checkDataApi, checkEnv, checkTemplateDefinition } from './doctor/checks-setup.ts';
import { checkToken, checkWhoami, obtainToken } from './doctor/checks-token.ts';
import { checkProfile, checkTables } from './doctor/checks-database.ts';
import { checkEdgeFunction, checkSignups } from './doctor/checks-services.ts';
import { checkProjectFiles, checkWebhookEndpoint } from './doctor/checks-deployment.ts';

export { CAUSES, type CauseId } from './doctor/causes.ts';

const DEFAULT_USER = 'user_alice';

interface Step {
  key: string;
  title: string;
  run: (ctx: Ctx) => Promise<string>;
  when?: (ctx: Ctx) => boolean;
}

const STEPS: Step[] = [
  { key: 'files', title: 'Project files', run: checkProjectFiles },
  { key: 'env', title: 'Environment variables', run: checkEnv },
  { key: 'clerk', title: 'Clerk keys', run: checkClerkKeys },
  { key: 'api', title: 'Supabase data API', run: checkDataApi },
  { key: 'template', title: 'JWT template', run: checkTemplateDefinition, when: (ctx) => Boolean(ctx.template) },
  { key: 'token', title: 'Test user token', run: checkToken },
  { key: 'whoami', title: 'What Postgres sees', run: checkWhoami },
  { key: 'tables', title: 'RLS and GRANTs', run: checkTables },
  { key: 'profile', title: 'ensure_user_profile()', run: checkProfile },
  { key: 'signups', title: 'Supabase Auth sign-ups', run: checkSignups },
  { key: 'function', title: 'Edge Function task-report', run: checkEdgeFunction },
  { key: 'webhook', title: 'Clerk webhook endpoint', run: checkWebhookEndpoint, when: (ctx) => !ctx.local },
];

const HELP = `npm run doctor [-- options]

Checks the configuration the app uses (process env, .env.local, .env; else the local stack's
.local/stack.env) against Clerk and Supabase, and names the first problem and its fix.

  --env-file FILE   read this file instead of .env.local/.env (process env still wins)
  --token JWT       a Clerk session token (third-party mode) or template token (template mode) of a
                    test user; also DOCTOR_TOKEN. In the browser console of your signed-in app:
                    await window.Clerk.session.getToken()            (third-party mode)
                    await window.Clerk.session.getToken({ template: 'supabase' })   (template mode)
  --user ID         the test user (default ${DEFAULT_USER} locally; hosted: doctor creates a short test
                    session for this Clerk user id through the Backend API)
  --org ID          the test user's active organisation (local default: org_acme)
  --print-token     only print a token for --user (10 minutes; for the README's curl checklist)
  --hosted          run the hosted checks even against services on this machine
  --no-color        plain output (also NO_COLOR=1; colour is only used on a terminal)
`;

const OPTIONS = {
  'env-file': { type: 'string' },
  token: { type: 'string' },
  user: { type: 'string' },
  org: { type: 'string' },
  'no-color': { type: 'boolean' },
  'print-token': { type: 'boolean' },
  hosted: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function main(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS }>>['values'];
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS }));
  } catch (e) {
    // A misspelt flag is the caller's mistake, not a crash: say which, and where the list is.
    if (!(e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS_')) throw e;
    process.stderr.write(`doctor: ${(e as Error).message}. See node scripts/doctor.ts --help.\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const colour = Boolean(process.stdout.isTTY) && !values['no-color'] && !process.env.NO_COLOR;
  const paint = (code: string, s: string) => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
  const mark = { ok: paint('32', '✓'), fail: paint('31', '✗'), warn: paint('33', '!'), skip: paint('2', '-') };
  const print = (line = '') => process.stdout.write(`${line}\n`);

  let loaded: Loaded;
  try {
    loaded = await loadConfig(values['env-file']);
  } catch (e) {
    if (!(e instanceof Problem)) throw e;
    print(`${mark.fail} ${e.message}\n    fix    ${e.fix}`);
    print(`\n${paint('31', `doctor: FAILED - ${e.cause}`)}`);
    return 1;
  }
  const env = loaded.env;
  // A Clerk instance on a .localhost Frontend API (the local stack's stand-in) is this machine's own.
  const local = !values.hosted && /(^|\.)localhost$/.test(clerkHostFromPublishableKey(env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY ?? '') ?? '');
  const ctx: Ctx = {
    env,
    local,
    projectDir: process.cwd(),
    template: env.CLERK_SUPABASE_TEMPLATE ?? null,
    supabaseUrl: env.NEXT_PUBLIC_SUPABASE_URL ?? '',
    apikey: env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY ?? '',
    clerkHost: clerkHostFromPublishableKey(env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY ?? '') ?? '',
    clerkApiUrl: (env.CLERK_API_URL ?? 'https://api.clerk.com').replace(/\/+$/, ''),
    args: {
      token: values.token ?? env.DOCTOR_TOKEN,
      user: values.user ?? DEFAULT_USER,
      userGiven: Boolean(values.user),
      org: values.org ?? (local && !values.user ? 'org_acme' : undefined),
    },
    warnings: [],
    cleanups: [],
  };

  if (values['print-token']) {
    // For scripts: the token on stdout, or the reason on stderr. The session is left to expire
    // with the token, so no cleanup runs here.
    ctx.args.lifetime = 600;
    try {
      if (!ctx.local && !ctx.args.userGiven && !ctx.args.token)
        throw problem(
          'no-token',
          '--print-token needs --user <Clerk user id> against hosted services.',
          'Clerk Dashboard -> Users -> a user -> copy the User ID.',
        );
      print(await obtainToken(ctx));
      return 0;
    } catch (e) {
      process.stderr.write(`${e instanceof Problem ? `${e.cause}: ${e.message}\n  fix: ${e.fix}` : String(e)}\n`);
      return 1;
    }
  }

  print(
    paint(
      '1',
      `npm run doctor: ${local ? `local stack (${ctx.clerkHost})` : `hosted (${ctx.supabaseUrl || 'no Supabase URL'})`}, ${ctx.template ? `JWT-template mode (${ctx.template})` : 'third-party mode'}`,
    ),
  );
  print(paint('2', `  configuration from: ${[...loaded.sources].reverse().concat('process env').join(', ')}`));
  let failed: Problem | null = null;
  const width = Math.max(...STEPS.map((s) => s.title.length)) + 2;
  try {
    for (const step of STEPS) {
      if (step.when && !step.when(ctx)) continue;
      if (failed) {
        print(`  ${mark.skip} ${step.title.padEnd(width)}${paint('2', 'not checked (fix the problem above first)')}`);
        continue;
      }
      const warningsBefore = ctx.warnings.length;
      try {
        const detail = await step.run(ctx);
        print(`  ${mark.ok} ${step.title.padEnd(width)}${detail}`);
      } catch (e) {
        failed =
          e instanceof Problem
            ? e
            : problem(
                'unexpected-error',
                `${step.title}: ${e instanceof Error ? e.message : String(e)}`,
                'Run again; if it persists, please open an issue with this output.',
              );
        print(`  ${mark.fail} ${step.title.padEnd(width)}${paint('31', `${failed.cause}: ${CAUSES[failed.cause]}`)}`);
        print(`      ${failed.message}`);
        print(`      ${paint('1', 'fix')} ${failed.fix}`);
      }
      for (const w of ctx.warnings.slice(warningsBefore)) {
        print(`    ${mark.warn} ${paint('33', w.cause)}: ${w.message}`);
        print(`      ${paint('1', 'fix')} ${w.fix}`);
      }
    }
  } finally {
    for (const c of ctx.cleanups) await c();
  }
  print();
  if (failed) {
    print(paint('31', `doctor: FAILED - ${failed.cause}: ${CAUSES[failed.cause]}`));
    return 1;
  }
  print(
    paint(
      '32',
      `doctor: all checks passed${ctx.warnings.length ? ` (${ctx.warnings.length} warning${ctx.warnings.length > 1 ? 's' : ''})` : ''}`,
    ),
  );
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`doctor crashed: ${e instanceof Error ? e.stack : String(e)}`);
      process.exit(2);
    },
  );
}
