// `local-stack dev -- <command>` (the app's `npm run dev`: `local-stack dev -- next dev --hostname localhost`):
// starts the stack (or reuses one started with `local-stack up`), then the command with the stack's
// variables (and PORT, the app's port), and stops everything it started on Ctrl-C or when either
// side dies. With a hosted Supabase URL in .env.local it runs the command alone, and the app talks to
// your hosted Clerk and Supabase.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { installedPath, layout, profileFromEnv, projectRoot } from './paths.ts';
import { httpOk, startStack, type RunningStack } from './stack.ts';
import { redactedDatabaseUrl } from './postgres.ts';
import { parseEnv, readEnvFile } from './env-file.ts';
import { privateLog } from './private-files.ts';
import { LOCAL_PASSWORD, seedAccounts } from './clerk/store.ts';

// LOCAL_STACK_PROFILE=test runs the same command on a test instance (the suite exercises `npm run dev`).
const stackLayout = layout(profileFromEnv());
const envLocal = path.join(projectRoot, '.env.local');
const hostedUrl =
  fs.existsSync(envLocal) && stackLayout.profile === 'dev'
    ? parseEnv(fs.readFileSync(envLocal, 'utf8')).NEXT_PUBLIC_SUPABASE_URL
    : undefined;
// Everything after `--` is the command, its own flags included.
const { positionals: command } = parseArgs({ args: process.argv.slice(3), allowPositionals: true, options: {} });
if (!command.length) fail('Usage: local-stack dev -- <command> [args...]  (e.g. local-stack dev -- next dev --hostname localhost)');
const hosted = Boolean(hostedUrl && !/^https?:\/\/(127\.0\.0\.1|localhost)(:|\/|$)/.test(hostedUrl));

function fail(message: string): never {
  console.error(`\x1b[31m✗\x1b[0m ${message}`);
  process.exit(1);
}

const appPort = Number(process.env.PORT ?? stackLayout.ports.app);
const inUse = await new Promise<boolean>((resolve) => {
  const s = net
    .createServer()
    .once('error', () => resolve(true))
    .once('listening', () => s.close(() => resolve(false)));
  s.listen(appPort, 'localhost');
});
if (inUse) fail(`port ${appPort} is in use: stop what holds it, or run on another port with PORT=3001 npm run dev`);

let stack: RunningStack | null = null;
let env: Record<string, string> = {};
if (hosted) {
  console.log(`Using hosted services from .env.local (${hostedUrl}); the local stack is not started.`);
} else {
  const pidFile = fs.existsSync(stackLayout.pidFile) ? Number(fs.readFileSync(stackLayout.pidFile, 'utf8')) : 0;
  let running = false;
  try {
    running = pidFile > 0 && (process.kill(pidFile, 0), true);
  } catch {
    running = false;
  }
  if (running) {
    env = readEnvFile(stackLayout.envFile);
    console.log(`Using the local stack already running (pid ${pidFile}).`);
  } else {
    const started = Date.now();
    const logFile = privateLog(path.join(stackLayout.logs, 'stack.log'));
    try {
      // Edge Functions restart when their files change, as with `supabase functions serve`.
      stack = await startStack(stackLayout, (line) => logFile.write(`${new Date().toISOString()} ${line}\n`), { watchFunctions: true });
    } catch (e) {
      fail(`The local stack did not start: ${e instanceof Error ? e.message : String(e)}`);
    }
    env = stack.env;
    console.log(
      `Local stack ready in ${((Date.now() - started) / 1000).toFixed(1)}s: data API ${env.NEXT_PUBLIC_SUPABASE_URL}/rest/v1, Postgres ${redactedDatabaseUrl(env.SUPABASE_DB_URL)} (SUPABASE_DB_URL in ${path.relative(projectRoot, stackLayout.envFile)})`,
    );
  }
}

// Serve the app on loopback only (`next dev --hostname localhost`): the local stack signs anyone in
// with its published password, so nothing on the network may reach it. `localhost` (not 127.0.0.1):
// Next.js builds its own URLs from this name, and a browser's http://localhost:<port> must match them.
const bins = [path.join(projectRoot, 'node_modules/.bin'), installedPath('.bin')];
const next = spawn(command[0], command.slice(1), {
  cwd: projectRoot,
  stdio: 'inherit',
  env: { ...process.env, ...env, PORT: String(appPort), PATH: [...bins, process.env.PATH].join(path.delimiter) },
});

let exiting = false;
async function shutdown(code: number, message?: string) {
  if (exiting) return;
  exiting = true;
  if (message) console.error(message);
  if (next.exitCode === null) next.kill('SIGTERM');
  await stack?.stop('app stopped');
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
next.on('exit', (code) => void shutdown(code ?? 0, code ? `${command.join(' ')} exited with code ${code}` : undefined));
void stack?.stopped.then((reason) => shutdown(1, `\x1b[31m✗\x1b[0m The local stack stopped (${reason}); stopping the app.`));

// Tell the person where to go once the app answers.
// The first request compiles the page (next dev), which takes many seconds on a busy machine: each try
// waits for its answer as long as the deadline allows, instead of giving up and asking again.
const READY_WAIT_MS = 300_000;
const deadline = Date.now() + READY_WAIT_MS;
let ready = false;
while (!exiting && Date.now() < deadline) {
  if (await httpOk(`http://localhost:${appPort}/`, Math.max(1000, deadline - Date.now()))) {
    ready = true;
    if (!hosted) {
      const accounts = seedAccounts.map((a) => a.email).join(', ');
      console.log(`\n  App ready: http://localhost:${appPort}  (sign in as ${accounts}; password ${LOCAL_PASSWORD})\n`);
    }
    break;
  }
  await new Promise((r) => setTimeout(r, 500));
}
if (!ready && !exiting) {
  console.warn(
    `\n  \x1b[33m!\x1b[0m The app has not answered http://localhost:${appPort}/ within ${READY_WAIT_MS / 1000} s. It is still running; its own output above says why (a build error, a busy machine).\n`,
  );
}
