// `npm test`: every check this project makes, on a fresh throw-away local stack (the `test` profile:
// its own data folder and ports, so your dev data is never touched).
//   unit, with typecheck and lint beside it -> (fresh stack) db, with the production build beside it ->
//   (both modes started) app, and the tests that start an app of their own, which go on beside e2e ->
//   e2e -> reliability (CI size)
// Ends with one line: "N passed, N failed[, N skipped]", exit 0 only when every step passed.
// `npm test -- --only unit,db` runs a subset (a name that is no step is an error).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { keepingTsconfig, layout, projectRoot } from 'clerk-supabase-local-stack';
import { formatEnv } from 'clerk-supabase-local-stack';
import { httpOk, startStack, type RunningStack } from 'clerk-supabase-local-stack';
import { acceptsConnections } from './support/network.ts';
import {
  closingLine,
  parseOnly,
  STEPS,
  playwrightCounts,
  runCapturing,
  vitestCounts,
  type Counts,
  type Step,
} from './support/run-results.ts';

const stackLayout = layout('test');
let only: Step[] | null;
try {
  only = parseOnly(process.argv.slice(2));
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
const wants = (step: Step) => !only || only.includes(step);
const bin = (name: string) => path.join(projectRoot, 'node_modules/.bin', name);
const resultsDir = path.join(stackLayout.dir, 'results');
// The usual .next (`next dev` keeps its own output in .next/dev, so the two never clash): one test run
// per checkout at a time, whatever its LOCAL_STACK_INSTANCE.
const distDir = '.next';

// The production build runs twice: third-party mode (the default) and JWT-template mode.
const APP_MODES = {
  'third-party': { port: stackLayout.ports.app, env: {} as Record<string, string> },
  template: { port: stackLayout.ports.app + 1, env: { CLERK_SUPABASE_TEMPLATE: 'supabase' } as Record<string, string> },
};

interface StepResult extends Counts {
  step: Step;
  ok: boolean;
  seconds: number;
}
const results: StepResult[] = [];
let stack = null as RunningStack | null;
const servers: ChildProcess[] = [];
// Every command a step is running, so that a SIGTERM (a CI timeout, `kill`) stops them as well.
const running = new Set<ChildProcess>();

// Ctrl-C signals the whole process group, and each child stops by itself. A SIGTERM reaches this process
// alone: stop the step's command and the servers, run no further step, and stop the stack on the way out
// (the `finally` below), or they outlive the run.
let terminated = false;
process.once('SIGTERM', () => {
  terminated = true;
  console.error('\nSIGTERM: stopping the step, the app servers and the test stack.');
  for (const child of [...running, ...servers]) child.kill('SIGTERM');
});

/**
 * Runs a command with its output on the terminal and, when `logFile` is given, in that file too (or
 * only there, `quiet`: a command running beside a step would mix its lines into the step's).
 */
function run(cmd: string, cmdArgs: string[], env: Record<string, string> = {}, logFile?: string, quiet = false): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, cmdArgs, {
      cwd: projectRoot,
      stdio: logFile ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      env: { ...process.env, ...env },
    });
    running.add(child);
    child.on('close', () => running.delete(child));
    if (logFile) {
      const log = fs.createWriteStream(logFile);
      child.stdout!.on('data', (c: Buffer) => (quiet || process.stdout.write(c), log.write(c)));
      child.stderr!.on('data', (c: Buffer) => (quiet || process.stderr.write(c), log.write(c)));
      child.on('close', () => log.end());
    }
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** `output`: a step run beside others prints its header and output (read by `output`) when it ends. */
async function step(name: Step, fn: () => Promise<Omit<StepResult, 'step' | 'seconds'>>, output?: () => string) {
  if (!wants(name) || terminated) return;
  if (!output) console.log(`\n\x1b[1m▶ ${name}\x1b[0m`);
  const started = Date.now();
  let r: Omit<StepResult, 'step' | 'seconds'>;
  try {
    r = await fn();
  } catch (e) {
    r = { ok: false, passed: 0, failed: 1, skipped: 0, note: e instanceof Error ? e.message : String(e) };
  }
  if (output) process.stdout.write(`\n\x1b[1m▶ ${name}\x1b[0m (ran beside the next steps)\n${output()}`);
  results.push({ step: name, seconds: (Date.now() - started) / 1000, ...r });
}

