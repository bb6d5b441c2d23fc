// `npm run bench`: every performance claim this project makes, measured side by side in one run on
// a throw-away local stack (a test-profile instance, LOCAL_STACK_INSTANCE, default 5; never the
// dev stack). Not part of `npm test`: timings are only ever judged here, never asserted in tests.
//
//   npm run bench                   full size (1,000,000 tasks), a few minutes
//   npm run bench -- --quick        small size (50,000 tasks), about a minute; writes bench/tmp/
//   npm run bench -- --only rls,app  some parts (stack, rls, functions, app, profile, clerk, browser)
//   npm run bench -- --strict       exit 1 when a target is missed (a broken run always exits 2)
//   --render                        only re-render results.md from results.json
//   --reuse-build                   keep an existing .next-bench build; --skip-typecheck builds without
//                                   Next's type check (npm test runs it)
//   --help                          this text (an unknown flag prints it too and starts nothing)
//
// Writes bench/results.json, bench/results.md and bench/results.svg (docs/performance.md explains them;
// the README links there).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { layout, projectRoot } from 'clerk-supabase-local-stack';
import { benchStack, startStackProcess, type RunningBenchStack } from './stack-start.ts';
import { benchRls, loadBenchData } from './rls.ts';
import { appEnv, appModes, baselinesMode, BASELINES_DIR, benchApp, BENCH_DIST_DIR, buildApp, startApp, type StartedApp } from './app.ts';
import { benchClerk } from './clerk.ts';
import { profileApp } from './profile.ts';
import { benchBrowser } from './browser.ts';
import { benchFunctions } from './functions.ts';
import { logLine, machine } from './stats.ts';
import { evaluateTargets, renderMarkdown, type BenchResults } from './report.ts';
import { renderSvg } from './chart.ts';

/** results.svg beside results.md (docs/performance.md shows it), when the run measured the app. */
function writeSvg(dir: string, r: BenchResults) {
  const svg = renderSvg(r);
  if (svg) fs.writeFileSync(path.join(dir, 'results.svg'), svg);
}

const PARTS = ['stack', 'rls', 'functions', 'app', 'profile', 'clerk', 'browser'] as const;
// node:util parseArgs, strict: an unknown flag (a typo, or --help) prints the usage and starts nothing.
const usage = fs
  .readFileSync(new URL(import.meta.url), 'utf8')
  .split('\n')
  .slice(4, 13)
  .map((l) => l.replace(/^\/\/ ?/, ''))
  .join('\n');
