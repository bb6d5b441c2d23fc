// Where `next start` spends its CPU per request. Starts the production build once more with
// `node --cpu-prof`, puts the bench's GET /api/tasks load on it, and attributes every profiler sample
// taken during the load to what ran: each sample's function is mapped through the build's source maps
// back to its original file (Node's own SourceMap, no dependency), then grouped (Next.js, Clerk,
// supabase-js, React, the app, Node internals, garbage collection). `npm run bench -- --only profile`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot, type StackLayout } from 'clerk-supabase-local-stack';
import { httpOk } from 'clerk-supabase-local-stack';
import { benchTokens, load, type AppMode } from './app.ts';
import { logLine, now, round } from './stats.ts';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileResult {
  route: string;
  requests: number;
  /** CPU per request seen by the profiler during the load window (profiler overhead included). */
  cpuMsPerRequest: number;
  categories: { category: string; share: number; msPerRequest: number }[];
  /** The same samples, Node internals and V8 built-ins charged to the package or app code that called them. */
  causes: { category: string; share: number; msPerRequest: number }[];
  /** The heaviest original functions (self time), for the reader who wants to go further. */
  top: { fn: string; source: string; category: string; share: number }[];
}

/** Groups an original source path (after source maps) or a Node URL into what a reader recognises. */
function categorize(source: string, functionName: string): string {
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)' || (!source && functionName.startsWith('('))) return 'V8 and native code (program)';
  if (!source) return 'V8 built-ins (JSON, strings, buffers)';
  if (source.startsWith('node:')) return 'Node.js internals (http, streams, promises, crypto, fs)';
  const s = source.replace(/\\/g, '/');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(s)?.[1];
  if (pkg) {
    if (pkg === 'next' || pkg.startsWith('@next/'))
      return /react-server-dom|compiled\/react/.test(s)
        ? 'React (server rendering, flight)'
        : 'Next.js (server, routing, request adaptation)';
    if (pkg.startsWith('@clerk/')) return 'Clerk (clerkMiddleware, auth())';
    if (pkg.startsWith('@supabase/')) return 'supabase-js (client, PostgREST builder, fetch wrapper)';
    if (pkg === 'react' || pkg === 'react-dom' || pkg === 'scheduler') return 'React (server rendering, flight)';
    if (pkg === 'undici' || pkg === 'ws') return 'Node.js internals (http, streams, promises, crypto, fs)';
    return `other dependencies (${pkg})`;
  }
  if (/(^|\/)(app|lib)\/|(^|\/)proxy\.ts$|(^|\/)instrumentation\.ts$/.test(s)) return 'app code (app/, lib/, proxy.ts)';
  if (/turbopack|\[turbopack\]/.test(s)) return 'Next.js (server, routing, request adaptation)';
  return source ? `unattributed (${path.basename(s)})` : 'unattributed';
}

/** Maps a generated position back to its original source through the chunk's source map, when it has one. */
function makeResolver() {
  const maps = new Map<string, SourceMap | null>();
  return (frame: CallFrame): { source: string; fn: string } => {
    const url = frame.url;
    if (!url) return { source: '', fn: frame.functionName };
    if (url.startsWith('node:')) return { source: url, fn: frame.functionName };
    const file = url.startsWith('file://') ? fileURLToPath(url) : url;
    if (!maps.has(file)) {
      let map: SourceMap | null = null;
      try {
        if (fs.existsSync(`${file}.map`)) map = new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')));
      } catch {
        map = null;
      }
      maps.set(file, map);
    }
    const map = maps.get(file);
    const entry = map?.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string; name?: string } | undefined;
    const original = entry?.originalSource;
    // A package that ships its own source maps (Next.js's server) is named by where it is installed.
    if (!original || file.includes(`${path.sep}node_modules${path.sep}`))
      return { source: path.relative(projectRoot, file), fn: entry?.name || frame.functionName };
    // Turbopack writes sources as turbopack:///[project]/node_modules/...
    const cleaned = decodeURIComponent(original.replace(/^turbopack:\/\/\/\[project\]\//, '').replace(/^file:\/\//, ''));
    return { source: cleaned, fn: entry?.name || frame.functionName };
  };
}

/** Self time per node, counted only for samples inside [fromUs, toUs] (profile clock, microseconds). */
function attribute(profile: CpuProfile, fromUs: number, toUs: number) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const resolve = makeResolver();
  const resolved = new Map<number, { source: string; fn: string; category: string }>();
  const categories = new Map<string, number>();
  const functions = new Map<string, { fn: string; source: string; category: string; samples: number }>();
  const info = (id: number) => {
    let r = resolved.get(id);
    if (!r) {
      const node = byId.get(id)!;
      const { source, fn } = resolve(node.callFrame);
      r = { source, fn: fn || '(anonymous)', category: categorize(source, node.callFrame.functionName) };
      resolved.set(id, r);
    }
    return r;
  };
  // Who caused a sample of Node internals or V8 built-ins: the nearest caller that is a package or the app.
  const generic = (c: string) => c.startsWith('Node.js') || c.startsWith('V8 built-ins') || c.startsWith('unattributed');
  const causeOf = (id: number): string => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parentOf.get(cur)) {
      const c = info(cur).category;
      if (!generic(c)) return c;
    }
    return info(id).category;
  };
  const causes = new Map<string, number>();
  let t = profile.startTime;
  let counted = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < fromUs || t > toUs) continue;
    const node = byId.get(profile.samples[i])!;
    if (node.callFrame.functionName === '(idle)') continue;
    const r = info(node.id);
    counted++;
    const cause = causeOf(node.id);
    causes.set(cause, (causes.get(cause) ?? 0) + 1);
    categories.set(r.category, (categories.get(r.category) ?? 0) + 1);
    const key = `${r.fn}@${r.source}`;
    const f = functions.get(key) ?? { fn: r.fn, source: r.source, category: r.category, samples: 0 };
    f.samples++;
    functions.set(key, f);
  }
  return { counted, categories, causes, functions };
}