/** A command as a step, beside the next ones: its output goes to logs/<step>.log, printed when it ends. */
function commandStepBeside(name: Step, cmd: string, cmdArgs: string[]) {
  const log = path.join(stackLayout.logs, `${name}.log`);
  return step(
    name,
    async () => {
      fs.mkdirSync(stackLayout.logs, { recursive: true });
      const code = await run(cmd, cmdArgs, {}, log, true);
      return { ok: code === 0, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, skipped: 0 };
    },
    () => readLog(log),
  );
}

/** A log a command beside a step wrote ('' when it never started). */
const readLog = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
const besideLog = (project: string) => path.join(stackLayout.logs, `vitest-${project}.log`);

/**
 * One vitest project. `beside`: it runs beside a step, so its output goes to logs/vitest-<project>.log
 * only, for the caller to print when the step it belongs to reports.
 */
async function vitestStep(project: string, env: Record<string, string> = {}, beside = false) {
  const out = path.join(resultsDir, `vitest-${project}.json`);
  fs.rmSync(out, { force: true });
  const log = beside ? besideLog(project) : undefined;
  if (log) fs.mkdirSync(stackLayout.logs, { recursive: true });
  const code = await run(
    bin('vitest'),
    ['run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`],
    env,
    log,
    beside,
  );
  return { ok: code === 0, ...vitestCounts(out, code) };
}

/**
 * The app tests that start a stack and an app of their own (a fresh clone's `npm run dev`): they never
 * touch the test stack or the production servers. They start with the app step and, when the e2e step
 * runs, go on beside it: its browsers leave a core partly idle, while the db step and the build beside
 * it keep both busy. Their counts join the app step's once they ended.
 */
let ownStackApps: ReturnType<typeof vitestStep> | null = null;
const ownStackAppTests = () => (ownStackApps ??= vitestStep('app-own-stack', {}, true));
let ownStackBesideE2e = false;
async function addOwnStackAppTests() {
  const own = await ownStackApps!;
  process.stdout.write(
    `\n\x1b[1m▶ app\x1b[0m (its tests with a stack of their own, which ran beside e2e)\n${readLog(besideLog('app-own-stack'))}`,
  );
  const app = results.find((r) => r.step === 'app')!;
  const merged = together([app, own]);
  Object.assign(app, merged, { note: [merged.note, 'the Quickstart test ran beside e2e'].filter(Boolean).join('; ') });
}

/** The results of runs made side by side, as one step's. */
function together(runs: Omit<StepResult, 'step' | 'seconds'>[]) {
  return {
    ok: runs.every((r) => r.ok),
    passed: runs.reduce((n, r) => n + r.passed, 0),
    failed: runs.reduce((n, r) => n + r.failed, 0),
    skipped: runs.reduce((n, r) => n + r.skipped, 0),
    note: runs.flatMap((r) => r.note ?? []).join('; ') || undefined,
  };
}

async function ensureStack() {
  if (stack) return stack;
  // Fresh every run: a cold start is part of what the suite proves.
  fs.rmSync(stackLayout.pgData, { recursive: true, force: true });
  fs.rmSync(stackLayout.clerkStore, { force: true });
  fs.mkdirSync(stackLayout.logs, { recursive: true });
  const started = Date.now();
  const log = fs.createWriteStream(path.join(stackLayout.logs, 'stack.log'), { flags: 'w' });
  stack = await startStack(stackLayout, (line) => log.write(`${line}\n`));
  console.log(`Test stack ready in ${((Date.now() - started) / 1000).toFixed(1)}s (cold).`);
  return stack;
}

/**
 * The production build, started once per integration mode; the app, e2e and reliability steps use
 * these. The db step starts it in the background (`beside`: its output goes to next-build.log only), as
 * the db tests mostly wait on Postgres; the first step that needs the apps waits for it.
 */
let apps: Promise<void> | null = null;
let appPortsFree: Promise<void> | null = null;
function ensureApps(beside = false) {
  appPortsFree ??= refuseTakenAppPorts();
  apps ??= appPortsFree.then(() => startApps(beside));
  return apps;
}
/**
 * Another server on an app's port (a run stopped half-way, a server started by hand) would answer the
 * readiness check of startApps while ours failed to bind, and every test would run against it.
 */
async function refuseTakenAppPorts() {
  for (const [mode, { port }] of Object.entries(APP_MODES)) {
    if (await acceptsConnections(port, 'localhost'))
      throw new Error(
        `port ${port} (the ${mode} app) is already in use by another server: stop it (\`lsof -i :${port}\`), or run on another LOCAL_STACK_INSTANCE`,
      );
  }
}
async function startApps(beside: boolean) {
  const { env } = await ensureStack();
  const parties = Object.values(APP_MODES)
    .flatMap(({ port }) => [`http://localhost:${port}`, `http://127.0.0.1:${port}`])
    .join(',');
  const appEnv = { ...env, CLERK_AUTHORIZED_PARTIES: parties, NEXT_TELEMETRY_DISABLED: '1' };
  // The build's log is kept: tests/app/deprecations.test.ts reads it.
  const buildLog = path.join(stackLayout.logs, 'next-build.log');
  const built = await keepingTsconfig(() => run(bin('next'), ['build'], appEnv, buildLog, beside));
  if (built !== 0) {
    if (beside) console.error(fs.readFileSync(buildLog, 'utf8'));
    throw new Error(`next build failed (${path.relative(projectRoot, buildLog)})`);
  }
  for (const [mode, { port, env: modeEnv }] of Object.entries(APP_MODES)) {
    const child = spawn(bin('next'), ['start', '--port', String(port), '--hostname', 'localhost'], {
      cwd: projectRoot,
      env: { ...process.env, ...appEnv, ...modeEnv, APP_URL: `http://localhost:${port}` },
      stdio: [
        'ignore',
        fs.openSync(path.join(stackLayout.logs, `app-${mode}.log`), 'w'),
        fs.openSync(path.join(stackLayout.logs, `app-${mode}.log`), 'a'),
      ],
    });
    servers.push(child);
    const deadline = Date.now() + 60_000;
    while (!(await httpOk(`http://localhost:${port}/`))) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`next start (${mode}) did not come up; see ${path.join(stackLayout.logs, `app-${mode}.log`)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  // Everything a test needs to reach the apps and the stack, for the app, e2e and reliability steps.
  fs.writeFileSync(
    path.join(stackLayout.dir, 'apps.env'),
    formatEnv({
      APP_URL_THIRD_PARTY: `http://localhost:${APP_MODES['third-party'].port}`,
      APP_URL_TEMPLATE: `http://localhost:${APP_MODES.template.port}`,
    }),
  );
}
const appUrls = () => ({
  APP_URL_THIRD_PARTY: `http://localhost:${APP_MODES['third-party'].port}`,
  APP_URL_TEMPLATE: `http://localhost:${APP_MODES.template.port}`,
  // The production build both servers run, for tests that read its manifests (tests/app/route-walk.test.ts).
  APP_DIST_DIR: path.join(projectRoot, distDir),
  // next-build.log and app-<mode>.log, for tests/app/deprecations.test.ts.
  APP_LOGS_DIR: stackLayout.logs,
});

