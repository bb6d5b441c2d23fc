// Where the local stack keeps its state and which ports it uses. Two profiles: `dev` (what
// `npm run dev` and `npm run stack:up` use) and `test` (a separate, throw-away instance started by
// `npm test`, so tests never touch your dev data). Everything lives in the git-ignored `.local/`.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const localRoot = path.join(projectRoot, '.local');
/** Local instance keys: generated on first run, shared by both profiles, never committed. */
export const keysFile = path.join(localRoot, 'keys.json');

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
  ports: { gateway: number; postgres: number; postgrest: number; postgrestAdmin: number; clerkBackend: number; clerkFrontend: number; control: number; app: number };
}

export function layout(profile: Profile = profileFromEnv()): StackLayout {
  // The dev profile keeps the Supabase CLI's well-known ports (54321 API, 54322 database).
  const base = profile === 'dev' ? 54321 : 55321;
  const dir = path.join(localRoot, profile);
  return {
    profile,
    dir,
    pgData: path.join(dir, 'postgres'),
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
      app: profile === 'dev' ? 3000 : 3100,
    },
  };
}