export async function profileApp(
  stackLayout: StackLayout,
  env: Record<string, string>,
  mode: AppMode,
  o: { seconds: number; connections: number; users: number; usersInData: number },
): Promise<ProfileResult> {
  const dir = path.join(stackLayout.dir, 'cpu-profile');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const port = mode.port + 2;
  const url = `http://127.0.0.1:${port}`;
  if (await httpOk(`${url}/`)) throw new Error(`port ${port} is already in use; stop what listens there (\`lsof -i :${port}\`)`);
  const log = fs.openSync(path.join(stackLayout.logs, 'bench-app-profile.log'), 'w');
  const child = spawn(path.join(projectRoot, 'node_modules/.bin/next'), ['start', '--port', String(port), '--hostname', 'localhost'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      ...env,
      ...mode.env,
      CLERK_AUTHORIZED_PARTIES: `http://localhost:${port}`,
      APP_URL: `http://localhost:${port}`,
      NODE_ENV: 'production',
      NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}`,
    },
    stdio: ['ignore', log, log],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let window: { loadStart: number; loadEnd: number; exitAt: number; requests: number };
  try {
    const deadline = Date.now() + 60_000;
    while (!(await httpOk(`${url}/`))) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`profiled next start did not come up; see ${path.join(stackLayout.logs, 'bench-app-profile.log')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const tokens = (await benchTokens(o.users, o.usersInData, `http://localhost:${port}`)).map((p) => p.token);
    const target = { url: `${url}/api/tasks`, headers: { host: `localhost:${port}` } };
    await load(target, tokens, { connections: o.connections, seconds: 2 }); // warm-up, outside the window
    const loadStart = now();
    const r = await load(target, tokens, { connections: o.connections, seconds: o.seconds });
    const loadEnd = now();
    if (r.non2xx + r.errors > 0) throw new Error(`profiled load had ${r.non2xx} non-2xx and ${r.errors} errors`);
    child.kill('SIGTERM');
    await exited;
    window = { loadStart, loadEnd, exitAt: now(), requests: r.requests };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  const { loadStart, loadEnd, exitAt } = window;
  const r = { requests: window.requests };
  // --cpu-prof writes one file per process; the server is the one with the most samples.
  const profiles = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as CpuProfile);
  if (!profiles.length) throw new Error(`no CPU profile written to ${dir}`);
  const profile = profiles.sort((a, b) => b.samples.length - a.samples.length)[0];
  // The profile ends when the process exits: count back from there to the load window.
  const from = profile.endTime - (exitAt - loadStart) * 1000;
  const to = profile.endTime - (exitAt - loadEnd) * 1000;
  const { counted, categories, causes, functions } = attribute(profile, from, to);
  const busyMs = counted * ((profile.endTime - profile.startTime) / profile.samples.length / 1000);
  const perRequest = busyMs / r.requests;
  const result: ProfileResult = {
    route: 'GET /api/tasks',
    requests: r.requests,
    cpuMsPerRequest: round(perRequest, 2),
    categories: [...categories]
      .sort((a, b) => b[1] - a[1])
      .map(([category, n]) => ({ category, share: round(n / counted, 3), msPerRequest: round((n / counted) * perRequest, 2) })),
    causes: [...causes]
      .sort((a, b) => b[1] - a[1])
      .map(([category, n]) => ({ category, share: round(n / counted, 3), msPerRequest: round((n / counted) * perRequest, 2) })),
    top: [...functions.values()]
      .sort((a, b) => b.samples - a.samples)
      .slice(0, 25)
      .map((f) => ({ fn: f.fn, source: f.source, category: f.category, share: round(f.samples / counted, 3) })),
  };
  for (const c of result.categories)
    logLine('profile', `${(c.share * 100).toFixed(1).padStart(5)}%  ${c.msPerRequest.toFixed(2)} ms/req  ${c.category}`);
  for (const c of result.causes)
    logLine('profile', `by cause: ${(c.share * 100).toFixed(1).padStart(5)}%  ${c.msPerRequest.toFixed(2)} ms/req  ${c.category}`);
  logLine('profile', `${result.cpuMsPerRequest} ms of CPU per request with the profiler on (${r.requests} requests)`);
  return result;
}