let flags: {
  quick?: boolean;
  strict?: boolean;
  'reuse-build'?: boolean;
  'skip-typecheck'?: boolean;
  only?: string;
  render?: boolean;
  help?: boolean;
};
try {
  flags = parseArgs({
    options: {
      quick: { type: 'boolean' },
      strict: { type: 'boolean' },
      'reuse-build': { type: 'boolean' },
      'skip-typecheck': { type: 'boolean' },
      only: { type: 'string' },
      render: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (e) {
  console.error(`${e instanceof Error ? e.message : String(e)}\n\n${usage}`);
  process.exit(2);
}
if (flags.help) {
  console.log(usage);
  process.exit(0);
}
const quick = Boolean(flags.quick);
const strict = Boolean(flags.strict);
// Reuse .next-bench from an earlier run (e.g. CI right after its own build); default is a fresh build.
const reuseBuild = Boolean(flags['reuse-build']);
// Build without Next's project-wide type check (npm test does that); same bundles.
const skipTypecheck = Boolean(flags['skip-typecheck']);
const only =
  flags.only === undefined
    ? null
    : flags.only
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
const wants = (part: (typeof PARTS)[number]) => !only || only.includes(part);
const unknownParts = only?.filter((p) => !(PARTS as readonly string[]).includes(p)) ?? [];
if (unknownParts.length || only?.length === 0) {
  console.error(
    `${unknownParts.length ? `Unknown part(s) ${unknownParts.join(', ')}` : '--only needs a list of parts'}; the parts are ${PARTS.join(', ')}.`,
  );
  process.exit(2);
}

// --render: rewrite results.md from results.json alone (after a change to the report's layout).
if (flags.render) {
  const dir = path.join(projectRoot, quick ? 'bench/tmp' : 'bench');
  const saved = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as BenchResults;
  saved.targets = evaluateTargets(saved);
  fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify(saved, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'results.md'), renderMarkdown(saved));
  writeSvg(dir, saved);
  console.log(`Rendered ${path.relative(projectRoot, dir)}/results.md and results.svg from results.json.`);
  process.exit(0);
}

const instance = Number(process.env.LOCAL_STACK_INSTANCE ?? 5);
if (!Number.isInteger(instance) || instance < 1 || instance > 9) {
  console.error('The bench runs on its own test-profile stack: set LOCAL_STACK_INSTANCE to 1..9 (default 5), never the dev stack.');
  process.exit(2);
}
const stackLayout = layout('test', instance);
function stackAlreadyRunning(): boolean {
  if (!fs.existsSync(stackLayout.pidFile)) return false;
  try {
    process.kill(Number(fs.readFileSync(stackLayout.pidFile, 'utf8')), 0);
    return true;
  } catch {
    return false;
  }
}
if (stackAlreadyRunning()) {
  console.error(
    `A local stack already runs on test instance ${instance} (${stackLayout.dir}); stop it first or pick another LOCAL_STACK_INSTANCE.`,
  );
  process.exit(2);
}

const size = quick
  ? {
      rls: { tasks: 50_000, users: 500, projects: 5_000, orgs: 50 },
      rlsRuns: { warmup: 10, repeats: 60, naiveWarmup: 0, naiveRepeats: 3, naiveSqlRepeats: 1, sampleUsers: 50 },
      stackRuns: { cold: 1, warm: 2 },
      app: { connections: 10, seconds: 6, users: 100, rounds: 2, sequential: 100 },
      profile: { connections: 10, seconds: 6, users: 100 },
      clerk: { requests: 1000, sessions: 10, verifyRepeats: 2000 },
      functions: { coldRuns: 3, calls: 100 },
    }
  : {
      rls: { tasks: 1_000_000, users: 10_000, projects: 100_000, orgs: 1_000 },
      rlsRuns: { warmup: 30, repeats: 300, naiveWarmup: 0, naiveRepeats: 2, naiveSqlRepeats: 1, sampleUsers: 300 },
      stackRuns: { cold: 3, warm: 5 },
      app: { connections: 20, seconds: 30, users: 1000, rounds: 3, sequential: 400 },
      profile: { connections: 20, seconds: 15, users: 1000 },
      clerk: { requests: 1000, sessions: 20, verifyRepeats: 10_000 },
      functions: { coldRuns: 5, calls: 300 },
    };

const outDir = quick ? path.join(projectRoot, 'bench/tmp') : path.join(projectRoot, 'bench');
fs.mkdirSync(outDir, { recursive: true });

const results: BenchResults = {
  date: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  machine: machine(),
  note: 'Ratios are measured within this run (variants interleaved); absolute numbers depend on the machine and its load.',
};

let stack: RunningBenchStack | null = null;
const cleanups: (() => Promise<void>)[] = [];
let broken = false;
const started = Date.now();

async function part(name: string, fn: () => Promise<void>) {
  const t = Date.now();
  // How busy the machine was: on a shared box this explains wall-clock figures that ratios do not.
  (results.loadAverage ??= {})[name] = Number(os.loadavg()[0].toFixed(2));
  console.log(`\n\x1b[1m▶ ${name}\x1b[0m`);
  try {
    await fn();
  } catch (e) {
    broken = true;
    console.error(`\x1b[31m✗ ${name} failed:\x1b[0m ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    (results.errors ??= []).push({ part: name, error: e instanceof Error ? e.message : String(e) });
  }
  logLine(name, `done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

const stopAll = async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  await stack?.stop();
};
process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));

try {
  if (wants('stack')) {
    await part('stack', async () => {
      const r = await benchStack(stackLayout, instance, size.stackRuns);
      results.stack = r.result;
      stack = r.stack;
    });
  }
  stack ??= await startStackProcess(stackLayout, instance);

  if (wants('rls')) {
    await part('rls', async () => {
      results.rls = await benchRls(stack!.env, size.rls, size.rlsRuns);
    });
  }

  if (wants('functions')) {
    await part('functions', async () => {
      results.functions = await benchFunctions(stack!.env, size.functions);
    });
  }

  if (wants('app') || wants('profile') || wants('clerk') || wants('browser')) {
    const env = appEnv(stackLayout, stack.env);
    let buildSeconds = 0;
    let buildMode = 'reused';
    const apps: Partial<Record<'third-party' | 'template', StartedApp>> = {};
    let baselines: StartedApp | undefined;
    await part('next build + start', async () => {
      if (!(reuseBuild && fs.existsSync(path.join(projectRoot, BENCH_DIST_DIR, 'BUILD_ID')))) {
        buildSeconds = await buildApp(stackLayout, env, { skipTypecheck });
        buildMode = skipTypecheck ? 'compile+generate' : 'next build';
      }
      for (const mode of appModes(stackLayout)) {
        const app = await startApp(stackLayout, env, mode);
        apps[mode.name] = app;
        cleanups.push(app.stop);
      }
      // The floor and peer baselines (bench/baselines), for the app part.
      if (wants('app')) {
        if (!(reuseBuild && fs.existsSync(path.join(BASELINES_DIR, '.next/BUILD_ID'))))
          await buildApp(stackLayout, env, { dir: BASELINES_DIR });
        baselines = await startApp(stackLayout, env, baselinesMode(stackLayout));
        cleanups.push(baselines.stop);
      }
    });
    const third = apps['third-party'];
    const template = apps.template;
    // The app needs the bench's users and their tasks: load them if the rls part did not run.
    if (!wants('rls') && third) await part('data', async () => void (await loadBenchData(stack!.env, size.rls)));
    if (wants('app') && third && baselines) {
      const contrasts = baselines;
      await part('app', async () => {
        const r = await benchApp(third, contrasts, stack!.env, { ...size.app, usersInData: size.rls.users }, stack!.child.pid!);
        results.app = {
          ...r,
          buildSeconds,
          buildMode,
          startSeconds: Object.fromEntries(Object.values(apps).map((a) => [a!.mode.name, a!.seconds])),
        };
      });
    }
    if (wants('profile') && third) {
      await part('profile', async () => {
        results.profile = await profileApp(stackLayout, env, third.mode, { ...size.profile, usersInData: size.rls.users });
      });
    }
    if (wants('clerk') && third && template) {
      await part('clerk', async () => {
        results.clerk = await benchClerk({ thirdParty: third, template }, env, {
          ...size.clerk,
          usersInData: size.rls.users,
          requestMedianMs: results.app?.sequential.app.median ?? NaN,
        });
      });
    }
    if (wants('browser') && third) {
      await part('browser', async () => {
        results.browser = await benchBrowser(third, BENCH_DIST_DIR);
      });
    }
  }
} finally {
  await stopAll();
}

results.durationSeconds = Math.round((Date.now() - started) / 1000);
results.targets = evaluateTargets(results);
fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
fs.writeFileSync(path.join(outDir, 'results.md'), renderMarkdown(results));
writeSvg(outDir, results);
console.log('\n\x1b[1mTargets\x1b[0m');
for (const t of results.targets) {
  console.log(
    `  ${t.pass === null ? '\x1b[33m–\x1b[0m' : t.pass ? '\x1b[32mPASS\x1b[0m' : '\x1b[31mFAIL\x1b[0m'} ${t.target}: ${t.measured}`,
  );
}
console.log(`\nWrote ${path.relative(projectRoot, path.join(outDir, 'results.json'))} and results.md in ${results.durationSeconds} s.`);
const missed = results.targets.some((t) => t.pass === false);
process.exit(broken ? 2 : strict && missed ? 1 : 0);
