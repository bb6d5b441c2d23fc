#!/usr/bin/env node
// The `local-stack` command (the app's npm scripts call it). USAGE, at the bottom, lists its commands.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { layout, projectRoot, type StackLayout } from './paths.ts';
import { CONTROL_SECRET_HEADER } from './control-auth.ts';
import { httpOk, startStack } from './stack.ts';
import { migrate, RESET_SQL } from './migrate.ts';
import { readEnvFile } from './env-file.ts';
import { openPrivateLog, privateLog } from './private-files.ts';
import { runsAsRoot } from './postgres-as-root.ts';
import { redactedDatabaseUrl, withSuperuser } from './postgres.ts';
import { LOCAL_PASSWORD, seedAccountRoles, seedAccounts } from './clerk/store.ts';
import { loadKeys } from './keys.ts';
import { mintSessionToken, mintTemplateToken } from './clerk/tokens.ts';
import { randomBytes } from 'node:crypto';
import { discoverFunctions } from './functions/config.ts';

function pidAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function runningPid(stackLayout: StackLayout): number | null {
  if (!fs.existsSync(stackLayout.pidFile)) return null;
  const pid = Number(fs.readFileSync(stackLayout.pidFile, 'utf8'));
  return pid && pidAlive(pid) ? pid : null;
}

function fail(message: string): never {
  console.error(`\x1b[31m✗\x1b[0m ${message}`);
  process.exit(1);
}

function summary(stackLayout: StackLayout, env: Record<string, string>) {
  const rows = [
    ['Data API (Supabase URL)', `${env.NEXT_PUBLIC_SUPABASE_URL}/rest/v1`],
    ...discoverFunctions(stackLayout.ports.functions).map((fn) => [
      `Edge Function ${fn.name}`,
      `${env.NEXT_PUBLIC_SUPABASE_URL}/functions/v1/${fn.name} (Deno${fn.verifyJwt ? '' : ', verify_jwt off'})`,
    ]),
    ['Postgres', `${redactedDatabaseUrl(env.SUPABASE_DB_URL)} (SUPABASE_DB_URL in the env file)`],
    ['Clerk Backend API', env.CLERK_API_URL],
    ['Clerk Frontend API', `${env.CLERK_FAPI_URL} (the app proxies it at /__clerk)`],
    ['Env file', path.relative(projectRoot, stackLayout.envFile)],
    ...(runsAsRoot() ? [['Postgres data', `${stackLayout.pgData} (as root: see postgres-as-root.ts in the local-stack package)`]] : []),
  ];
  const lines = rows.map(([k, v]) => `  ${k.padEnd(26)}${v}`);
  lines.push('', `  Local accounts (password: ${LOCAL_PASSWORD})`);
  for (const a of seedAccounts) {
    lines.push(`    ${a.email.padEnd(22)}${a.id.padEnd(13)}${`plan ${a.plan}`.padEnd(11)}${seedAccountRoles(a.id).join(', ')}`);
  }
  return lines.join('\n');
}

async function serve(stackLayout: StackLayout) {
  const logFile = privateLog(path.join(stackLayout.logs, 'stack.log'));
  const started = Date.now();
  let stack;
  try {
    stack = await startStack(stackLayout, (line) => logFile.write(`${new Date().toISOString()} ${line}\n`));
  } catch (e) {
    fail(`The local stack did not start: ${e instanceof Error ? e.message : String(e)}`);
  }
  console.log(
    `Local stack (${stackLayout.profile}) ready in ${((Date.now() - started) / 1000).toFixed(1)}s\n${summary(stackLayout, stack.env)}`,
  );
  const onSignal = () => void stack.stop('signal');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const reason = await stack.stopped;
  logFile.end();
  if (reason !== 'signal' && reason !== 'stopped by request') fail(`The local stack stopped: ${reason}`);
  process.exit(0);
}

