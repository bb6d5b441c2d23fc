// The app's production build under load: `next start`, many concurrent clients calling
// GET /api/tasks with Bearer tokens of many users, against the very request the route makes to the
// data API sent straight there with the same tokens. What is left between the two is the app's
// overhead: Next.js, Clerk's middleware (token verification with jwtKey), supabase-js.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { loadKeys } from '../local/keys.ts';
import { mintSessionToken } from '../local/clerk/tokens.ts';
import { keepingTsconfig, projectRoot, type StackLayout } from '../local/paths.ts';
import { httpOk } from '../local/stack.ts';
import { cpuMs } from './stack-start.ts';
import { benchUser } from './rls.ts';
import type { AppResult, LoadSummary } from './report.ts';
import { logLine, measureInterleaved, now, ratio, round, summarize } from './stats.ts';

export const BENCH_DIST_DIR = '.next-bench';
const nextBin = path.join(projectRoot, 'node_modules/.bin/next');

export interface AppMode { name: 'third-party' | 'template'; port: number; env: Record<string, string> }

/** The two integration modes on the instance's app ports (3150/3151 for instance 5). */
export function appModes(stackLayout: StackLayout): AppMode[] {
  return [
    { name: 'third-party', port: stackLayout.ports.app, env: {} },
    { name: 'template', port: stackLayout.ports.app + 1, env: { CLERK_SUPABASE_TEMPLATE: 'supabase' } },
  ];
}

export function appEnv(stackLayout: StackLayout, stackEnv: Record<string, string>): Record<string, string> {
  const parties = appModes(stackLayout).flatMap(({ port }) => [`http://localhost:${port}`, `http://127.0.0.1:${port}`]).join(',');
  return { ...stackEnv, CLERK_AUTHORIZED_PARTIES: parties, NEXT_DIST_DIR: BENCH_DIST_DIR, NEXT_TELEMETRY_DISABLED: '1' };
}

/**
 * `next build` into .next-bench; returns its wall time in seconds. With `skipTypecheck` it runs
 * Next's two-step build (compile, then generate), which emits the same bundles without the
 * project-wide type check (`npm test` type-checks; the bench only needs the output).
 */
