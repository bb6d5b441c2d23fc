// The local stack itself: how long `stack:serve` takes to be ready from a fresh data folder (cold:
// initdb, bootstrap, `supabase db push` of every migration and the seed) and from an existing one
// (warm), and how much memory it holds once ready. The stack runs as a child process (the real
// `local-stack serve`, which calls startStack) so that its memory is its own, not the bench's.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot, type StackLayout } from 'clerk-supabase-local-stack';
import { readEnvFile } from 'clerk-supabase-local-stack';
import { logLine, now, round, summarize, type Summary } from './stats.ts';

export interface RunningBenchStack {
  child: ChildProcess;
  env: Record<string, string>;
  readyMs: number;
  stop(): Promise<void>;
}

/**
 * Starts `local-stack serve` for the bench's test-profile instance; resolves once it is ready.
 * The stack's ports lie in Linux's ephemeral range, so an unrelated outgoing connection can hold
 * one for a while (a TIME-WAIT lasts 60 s): a "port ... is in use" refusal is retried for ~70 s.
 */
export async function startStackProcess(stackLayout: StackLayout, instance: number): Promise<RunningBenchStack> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(stackLayout, instance);
    } catch (e) {
      if (attempt >= 10 || !/is in use/.test(String(e))) throw e;
      logLine('stack', `a stack port was busy (attempt ${attempt}): ${String(e).split('\n').pop()?.slice(0, 120)}; retrying in 7 s`);
      await new Promise((r) => setTimeout(r, 7000));
    }
  }
}

async function startOnce(stackLayout: StackLayout, instance: number): Promise<RunningBenchStack> {
  fs.mkdirSync(stackLayout.logs, { recursive: true });
  const started = now();
  const child = spawn(process.execPath, [path.join(projectRoot, 'packages/local-stack/src/cli.ts'), 'serve'], {
    cwd: projectRoot,
    env: { ...process.env, LOCAL_STACK_PROFILE: 'test', LOCAL_STACK_INSTANCE: String(instance) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const readyMs = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready in')) resolve(now() - started);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`the local stack exited (code ${code}) before it was ready:\n${output.trim().split('\n').slice(-5).join('\n')}`)),
    );
    setTimeout(() => reject(new Error(`the local stack was not ready within 120 s:\n${output}`)), 120_000).unref();
  });
  child.stdout!.resume();
  child.stderr!.resume();
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { child, env: readEnvFile(stackLayout.envFile), readyMs, stop };
}

/** CPU time (user + system) used so far by a process and its descendants, in milliseconds. */
export function cpuMs(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) {
    const stat = readProc(pid, 'stat');
    if (!stat) continue;
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15 of /proc/pid/stat)
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

interface ProcMemory {
  pid: number;
  name: string;
  rssKiB: number;
  pssKiB: number;
}

function readProc(pid: number, file: string): string | null {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

/** The process and all its descendants, from /proc (ppid links). */
function processTree(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProc(Number(entry), 'stat');
    if (!stat) continue;
    // pid (comm) state ppid ...; comm may hold spaces and parentheses, so split after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    parentOf.set(Number(entry), ppid);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parentOf) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

/**
 * RSS and PSS of every process of the stack. RSS counts shared pages (Postgres' shared buffers,
 * the binaries) once per process, so the RSS sum overstates; PSS splits shared pages between their
 * users and sums to what the stack really costs. Both are reported.
 */
function stackMemory(root: number) {
  const procs: ProcMemory[] = [];
  for (const pid of processTree(root)) {
    const status = readProc(pid, 'status');
    if (!status) continue;
    const name = /^Name:\s+(.*)$/m.exec(status)?.[1] ?? '?';
    const rssKiB = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    const pssKiB = Number(/^Pss:\s+(\d+)/m.exec(readProc(pid, 'smaps_rollup') ?? '')?.[1] ?? 0);
    procs.push({ pid, name, rssKiB, pssKiB });
  }
  const group = (p: ProcMemory) =>
    p.pid === root ? 'supervisor (node)' : p.name === 'postgrest' ? 'postgrest' : p.name === 'postgres' ? 'postgres' : p.name;
  const byPart: Record<string, { processes: number; rssMiB: number; pssMiB: number }> = {};
  for (const p of procs) {
    const g = (byPart[group(p)] ??= { processes: 0, rssMiB: 0, pssMiB: 0 });
    g.processes += 1;
    g.rssMiB += p.rssKiB / 1024;
    g.pssMiB += p.pssKiB / 1024;
  }
  for (const g of Object.values(byPart)) {
    g.rssMiB = round(g.rssMiB, 1);
    g.pssMiB = round(g.pssMiB, 1);
  }
  return {
    processes: procs.length,
    rssMiB: round(procs.reduce((a, p) => a + p.rssKiB, 0) / 1024, 1),
    pssMiB: round(procs.reduce((a, p) => a + p.pssKiB, 0) / 1024, 1),
    byPart,
  };
}

function wipe(stackLayout: StackLayout) {
  fs.rmSync(stackLayout.pgData, { recursive: true, force: true });
  fs.rmSync(stackLayout.clerkStore, { force: true });
  fs.rmSync(path.join(stackLayout.dir, 'applied.sha256'), { force: true });
}

export interface StackResult {
  cold: Summary & { samples: number[] };
  warm: Summary & { samples: number[] };
  memoryCold: ReturnType<typeof stackMemory>;
  memoryWarm: ReturnType<typeof stackMemory>;
}

/**
 * Cold starts (fresh data folder each time), then warm starts; leaves the last warm stack running
 * for the other benchmarks and returns it. Each start is a separate process, as `npm run dev` runs it.
 */
export async function benchStack(
  stackLayout: StackLayout,
  instance: number,
  opts: { cold: number; warm: number },
): Promise<{ result: StackResult; stack: RunningBenchStack }> {
  const cold: number[] = [];
  const warm: number[] = [];
  let memoryCold!: ReturnType<typeof stackMemory>;
  let memoryWarm!: ReturnType<typeof stackMemory>;
  for (let i = 0; i < opts.cold; i++) {
    wipe(stackLayout);
    const s = await startStackProcess(stackLayout, instance);
    cold.push(s.readyMs);
    memoryCold = stackMemory(s.child.pid!);
    logLine(
      'stack',
      `cold start ${i + 1}/${opts.cold}: ready in ${(s.readyMs / 1000).toFixed(2)} s, ${memoryCold.pssMiB} MiB PSS (${memoryCold.rssMiB} MiB RSS)`,
    );
    await s.stop();
  }
  let stack!: RunningBenchStack;
  for (let i = 0; i < opts.warm; i++) {
    stack = await startStackProcess(stackLayout, instance);
    warm.push(stack.readyMs);
    memoryWarm = stackMemory(stack.child.pid!);
    logLine(
      'stack',
      `warm start ${i + 1}/${opts.warm}: ready in ${(stack.readyMs / 1000).toFixed(2)} s, ${memoryWarm.pssMiB} MiB PSS (${memoryWarm.rssMiB} MiB RSS)`,
    );
    if (i < opts.warm - 1) await stack.stop();
  }
  return {
    result: {
      cold: { ...summarize(cold), samples: cold.map((x) => round(x, 1)) },
      warm: { ...summarize(warm), samples: warm.map((x) => round(x, 1)) },
      memoryCold,
      memoryWarm,
    },
    stack,
  };
}