async function up(stackLayout: StackLayout) {
  const pid = runningPid(stackLayout);
  if (pid) {
    console.log(`The local stack (${stackLayout.profile}) is already running (pid ${pid}).`);
    return;
  }
  const out = openPrivateLog(path.join(stackLayout.logs, 'serve.out'));
  // detached: the stack outlives this command and gets its own process group, which stack:down
  // signals as a whole so nothing is left behind.
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'serve'], {
    detached: true,
    stdio: ['ignore', out, out],
    env: { ...process.env, LOCAL_STACK_PROFILE: stackLayout.profile },
  });
  child.unref();
  const started = Date.now();
  while (Date.now() - started < 60_000) {
    await new Promise((r) => setTimeout(r, 100));
    const text = fs.readFileSync(path.join(stackLayout.logs, 'serve.out'), 'utf8');
    if (child.exitCode !== null || text.includes('✗')) fail(text.trim().split('\n').pop() ?? 'the stack exited');
    if (text.includes('ready in')) {
      console.log(text.trim());
      return;
    }
  }
  fail(`The local stack did not report ready within 60s; see ${path.join(stackLayout.logs, 'stack.log')}`);
}

async function down(stackLayout: StackLayout) {
  const pid = runningPid(stackLayout);
  if (!pid) {
    console.log(`The local stack (${stackLayout.profile}) is not running.`);
    return;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (pidAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (pidAlive(pid)) {
    // It did not stop in time: end its whole process group (postgres, postgrest) too.
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      process.kill(pid, 'SIGKILL');
    }
  }
  fs.rmSync(stackLayout.pidFile, { force: true });
  console.log(`The local stack (${stackLayout.profile}) is stopped.`);
}

async function status(stackLayout: StackLayout) {
  const pid = runningPid(stackLayout);
  if (!pid) {
    console.log(`The local stack (${stackLayout.profile}) is not running. Start it with \`npm run stack:up\` (or \`npm run dev\`).`);
    process.exit(1);
  }
  const env = readEnvFile(stackLayout.envFile);
  const res = await fetch(`${env.LOCAL_STACK_CONTROL_URL}/status`, {
    headers: { [CONTROL_SECRET_HEADER]: env.LOCAL_STACK_CONTROL_SECRET ?? '' },
  })
    .then((r) => r.json() as Promise<{ parts: Record<string, boolean> }>)
    .catch(() => null);
  const parts = res?.parts ?? {};
  console.log(`The local stack (${stackLayout.profile}) is running (pid ${pid}).`);
  console.log(
    Object.entries(parts)
      .map(([k, ok]) => `  ${ok ? '\x1b[32m✓\x1b[0m' : '\x1b[31m✗\x1b[0m'} ${k}`)
      .join('\n'),
  );
  console.log(summary(stackLayout, env));
  if (!Object.values(parts).every(Boolean)) process.exit(1);
}

async function reset(stackLayout: StackLayout) {
  if (!runningPid(stackLayout)) {
    fs.rmSync(stackLayout.pgData, { recursive: true, force: true });
    console.log('The stack is not running: its database folder was removed, and the next start creates, migrates and seeds it afresh.');
    return;
  }
  await withSuperuser(stackLayout.ports.postgres, (c) => c.query(RESET_SQL));
  await migrate(stackLayout, (line) => console.log(line), { force: true });
  console.log('Database reset: bootstrap, migrations and seed applied.');
}

async function token(stackLayout: StackLayout, argv: string[]) {
  const usage =
    'Usage: npm run local:token -- --user <id> [--org <id> --org-role <admin|member>] [--template <name>] [--expires <seconds>]';
  let values: { user?: string; org?: string; 'org-role'?: string; template?: string; expires?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        user: { type: 'string' },
        org: { type: 'string' },
        'org-role': { type: 'string' },
        template: { type: 'string' },
        expires: { type: 'string' },
      },
    }));
  } catch (e) {
    fail(`${(e as Error).message}\n${usage}`);
  }
  if (!values.user) fail(usage);
  const role = values['org-role'];
  if (role && role !== 'admin' && role !== 'member') fail('--org-role is admin or member');
  const expiresInSeconds = values.expires ? Number(values.expires) : 3600;
  if (!Number.isFinite(expiresInSeconds)) fail('--expires takes a number of seconds (negative for an already expired token)');
  const keys = await loadKeys();
  const env = readEnvFile(stackLayout.envFile);
  const subject = {
    userId: values.user,
    sessionId: `sess_local_${randomBytes(8).toString('hex')}`,
    email: seedAccounts.find((a) => a.id === values.user)?.email,
    publicMetadata: { plan: seedAccounts.find((a) => a.id === values.user)?.plan } as Record<string, unknown> | undefined,
    org: values.org ? { id: values.org, slug: values.org.replace(/^org_/, ''), role: (role ?? 'member') as 'admin' | 'member' } : undefined,
    // Clerk's SDK refuses a token without `azp` when the app sets authorizedParties (it does): claim the app's origin.
    authorizedParty: env.APP_URL,
  };
  // With the stack running, register the session with the local Clerk, so that the app can exchange
  // it for a template token (template mode) exactly as with a browser session.
  if (runningPid(stackLayout) && env.CLERK_API_URL && (await httpOk(`${env.CLERK_API_URL}/v1/jwks`))) {
    const res = await fetch(`${env.CLERK_API_URL}/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.clerkSecretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: values.user, active_organization_id: values.org }),
    });
    if (res.ok) subject.sessionId = ((await res.json()) as { id: string }).id;
    // The user's public metadata feeds the session token's custom claims (`plan`), as Clerk's would.
    const user = await fetch(`${env.CLERK_API_URL}/v1/users/${encodeURIComponent(values.user)}`, {
      headers: { authorization: `Bearer ${keys.clerkSecretKey}` },
    });
    if (user.ok) subject.publicMetadata = ((await user.json()) as { public_metadata?: Record<string, unknown> }).public_metadata;
  }
  const now = Math.floor(Date.now() / 1000);
  const jwt = values.template
    ? await mintTemplateToken(keys, values.template, subject, {
        expiresInSeconds,
        issuedAt: expiresInSeconds < 0 ? now + expiresInSeconds - 60 : now,
      })
    : await mintSessionToken(keys, subject, { expiresInSeconds, issuedAt: expiresInSeconds < 0 ? now + expiresInSeconds - 60 : now });
  process.stdout.write(`${jwt}\n`);
}

const USAGE = `Usage: local-stack <command>
  up            start the stack in the background (writes the env file)
  down          stop it, and everything it started
  status        what runs where, and the local accounts
  serve         run it in the foreground (Ctrl-C stops it)
  dev -- <cmd>  start the stack (or reuse a running one), run <cmd> with its variables, stop on exit
  reset         drop, bootstrap, migrate, seed
  token         print a token signed by the local Clerk key (token --user <id>; see docs/local-stack.md)`;

// The command is the first argument; each command parses its own flags (token) or takes what follows `--` (dev).
const [command, ...rest] = process.argv.slice(2);
if (command === 'help' || command === '--help' || command === '-h') {
  console.log(USAGE);
  process.exit(0);
}
const stackLayout = layout();
const commands: Record<string, () => Promise<void>> = {
  dev: async () => {
    await import('./dev.ts');
  },
  serve: () => serve(stackLayout),
  up: () => up(stackLayout),
  down: () => down(stackLayout),
  status: () => status(stackLayout),
  reset: () => reset(stackLayout),
  token: () => token(stackLayout, rest),
};
if (!command || !Object.hasOwn(commands, command)) fail(`${command ? `Unknown command "${command}".` : 'No command.'}\n${USAGE}`);
await commands[command]();
