// The app's production build under load: `next start`, many concurrent clients calling
// GET /api/tasks with Bearer tokens of many users, interleaved in the same run with three contrasts
// given the same tokens: the data API straight (the request the route makes), the *floor* (the same
// route shape in Next.js with no authentication: Next.js plus one fetch) and the *peer* (the pattern
// of Clerk's official Clerk + Supabase example). Floor and peer are built from bench/baselines/, a
// separate tiny Next.js app, so they never reach the app's build.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { loadKeys } from 'clerk-supabase-local-stack';
import { mintSessionToken } from 'clerk-supabase-local-stack';
import { keepingTsconfig, projectRoot, type StackLayout } from 'clerk-supabase-local-stack';
import { httpOk } from 'clerk-supabase-local-stack';
import { cpuMs } from './stack-start.ts';
import { benchUser } from './rls.ts';
import type { AppResult, LoadSummary } from './report.ts';
import { logLine, measureInterleaved, now, ratio, round, summarize, type Summary } from './stats.ts';

export const BENCH_DIST_DIR = '.next';
const nextBin = path.join(projectRoot, 'node_modules/.bin/next');
/** bench/baselines: the floor and peer routes (bench/baselines/README.md). */
export const BASELINES_DIR = path.join(projectRoot, 'bench/baselines');

export interface AppMode {
  name: 'third-party' | 'template';
  port: number;
  env: Record<string, string>;
}

/** The two integration modes on the instance's app ports (3150/3151 for instance 5). */
export function appModes(stackLayout: StackLayout): AppMode[] {
  return [
    { name: 'third-party', port: stackLayout.ports.app, env: {} },
    { name: 'template', port: stackLayout.ports.app + 1, env: { CLERK_SUPABASE_TEMPLATE: 'supabase' } },
  ];
}

export function appEnv(stackLayout: StackLayout, stackEnv: Record<string, string>): Record<string, string> {
  const parties = appModes(stackLayout)
    .flatMap(({ port }) => [`http://localhost:${port}`, `http://127.0.0.1:${port}`])
    .join(',');
  return { ...stackEnv, CLERK_AUTHORIZED_PARTIES: parties, NEXT_TELEMETRY_DISABLED: '1' };
}

/**
 * `next build` into .next-bench; returns its wall time in seconds. With `skipTypecheck` it runs
 * Next's two-step build (compile, then generate), which emits the same bundles without the
 * project-wide type check (`npm test` type-checks; the bench only needs the output).
 */
export async function buildApp(
  stackLayout: StackLayout,
  env: Record<string, string>,
  opts: { skipTypecheck?: boolean; dir?: string } = {},
): Promise<number> {
  const log = path.join(stackLayout.logs, opts.dir ? 'bench-baselines-build.log' : 'bench-next-build.log');
  const started = now();
  const out = fs.openSync(log, 'w');
  const steps = (
    opts.skipTypecheck
      ? [
          ['build', '--experimental-build-mode=compile'],
          ['build', '--experimental-build-mode=generate'],
        ]
      : [['build']]
  ).map((a) => (opts.dir ? [...a, opts.dir] : a));
  let code = 0;
  await keepingTsconfig(async () => {
    for (const args of steps) {
      code = await new Promise<number>((resolve) => {
        // With a dir (the baselines), Next.js builds into <dir>/.next: its own config, not the app's.
        const child = spawn(nextBin, args, { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
        child.on('exit', (c) => resolve(c ?? 1));
      });
      if (code !== 0) break;
    }
  });
  if (code !== 0)
    throw new Error(`next build failed (exit ${code}); see ${log}:\n${fs.readFileSync(log, 'utf8').split('\n').slice(-15).join('\n')}`);
  const seconds = round((now() - started) / 1000, 1);
  logLine('app', `next build${opts.dir ? ` ${path.relative(projectRoot, opts.dir)}` : ''} in ${seconds} s`);
  return seconds;
}

export interface StartedApp {
  mode: AppMode;
  url: string;
  child: ChildProcess;
  seconds: number;
  stop(): Promise<void>;
}

/** The baselines' server (floor and peer routes) on the instance's app port + 3. */
export function baselinesMode(stackLayout: StackLayout): AppMode & { dir: string } {
  return { name: 'baselines' as AppMode['name'], port: stackLayout.ports.app + 3, env: {}, dir: BASELINES_DIR };
}

export async function startApp(
  stackLayout: StackLayout,
  env: Record<string, string>,
  mode: AppMode & { dir?: string },
): Promise<StartedApp> {
  const log = path.join(stackLayout.logs, `bench-app-${mode.name}.log`);
  const out = fs.openSync(log, 'w');
  const url = `http://127.0.0.1:${mode.port}`;
  // Something already answering there would be measured instead of this build.
  if (await httpOk(`${url}/`)) throw new Error(`port ${mode.port} is already in use; stop what listens there (\`lsof -i :${mode.port}\`)`);
  const started = now();
  const child = spawn(nextBin, ['start', ...(mode.dir ? [mode.dir] : []), '--port', String(mode.port), '--hostname', 'localhost'], {
    cwd: projectRoot,
    env: { ...process.env, ...env, ...mode.env, APP_URL: `http://localhost:${mode.port}`, NODE_ENV: 'production' },
    stdio: ['ignore', out, out],
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + 60_000;
  while (!(await httpOk(`${url}/`))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`next start (${mode.name}) did not come up on ${url}; see ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (child.exitCode !== null) throw new Error(`next start (${mode.name}) exited right after start; see ${log}`);
  const seconds = round((now() - started) / 1000, 2);
  logLine('app', `next start (${mode.name}) answering on ${url} after ${seconds} s`);
  return { mode, url, child, seconds, stop };
}

/**
 * Session tokens (1 h, so a long run never sees one expire) for bench users that own tasks. `azp`
 * must name the app's origin: with authorizedParties set, Clerk refuses a token without it.
 */
export async function benchTokens(
  count: number,
  usersInData: number,
  authorizedParty?: string,
): Promise<{ user: string; token: string }[]> {
  const keys = await loadKeys();
  const out: { user: string; token: string }[] = [];
  for (let k = 0; k < count; k++) {
    const user = benchUser(Math.floor((k * usersInData) / count));
    out.push({
      user,
      token: await mintSessionToken(keys, { userId: user, sessionId: `sess_bench_app_${k}`, authorizedParty }, { expiresInSeconds: 3600 }),
    });
  }
  return out;
}

interface Target {
  url: string;
  headers: Record<string, string>;
}

/** Concurrent load with autocannon; each request carries the next token in turn. */
export async function load(
  target: Target,
  tokens: string[],
  o: { connections: number; seconds?: number; amount?: number },
): Promise<LoadSummary & { seconds: number }> {
  let next = 0;
  const started = now();
  const r = await autocannon({
    url: target.url,
    connections: o.connections,
    duration: o.seconds ?? 10,
    amount: o.amount,
    headers: target.headers,
    requests: [
      {
        setupRequest: (req: { headers?: Record<string, string> }) => {
          req.headers = { ...target.headers, ...req.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` };
          return req;
        },
      },
    ],
  });
  const seconds = (now() - started) / 1000;
  return {
    requests: r.requests.total,
    requestsPerSecond: round(r.requests.total / seconds, 1),
    latencyMedianMs: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    latencyMeanMs: round(r.latency.average, 2),
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    seconds: round(seconds, 2),
  };
}

