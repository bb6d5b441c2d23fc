// Where the reliability suite finds the app and the stack. Inside `npm test` (tests/run.ts) everything
// is already running and named in the environment. Run by hand, it reuses a running test stack and
// app servers of this LOCAL_STACK_INSTANCE when they answer, and otherwise starts its own: a fresh
// test stack, `next build` into its own dist folder, and `next start` in both integration modes.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { keepingTsconfig, layout, projectRoot } from 'clerk-supabase-local-stack';
import { httpOk, startStack, type RunningStack } from 'clerk-supabase-local-stack';
import { parseEnv } from 'clerk-supabase-local-stack';

export interface Environment {
  thirdPartyUrl: string;
  templateUrl: string;
  /** The stack's variables (Supabase/Clerk URLs and keys, control URL). */
  env: Record<string, string>;
  /** The dist folder of the build the apps serve (for the bundle and manifest checks). */
  distDir: string;
  logsDir: string;
  close(): Promise<void>;
}

const stackLayout = layout('test');
const bin = (name: string) => path.join(projectRoot, 'node_modules/.bin', name);
// The build tests/run.ts makes (one test run per checkout at a time).
const distFolder = () => '.next';
const appUrl = (port: number) => `http://localhost:${port}`;
/** Answers at all (under 500) within 10 s: a busy 2-core machine can take more than a second. */
const answers = async (url: string) => {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'manual' })).status < 500;
  } catch {
    return false;
  }
};

function run(cmd: string, args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: projectRoot, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

export async function prepareEnvironment(log: (line: string) => void): Promise<Environment> {
  const fromEnv = process.env.APP_URL_THIRD_PARTY && process.env.APP_URL_TEMPLATE && process.env.LOCAL_STACK_CONTROL_URL;
  const stackEnv = fs.existsSync(stackLayout.envFile) ? parseEnv(fs.readFileSync(stackLayout.envFile, 'utf8')) : {};
  const base = {
    distDir: path.join(projectRoot, distFolder()),
    logsDir: stackLayout.logs,
    close: async () => {},
  };
  if (fromEnv) {
    return {
      ...base,
      thirdPartyUrl: process.env.APP_URL_THIRD_PARTY!,
      templateUrl: process.env.APP_URL_TEMPLATE!,
      env: { ...stackEnv, ...(process.env as Record<string, string>) },
    };
  }
  const [tp, tpl] = [appUrl(stackLayout.ports.app), appUrl(stackLayout.ports.app + 1)];
  const stackUp = stackEnv.LOCAL_STACK_CONTROL_URL && (await answers(`${stackEnv.LOCAL_STACK_CONTROL_URL}/status`));
  if (stackUp && (await answers(`${tp}/`)) && (await answers(`${tpl}/`))) {
    log(`Reusing the running test stack (instance ${process.env.LOCAL_STACK_INSTANCE ?? 0}) and apps at ${tp}, ${tpl}.`);
    return { ...base, thirdPartyUrl: tp, templateUrl: tpl, env: stackEnv };
  }
  if (stackUp) {
    throw new Error(
      `A test stack of this instance is running but its apps are not (${tp}, ${tpl}). Stop it (LOCAL_STACK_PROFILE=test npm run stack:down) or run \`npm test\`.`,
    );
  }

  log('No running test stack: starting one, building the app and starting it in both modes (about 2 minutes).');
  fs.rmSync(stackLayout.pgData, { recursive: true, force: true });
  fs.rmSync(stackLayout.clerkStore, { force: true });
  fs.mkdirSync(stackLayout.logs, { recursive: true });
  const stackLog = fs.createWriteStream(path.join(stackLayout.logs, 'stack.log'), { flags: 'w' });
  const stack: RunningStack = await startStack(stackLayout, (line) => stackLog.write(`${line}\n`));
  const servers: ChildProcess[] = [];
  const close = async () => {
    for (const s of servers) s.kill('SIGTERM');
    await stack.stop('reliability run finished');
  };
  try {
    const parties = [stackLayout.ports.app, stackLayout.ports.app + 1].flatMap((p) => [appUrl(p), `http://127.0.0.1:${p}`]).join(',');
    const appEnv = { ...stack.env, CLERK_AUTHORIZED_PARTIES: parties, NEXT_TELEMETRY_DISABLED: '1' };
    const built = await keepingTsconfig(() => run(bin('next'), ['build'], appEnv));
    if (built !== 0) throw new Error('next build failed');
    for (const [mode, port, extra] of [
      ['third-party', stackLayout.ports.app, {}],
      ['template', stackLayout.ports.app + 1, { CLERK_SUPABASE_TEMPLATE: 'supabase' }],
    ] as const) {
      const logFile = path.join(stackLayout.logs, `app-${mode}.log`);
      const child = spawn(bin('next'), ['start', '--port', String(port), '--hostname', 'localhost'], {
        cwd: projectRoot,
        env: { ...process.env, ...appEnv, ...extra, APP_URL: appUrl(port) },
        stdio: ['ignore', fs.openSync(logFile, 'w'), fs.openSync(logFile, 'a')],
      });
      servers.push(child);
      const deadline = Date.now() + 60_000;
      while (!(await httpOk(`http://localhost:${port}/`))) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`next start (${mode}) did not come up; see ${logFile}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { ...base, distDir: path.join(projectRoot, distFolder()), thirdPartyUrl: tp, templateUrl: tpl, env: stack.env, close };
}