export async function buildApp(stackLayout: StackLayout, env: Record<string, string>, opts: { skipTypecheck?: boolean } = {}): Promise<number> {
  const log = path.join(stackLayout.logs, 'bench-next-build.log');
  const started = now();
  const out = fs.openSync(log, 'w');
  const steps = opts.skipTypecheck ? [['build', '--experimental-build-mode=compile'], ['build', '--experimental-build-mode=generate']] : [['build']];
  let code = 0;
  await keepingTsconfig(async () => {
    for (const args of steps) {
      code = await new Promise<number>((resolve) => {
        const child = spawn(nextBin, args, { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
        child.on('exit', (c) => resolve(c ?? 1));
      });
      if (code !== 0) break;
    }
  });
  if (code !== 0) throw new Error(`next build failed (exit ${code}); see ${log}:\n${fs.readFileSync(log, 'utf8').split('\n').slice(-15).join('\n')}`);
  const seconds = round((now() - started) / 1000, 1);
  logLine('app', `next build in ${seconds} s`);
  return seconds;
}

export interface StartedApp { mode: AppMode; url: string; child: ChildProcess; seconds: number; stop(): Promise<void> }

export async function startApp(stackLayout: StackLayout, env: Record<string, string>, mode: AppMode): Promise<StartedApp> {
  const log = path.join(stackLayout.logs, `bench-app-${mode.name}.log`);
  const out = fs.openSync(log, 'w');
  const url = `http://127.0.0.1:${mode.port}`;
  // Something already answering there would be measured instead of this build.
  if (await httpOk(`${url}/`)) throw new Error(`port ${mode.port} is already in use; stop what listens there (\`lsof -i :${mode.port}\`)`);
  const started = now();
  const child = spawn(nextBin, ['start', '--port', String(mode.port), '--hostname', 'localhost'], {
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
export async function benchTokens(count: number, usersInData: number, authorizedParty?: string): Promise<{ user: string; token: string }[]> {
  const keys = await loadKeys();
  const out: { user: string; token: string }[] = [];
  for (let k = 0; k < count; k++) {
    const user = benchUser(Math.floor((k * usersInData) / count));
    out.push({ user, token: await mintSessionToken(keys, { userId: user, sessionId: `sess_bench_app_${k}`, authorizedParty }, { expiresInSeconds: 3600 }) });
  }
  return out;
}

interface Target { url: string; headers: Record<string, string> }

/** Concurrent load with autocannon; each request carries the next token in turn. */
export async function load(target: Target, tokens: string[], o: { connections: number; seconds?: number; amount?: number }): Promise<LoadSummary & { seconds: number }> {
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
async function loadWithCpu(target: Target, tokens: string[], o: { connections: number; seconds: number }, roots: Record<string, number>): Promise<Run> {
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

export const ROUTE = 'GET /api/tasks';
// Exactly what app/api/tasks/route.ts asks supabase-js for: all of the caller's tasks, newest first.
const DIRECT_PATH = '/rest/v1/tasks?select=id,title,done,created_at,updated_at&order=created_at.desc';

export async function benchApp(
  app: StartedApp,
  stackEnv: Record<string, string>,
  o: { connections: number; seconds: number; users: number; usersInData: number; rounds: number; sequential: number },
  stackPid: number,
): Promise<Omit<AppResult, 'buildSeconds' | 'startSeconds'>> {
  // CPU per request, per process tree: robust to a busy machine where wall-clock numbers wander.
  const roots = { 'next start': app.child.pid!, 'local stack (gateway, PostgREST, Postgres)': stackPid };
  const people = await benchTokens(o.users, o.usersInData, new URL(app.url).origin);
  const tokens = people.map((p) => p.token);
  const appTarget: Target = { url: `${app.url}/api/tasks`, headers: {} };
  const directTarget: Target = { url: `${stackEnv.NEXT_PUBLIC_SUPABASE_URL}${DIRECT_PATH}`, headers: { apikey: stackEnv.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY } };

  // Same answer both ways, or the comparison means nothing.
  const viaApp = await fetch(appTarget.url, { headers: { authorization: `Bearer ${tokens[0]}` } });
  const viaApi = await fetch(directTarget.url, { headers: { ...directTarget.headers, authorization: `Bearer ${tokens[0]}` } });
  const appBody = (await viaApp.json()) as { tasks?: { id: string }[] };
  const apiBody = (await viaApi.json()) as { id: string }[];
  if (viaApp.status !== 200 || viaApi.status !== 200 || !appBody.tasks?.length || appBody.tasks.map((t) => t.id).join() !== apiBody.map((t) => t.id).join()) {
    throw new Error(`${ROUTE} and the data API disagree for ${people[0].user}: app ${viaApp.status} (${appBody.tasks?.length ?? JSON.stringify(appBody)}), data API ${viaApi.status} (${Array.isArray(apiBody) ? apiBody.length : JSON.stringify(apiBody)})`);
  }

  // Warm up both (JIT, connection pools, PostgREST's caches), then alternate rounds.
  await load(appTarget, tokens, { connections: o.connections, seconds: 2 });
  await load(directTarget, tokens, { connections: o.connections, seconds: 2 });
  const appRuns: Run[] = [];
  const directRuns: Run[] = [];
  const per = o.seconds / o.rounds;
  for (let i = 0; i < o.rounds; i++) {
    if (i % 2 === 0) {
      appRuns.push(await loadWithCpu(appTarget, tokens, { connections: o.connections, seconds: per }, roots));
      directRuns.push(await loadWithCpu(directTarget, tokens, { connections: o.connections, seconds: per }, roots));
    } else {
      directRuns.push(await loadWithCpu(directTarget, tokens, { connections: o.connections, seconds: per }, roots));
      appRuns.push(await loadWithCpu(appTarget, tokens, { connections: o.connections, seconds: per }, roots));
    }
  }
  const appLoad = combine(appRuns);
  const directLoad = combine(directRuns);
  if (appLoad.non2xx + appLoad.errors > 0 || directLoad.non2xx + directLoad.errors > 0) {
    throw new Error(`failed requests under load: app ${appLoad.non2xx} non-2xx + ${appLoad.errors} errors, data API ${directLoad.non2xx} + ${directLoad.errors}; see the app log`);
  }

  // One request at a time: the latency a single user sees, without queueing.
  const get = (t: Target) => async (i: number) => {
    const res = await fetch(t.url, { headers: { ...t.headers, authorization: `Bearer ${tokens[i % tokens.length]}` } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${t.url}: HTTP ${res.status}`);
  };
  const seq = await measureInterleaved({ app: get(appTarget), direct: get(directTarget) }, { warmup: 10, repeats: o.sequential });

  const result = {
    route: ROUTE,
    directEquivalent: `GET ${DIRECT_PATH} through the gateway`,
    connections: o.connections,
    secondsPerRun: o.seconds,
    users: o.users,
    app: appLoad,
    direct: directLoad,
    throughputRatio: ratio(appLoad.requestsPerSecond, directLoad.requestsPerSecond),
    p99Ratio: ratio(appLoad.latencyP99Ms, directLoad.latencyP99Ms),
    sequential: { app: summarize(seq.app), direct: summarize(seq.direct) },
  };
  logLine('app', `${ROUTE}: ${appLoad.requestsPerSecond} req/s, p50 ${appLoad.latencyMedianMs} ms, p99 ${appLoad.latencyP99Ms} ms | data API direct: ${directLoad.requestsPerSecond} req/s, p50 ${directLoad.latencyMedianMs} ms, p99 ${directLoad.latencyP99Ms} ms | throughput x${result.throughputRatio}, p99 x${result.p99Ratio}`);
  logLine('app', `CPU per request: app ${JSON.stringify(appLoad.cpuMsPerRequest)} | direct ${JSON.stringify(directLoad.cpuMsPerRequest)}`);
  return result;
}