type Run = LoadSummary & { seconds: number; cpu: Record<string, number> };

/** A load run that also reads how much CPU each process tree spent on it (from /proc). */
async function loadWithCpu(
  target: Target,
  tokens: string[],
  o: { connections: number; seconds: number },
  roots: Record<string, number>,
): Promise<Run> {
  const before = Object.fromEntries(Object.entries(roots).map(([k, pid]) => [k, cpuMs(pid)]));
  const r = await load(target, tokens, o);
  const cpu = Object.fromEntries(Object.entries(roots).map(([k, pid]) => [k, cpuMs(pid) - before[k]]));
  return { ...r, cpu };
}

/** Several alternating rounds combined: total requests over total time, median of medians, worst p99. */
function combine(runs: Run[]): LoadSummary & { cpuMsPerRequest: Record<string, number> } {
  const total = runs.reduce((a, r) => a + r.requests, 0);
  const seconds = runs.reduce((a, r) => a + r.seconds, 0);
  const sortedMedians = runs.map((r) => r.latencyMedianMs).sort((a, b) => a - b);
  return {
    requests: total,
    requestsPerSecond: round(total / seconds, 1),
    latencyMedianMs: sortedMedians[Math.floor(sortedMedians.length / 2)],
    latencyP99Ms: Math.max(...runs.map((r) => r.latencyP99Ms)),
    latencyMeanMs: round(runs.reduce((a, r) => a + r.latencyMeanMs * r.requests, 0) / total, 2),
    non2xx: runs.reduce((a, r) => a + r.non2xx, 0),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    cpuMsPerRequest: Object.fromEntries(Object.keys(runs[0].cpu).map((k) => [k, round(runs.reduce((a, r) => a + r.cpu[k], 0) / total, 2)])),
  };
}

const ROUTE = 'GET /api/tasks';
// Exactly what app/api/tasks/route.ts asks supabase-js for: all of the caller's tasks, newest first.
const DIRECT_PATH = '/rest/v1/tasks?select=id,title,done,created_at,updated_at&order=created_at.desc';

/** The ways to get the caller's tasks that the bench compares (matched: the authentication path not chosen). */
const TARGETS = ['app', 'direct', 'floor', 'peer', 'matched'] as const;
type TargetName = (typeof TARGETS)[number];

