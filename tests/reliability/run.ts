// `npm run test:reliability`: the app under concurrent users, failing parts, hostile input, replayed
// and forged webhooks, and a scan for leaked secrets. `--ci` is the size `npm test` runs (about a
// minute of work); `--full` is the size for a run by hand (50+ users, a few minutes); `--seed N`
// replays a load mix and the fuzz inputs. Prints PASS/FAIL per check and ends with "N passed, N failed".
//
// Inside `npm test` the app and stack are already running (their URLs are in the environment). Run by
// hand, it reuses this instance's running test stack and apps, or starts its own (see environment.ts).
import { parseArgs } from 'node:util';
import { prepareEnvironment } from './environment.ts';
import { FaultLog, Stats, api, newUser, type CheckResult, type Ctx } from './harness.ts';
import { createUsers, runLoad } from './load.ts';
import { prepareProbes, runFaults, type FaultReport } from './faults.ts';
import { runHostile } from './hostile.ts';
import { runWebhooks } from './webhooks.ts';
import { runSecrets } from './secrets.ts';

const PARTS = ['load', 'faults', 'hostile', 'webhooks', 'secrets'];
const USAGE = `Usage: node tests/reliability/run.ts [--ci | --full] [--seed N] [--only ${PARTS.join(',')}]`;
/** A bad flag stops the run before anything starts, with what was wrong and the usage. */
function refuse(problem: string): never {
  console.error(`${problem}\n${USAGE}`);
  process.exit(2);
}
let flags: { ci?: boolean; full?: boolean; seed?: string; only?: string };
try {
  ({ values: flags } = parseArgs({
    options: { ci: { type: 'boolean' }, full: { type: 'boolean' }, seed: { type: 'string' }, only: { type: 'string' } },
  }));
} catch (e) {
  refuse((e as Error).message);
}
if (flags.ci && flags.full) refuse('--ci and --full are two sizes: pick one.');
const full = Boolean(flags.full);
const seed = flags.seed === undefined ? Math.floor(Math.random() * 1e6) : Number(flags.seed);
if (!Number.isSafeInteger(seed)) refuse(`--seed takes a whole number, not "${flags.seed}".`);
const only = flags.only
  ?.split(',')
  .map((p) => p.trim())
  .filter(Boolean);
const unknownParts = only?.filter((p) => !PARTS.includes(p)) ?? [];
if (only?.length === 0 || unknownParts.length)
  refuse(`--only ${unknownParts.length ? `names no part: ${unknownParts.join(', ')}` : 'needs a list of parts'}.`);
const wants = (part: string) => !only || only.includes(part);

const SIZES = {
  ci: { users: 12, orgUsers: 4, durationMs: 20_000, pauseMs: 1_500, hostileRuns: 60 },
  full: { users: 60, orgUsers: 16, durationMs: 150_000, pauseMs: 15_000, hostileRuns: 400 },
};
const size = full ? SIZES.full : SIZES.ci;

const results: CheckResult[] = [];
const report = (r: CheckResult) => {
  results.push(r);
  console.log(`${r.ok ? '\x1b[32mPASS\x1b[0m' : '\x1b[31mFAIL\x1b[0m'} ${r.name}${r.detail ? `  (${r.detail})` : ''}`);
};
const started = Date.now();
const figures: Record<string, unknown> = { size: full ? 'full' : 'ci', seed };

const environment = await prepareEnvironment((line) => console.log(line));
const ctx: Ctx = {
  env: environment.env,
  urls: { 'third-party': environment.thirdPartyUrl, template: environment.templateUrl },
  distDir: environment.distDir,
  logsDir: environment.logsDir,
  stats: new Stats(),
  faults: new FaultLog(),
  tokens: new Set(),
  log: (line) => console.log(line),
};
console.log(`Reliability (${figures.size} size, seed ${seed}) against ${ctx.urls['third-party']} and ${ctx.urls.template}`);

