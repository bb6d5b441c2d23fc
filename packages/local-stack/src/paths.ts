// Where the local stack keeps its state and which ports it uses. Two profiles: `dev` (what
// `npm run dev` and `npm run stack:up` use) and `test` (a separate, throw-away instance started by
// `npm test`, so tests never touch your dev data). Everything lives in the git-ignored `.local/`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { postgresDataDir } from './postgres-as-root.ts';

/** This package's own folder (its SQL, its CLI). */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/**
 * The app the stack serves: the folder the command runs in (npm runs scripts in the package's own
 * folder). The stack reads its supabase/ (migrations, seed, functions, config.toml) and keeps its
 * state in its .local/.
 */
export const projectRoot = path.resolve(process.env.LOCAL_STACK_APP_ROOT ?? process.cwd());
export const localRoot = path.join(projectRoot, '.local');
/** Local instance keys: generated on first run, shared by both profiles, never committed. */
export const keysFile = path.join(localRoot, 'keys.json');

/**
 * Where npm installed a package (or `.bin/<name>`): the nearest node_modules above this package, as
 * Node resolves them; a workspace's dependencies are usually hoisted to the root's node_modules.
 */
export function installedPath(name: string): string {
  for (let dir = packageRoot; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return path.join(packageRoot, 'node_modules', name);
  }
}

export type Profile = 'dev' | 'test';

export function profileFromEnv(): Profile {
  const p = process.env.LOCAL_STACK_PROFILE ?? 'dev';
  if (p !== 'dev' && p !== 'test') throw new Error(`LOCAL_STACK_PROFILE must be "dev" or "test", not "${p}"`);
  return p;
}

export interface StackLayout {
  profile: Profile;
  dir: string;
  pgData: string;
  logs: string;
  clerkStore: string;
  pidFile: string;
  envFile: string;
  /** `functions`: the first Edge Function's port; the others follow (local/functions/config.ts). */
  ports: {
    gateway: number;
    postgres: number;
    postgrest: number;
    postgrestAdmin: number;
    clerkBackend: number;
    clerkFrontend: number;
    control: number;
    functions: number;
    app: number;
  };
}

/**
 * LOCAL_STACK_INSTANCE=N (1-9) gives the test profile its own folder and ports, so that several
 * test runs can share a machine without touching each other. 10-39 are the scratch instances that
 * some tests start beside their run's stack (see scratchInstance).
 */
export function testInstance(): number {
  const n = Number(process.env.LOCAL_STACK_INSTANCE ?? 0);
  if (!Number.isInteger(n) || n < 0 || n > 39)
    throw new Error('LOCAL_STACK_INSTANCE must be a whole number from 0 to 9 (10-39 are used by the tests themselves)');
  return n;
}

/** A second, throw-away stack a test starts next to its run's own: unique per run instance (0-9) and purpose. */
export function scratchInstance(purpose: 'dev-command' | 'stack-cli' | 'example'): number {
  return 10 + (testInstance() % 10) * 3 + { 'dev-command': 0, 'stack-cli': 1, example: 2 }[purpose];
}

export function layout(profile: Profile = profileFromEnv(), instance = profile === 'test' ? testInstance() : 0): StackLayout {
  // The dev profile keeps the Supabase CLI's well-known ports (54321 API, 54322 database). Test
  // instances sit below Linux's ephemeral range (32768-60999), where an outgoing connection could
  // hold a port the next test stack needs.
  const base = profile === 'dev' ? 54321 : 25321 + instance * 100;
  const dir = path.join(localRoot, instance ? `${profile}-${instance}` : profile);
  return {
    profile,
    dir,
    // As root, outside .local (see local/postgres-as-root.ts).
    pgData: postgresDataDir(projectRoot, dir),
    logs: path.join(dir, 'logs'),
    clerkStore: path.join(dir, 'clerk.json'),
    pidFile: path.join(dir, 'stack.pid'),
    envFile: profile === 'dev' ? path.join(localRoot, 'stack.env') : path.join(dir, 'stack.env'),
    ports: {
      gateway: base,
      postgres: base + 1,
      postgrest: base + 4,
      postgrestAdmin: base + 5,
      clerkBackend: base + 6,
      clerkFrontend: base + 7,
      control: base + 8,
      functions: base + 10,
      app: profile === 'dev' ? 3000 : 3100 + instance * 10,
    },
  };
}

/**
 * Runs `next build`/`next dev` with a custom distDir without leaving tsconfig.json modified: Next
 * adds the folder's types to its `include`, which would show up as a change in every clone.
 */
export async function keepingTsconfig<T>(fn: () => Promise<T>): Promise<T> {
  const file = path.join(projectRoot, 'tsconfig.json');
  const committed = fs.readFileSync(file, 'utf8');
  try {
    return await fn();
  } finally {
    if (fs.readFileSync(file, 'utf8') !== committed) fs.writeFileSync(file, committed);
  }
}