export async function benchApp(
  app: StartedApp,
  baselines: StartedApp,
  stackEnv: Record<string, string>,
  o: { connections: number; seconds: number; users: number; usersInData: number; rounds: number; sequential: number },
  stackPid: number,
): Promise<Omit<AppResult, 'buildSeconds' | 'startSeconds'>> {
  // CPU per request, per process tree: robust to a busy machine where wall-clock numbers wander. "next
  // start" is whichever Next.js server answers the target (the app, or the baselines' server).
  const stackName = 'local stack (gateway, PostgREST, Postgres)';
  const serverOf: Record<TargetName, number | null> = {
    app: app.child.pid!,
    direct: null,
    floor: baselines.child.pid!,
    peer: baselines.child.pid!,
    matched: baselines.child.pid!,
  };
  // azp: the app's origin; the peer (like Clerk's example) sets no authorizedParties and accepts it too.
  const people = await benchTokens(o.users, o.usersInData, new URL(app.url).origin);
  const tokens = people.map((p) => p.token);
  const targets: Record<TargetName, Target> = {
    app: { url: `${app.url}/api/tasks`, headers: {} },
    direct: {
      url: `${stackEnv.NEXT_PUBLIC_SUPABASE_URL}${DIRECT_PATH}`,
      headers: { apikey: stackEnv.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY },
    },
    floor: { url: `${baselines.url}/floor/tasks`, headers: {} },
    peer: { url: `${baselines.url}/api/tasks`, headers: {} },
    matched: { url: `${baselines.url}/matched/tasks`, headers: {} },
  };

  // Same answer every way, or the comparison means nothing.
  const ids: Partial<Record<TargetName, string>> = {};
  for (const name of TARGETS) {
    const res = await fetch(targets[name].url, { headers: { ...targets[name].headers, authorization: `Bearer ${tokens[0]}` } });
    const body = (await res.json()) as { tasks?: { id: string }[] } | { id: string }[];
    const list = Array.isArray(body) ? body : body.tasks;
    if (res.status !== 200 || !list?.length)
      throw new Error(`${name} (${targets[name].url}) answered ${res.status} for ${people[0].user}: ${JSON.stringify(body).slice(0, 200)}`);
    ids[name] = list.map((t) => t.id).join();
  }
  if (new Set(Object.values(ids)).size !== 1)
    throw new Error(`${ROUTE} and its contrasts (${TARGETS.join(', ')}) disagree for ${people[0].user}`);

  // Warm up every target (JIT, connection pools, PostgREST's caches), then rounds with the order rotated.
  for (const name of TARGETS) await load(targets[name], tokens, { connections: o.connections, seconds: 2 });
  const runs = Object.fromEntries(TARGETS.map((k) => [k, [] as Run[]])) as Record<TargetName, Run[]>;
  const per = o.seconds / o.rounds;
  for (let i = 0; i < o.rounds; i++) {
    for (let j = 0; j < TARGETS.length; j++) {
      const name = TARGETS[(i + j) % TARGETS.length];
      const roots: Record<string, number> = { [stackName]: stackPid };
      if (serverOf[name]) roots['next start'] = serverOf[name];
      runs[name].push(await loadWithCpu(targets[name], tokens, { connections: o.connections, seconds: per }, roots));
    }
  }
  const loads = Object.fromEntries(TARGETS.map((k) => [k, combine(runs[k])])) as Record<TargetName, ReturnType<typeof combine>>;
  const failed = TARGETS.filter((k) => loads[k].non2xx + loads[k].errors > 0);
  if (failed.length)
    throw new Error(
      `failed requests under load: ${failed.map((k) => `${k} ${loads[k].non2xx} non-2xx + ${loads[k].errors} errors`).join(', ')}; see the logs`,
    );

  // One request at a time: the latency a single user sees, without queueing.
  const get = (t: Target) => async (i: number) => {
    const res = await fetch(t.url, { headers: { ...t.headers, authorization: `Bearer ${tokens[i % tokens.length]}` } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${t.url}: HTTP ${res.status}`);
  };
  const seq = await measureInterleaved(
    Object.fromEntries(TARGETS.map((k) => [k, get(targets[k])])) as Record<TargetName, (i: number) => Promise<void>>,
    { warmup: 10, repeats: o.sequential },
  );

  const result = {
    route: ROUTE,
    directEquivalent: `GET ${DIRECT_PATH} through the gateway`,
    connections: o.connections,
    secondsPerRun: o.seconds,
    users: o.users,
    app: loads.app,
    direct: loads.direct,
    floor: loads.floor,
    peer: loads.peer,
    matched: loads.matched,
    throughputRatio: ratio(loads.app.requestsPerSecond, loads.direct.requestsPerSecond),
    p99Ratio: ratio(loads.app.latencyP99Ms, loads.direct.latencyP99Ms),
    sequential: Object.fromEntries(TARGETS.map((k) => [k, summarize(seq[k])])) as Record<TargetName, Summary>,
  };
  for (const name of TARGETS) {
    const l = loads[name];
    logLine(
      'app',
      `${name.padEnd(6)} ${l.requestsPerSecond} req/s, p50 ${l.latencyMedianMs} ms, p99 ${l.latencyP99Ms} ms, one at a time ${result.sequential[name].median} ms, CPU ${JSON.stringify(l.cpuMsPerRequest)}`,
    );
  }
  return result;
}