try {
  if (wants('load') || wants('faults')) {
    const prepared = await createUsers(ctx, { ...size, seed });
    const probes = wants('faults') ? await prepareProbes(ctx) : null;
    // A scenario that throws is reported as a failure, and the load still ends and is checked.
    const faults: Promise<FaultReport | Error | null> = probes
      ? runFaults(ctx, probes, { pauseMs: size.pauseMs }).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))
      : Promise.resolve(null);
    const load = runLoad(ctx, { ...size, seed }, prepared, faults);
    const [f, l] = await Promise.all([faults, load]);
    if (f instanceof Error) report({ name: 'faults: every scenario ran', ok: false, detail: f.stack ?? f.message });
    else if (f) {
      f.checks.forEach(report);
      figures.faultsInjected = f.injected.length;
      figures.recoveryMs = f.recoveryMs;
    }
    const s = ctx.stats.summary();
    figures.users = l.users;
    figures.requests = s.requests;
    figures.acknowledgedWrites = l.acknowledgedWrites;
    figures.operations = l.operations;
    figures.latencyMs = { p50: s.p50, p95: s.p95, p99: s.p99, max: s.max };
    figures.byClass = s.byClass;
    figures.rowsLost = l.lost.length;
    figures.leaks = l.leaks.length;
    console.log(
      `Load: ${l.users} users, ${s.requests} requests, ${l.acknowledgedWrites} acknowledged writes; by class ${JSON.stringify(s.byClass)}; latency p50 ${s.p50} ms, p95 ${s.p95} ms, p99 ${s.p99} ms, max ${s.max} ms`,
    );
    console.log(`Operations: ${JSON.stringify(l.operations)}`);
    const show = (xs: string[]) => (xs.length ? xs.slice(0, 5).join('; ') : '');
    report({
      name: `load: ${l.users} users ran a mix of ${Object.keys(l.operations).length} operations`,
      ok: l.acknowledgedWrites > l.users,
      detail: `${l.acknowledgedWrites} acknowledged writes`,
    });
    report({ name: "load: no answer contains another user's or organisation's row", ok: l.leaks.length === 0, detail: show(l.leaks) });
    report({ name: 'load: every acknowledged write is in the database (rows lost: 0)', ok: l.lost.length === 0, detail: show(l.lost) });
    report({ name: 'load: no write applied twice', ok: l.duplicated.length === 0, detail: show(l.duplicated) });
    report({
      name: 'load: lists, pages and the database agree with what was acknowledged (counts match)',
      ok: l.mismatches.length === 0,
      detail: show(l.mismatches),
    });
    report({
      name: 'load: no 500, no stack trace, 503 only while a fault is injected',
      ok: ctx.stats.violations.length === 0,
      detail: show(ctx.stats.violations),
    });
  }
  // The other parts run on a quiet stack; each reports the answers that broke the rules while it ran.
  const partViolations = (part: string) => {
    const v = ctx.stats.violations.splice(0);
    report({ name: `${part}: no 5xx and no stack trace in any answer`, ok: v.length === 0, detail: v.slice(0, 5).join('; ') });
  };
  ctx.stats.violations.splice(0);
  if (wants('hostile')) {
    const h = await runHostile(ctx, size.hostileRuns, seed);
    h.checks.forEach(report);
    partViolations('hostile');
    figures.inputsTried = h.inputs;
  }
  if (wants('webhooks')) {
    const w = await runWebhooks(ctx);
    w.checks.forEach(report);
    partViolations('webhooks');
    figures.webhookDeliveries = w.deliveries;
  }
  if (wants('secrets')) {
    // The log check needs tokens this run sent; run alone, send one.
    if (!ctx.tokens.size) await api(ctx, await newUser(ctx, 'third-party', 'secrets'), 'GET', '/api/tasks');
    runSecrets(ctx).checks.forEach(report);
  }
} catch (e) {
  report({ name: 'the suite ran to the end', ok: false, detail: e instanceof Error ? (e.stack ?? e.message) : String(e) });
} finally {
  await environment.close();
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
figures.seconds = Math.round((Date.now() - started) / 1000);
figures.checks = { passed, failed };
console.log(`Figures: ${JSON.stringify(figures)}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
