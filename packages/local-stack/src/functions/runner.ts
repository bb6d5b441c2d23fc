// Runs the project's Edge Functions on real Deno (the npm package `deno`), one process per function,
// the way `supabase functions serve` does without its Docker image: each function's own deno.json,
// its `npm:` imports resolved from the project's node_modules (no network, nothing downloaded), the
// environment Supabase gives functions, and, with `watch` (npm run dev), a restart when a file under
// supabase/functions changes. The gateway (local/functions/route.ts) serves them at /functions/v1/<name>.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { localRoot } from '../paths.ts';
import { parseEnv } from '../env-file.ts';
import { endsWithThisProcess } from '../child-processes.ts';
import { denoBinary, discoverFunctions, functionsDir, type EdgeFunction } from './config.ts';

export interface RunningFunctions {
  functions: EdgeFunction[];
  /** Whether each function's process accepts connections now. */
  status(): Promise<Record<string, boolean>>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const denoServe = path.join(path.dirname(fileURLToPath(import.meta.url)), 'deno-serve.ts');

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * The secrets a hosted function gets by default, minus the ones that bypass row-level security
 * (SUPABASE_SERVICE_ROLE_KEY, SUPABASE_SECRET_KEYS, SUPABASE_DB_URL): a function that reaches for
 * them fails here first. Plus supabase/functions/.env, which `supabase functions serve` loads too.
 */
function functionEnv(vars: Record<string, string>): Record<string, string> {
  const dotenv = path.join(functionsDir, '.env');
  const own = fs.existsSync(dotenv) ? parseEnv(fs.readFileSync(dotenv, 'utf8')) : {};
  return {
    ...Object.fromEntries(Object.entries(own).filter(([k]) => !k.startsWith('SUPABASE_'))),
    ...vars,
    DENO_DIR: path.join(localRoot, 'deno'),
    DENO_NO_UPDATE_CHECK: '1',
    DENO_NO_PROMPT: '1',
    NO_COLOR: '1',
  };
}

export function startFunctions(
  firstPort: number,
  env: Record<string, string>,
  log: (line: string) => void,
  opts: { watch?: boolean } = {},
): RunningFunctions {
  const functions = discoverFunctions(firstPort);
  const children = new Map<string, ChildProcess>();
  let wanted = false;

  const launch = (fn: EdgeFunction) => {
    const config = path.join(fn.dir, 'deno.json');
    const args = [
      'run',
      // npm: imports come from node_modules, never the registry; remote (jsr:, https:) ones from Deno's cache only.
      '--node-modules-dir=manual',
      '--cached-only',
      ...(fs.existsSync(config) ? ['--config', config] : []),
      '--allow-env',
      '--allow-net',
      // Its own files (Supabase's runtime lets a function read its bundle), to load it.
      `--allow-read=${functionsDir}`,
      ...(opts.watch ? [`--watch=${functionsDir}`, '--no-clear-screen'] : []),
      denoServe,
      String(fn.port),
      fn.entry,
    ];
    const child = endsWithThisProcess(
      spawn(denoBinary(), args, { cwd: fn.dir, env: functionEnv(env) as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    children.set(fn.name, child);
    const forward = (chunk: Buffer) =>
      chunk
        .toString()
        .split('\n')
        .filter(Boolean)
        .forEach((x) => log(`[fn ${fn.name}] ${x}`));
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    child.once('exit', (code, signal) => {
      if (children.get(fn.name) === child) children.delete(fn.name);
      // The gateway answers 503 for it from now on, and stack:status shows it down.
      if (wanted) log(`[fn ${fn.name}] Deno exited (code ${code}, signal ${signal}); the function is down until the stack restarts it`);
    });
    return child;
  };

  const start = async () => {
    wanted = true;
    const started = functions.filter((fn) => !children.has(fn.name)).map((fn) => [fn, launch(fn)] as const);
    // Ready when it listens; a function that fails to load is reported, not waited for forever.
    await Promise.all(
      started.map(async ([fn, child]) => {
        const deadline = Date.now() + 30_000;
        while (!(await portOpen(fn.port))) {
          if (child.exitCode !== null || Date.now() > deadline) {
            log(`[fn ${fn.name}] did not start listening on ${fn.port}; see the lines above`);
            return;
          }
          await new Promise((r) => setTimeout(r, 25));
        }
      }),
    );
  };

  const stop = async () => {
    wanted = false;
    await Promise.all(
      [...children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
            child.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    children.clear();
  };

  const status = async () =>
    Object.fromEntries(await Promise.all(functions.map(async (fn) => [fn.name, await portOpen(fn.port)] as const)));
  return { functions, status, start, stop };
}