fs.mkdirSync(resultsDir, { recursive: true });
try {
  // Side by side: each uses about one core (on two cores this saves about 30 s; more on a laptop).
  const checks = [
    commandStepBeside('typecheck', bin('tsc'), ['--noEmit']),
    // `npm run lint` itself: ESLint, Prettier's check and knip, as the script lists them.
    commandStepBeside('lint', 'npm', ['run', '--silent', 'lint']),
  ];
  await step('unit', () => vitestStep('unit'));
  await Promise.all(checks);
  await step('db', async () => {
    await ensureStack();
    if (wants('app') || wants('e2e') || wants('reliability')) ensureApps(true).catch(() => {}); // its step reports a failure
    return vitestStep('db');
  });
  await step('app', async () => {
    const shared = ensureApps().then(() => vitestStep('app', appUrls()));
    shared.catch(() => {}); // reported below
    await appPortsFree; // a port already taken fails the step at once, before anything starts beside
    const own = ownStackAppTests();
    if (wants('e2e') && !terminated) {
      ownStackBesideE2e = true; // they go on beside e2e, and join the counts after it
      return shared;
    }
    await Promise.allSettled([own, shared]); // a failed build fails the step once the other run ended
    process.stdout.write(readLog(besideLog('app-own-stack')));
    return together([await own, await shared]);
  });
  if (fs.existsSync(path.join(projectRoot, 'playwright.config.ts'))) {
    await step('e2e', async () => {
      await ensureApps();
      const out = path.join(resultsDir, 'playwright.json');
      // Never the previous run's counts: a run that dies before writing its report has none.
      fs.rmSync(out, { force: true });
      const code = await run(bin('playwright'), ['test', '--reporter=list,json'], { ...appUrls(), PLAYWRIGHT_JSON_OUTPUT_NAME: out });
      return { ok: code === 0, ...playwrightCounts(out, code) };
    });
  }
  if (ownStackBesideE2e) await addOwnStackAppTests();
  if (fs.existsSync(path.join(projectRoot, 'tests/reliability/run.ts'))) {
    await step('reliability', async () => {
      await ensureApps();
      // It prints per-check PASS/FAIL and ends with its own "N passed, N failed" line: count those.
      const { code, output } = await runCapturing(
        process.execPath,
        [path.join(projectRoot, 'tests/reliability/run.ts'), '--ci'],
        {
          cwd: projectRoot,
          env: { ...process.env, ...stack!.env, ...appUrls() },
        },
        { running },
      );
      const counts = [...output.matchAll(/^(\d+) passed, (\d+) failed$/gm)].pop();
      const passed = counts ? Number(counts[1]) : 0;
      const failed = counts ? Number(counts[2]) : 1;
      return { ok: code === 0, passed, failed: code !== 0 && failed === 0 ? 1 : failed, skipped: 0 };
    });
  }
} finally {
  for (const s of servers) s.kill('SIGTERM');
  await stack?.stop('tests finished');
}

console.log('\n\x1b[1mSummary\x1b[0m');
results.sort((a, b) => STEPS.indexOf(a.step) - STEPS.indexOf(b.step));
for (const r of results) {
  const skipped = r.skipped ? ` ${String(r.skipped).padStart(3)} skipped` : '';
  console.log(
    `  ${r.ok ? '\x1b[32m✓\x1b[0m' : '\x1b[31m✗\x1b[0m'} ${r.step.padEnd(12)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed${skipped}  ${r.seconds.toFixed(1)}s${r.note ? `  (${r.note})` : ''}`,
  );
}
const totals = results.reduce((a, r) => ({ passed: a.passed + r.passed, failed: a.failed + r.failed, skipped: a.skipped + r.skipped }), {
  passed: 0,
  failed: 0,
  skipped: 0,
});
console.log(closingLine(totals));
process.exit(terminated ? 143 : totals.failed === 0 && results.every((r) => r.ok) ? 0 : 1);
