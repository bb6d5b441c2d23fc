// What doctor checks against: the configuration the app reads, in Next.js's order of precedence
// (process env, then .env.local, then .env), or, with no Supabase project configured, the running
// local stack's .local/stack.env. Also the shared context every check reads and fills in.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import type { JWTPayload } from 'jose';
import { problem, type CauseId } from './causes.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Loaded {
  env: Record<string, string>;
  sources: string[];
}

const readEnv = (file: string) => parseEnv(fs.readFileSync(file, 'utf8')) as Record<string, string>;

export async function loadConfig(envFile: string | undefined): Promise<Loaded> {
  const files = envFile ? [path.resolve(envFile)] : [path.join(root, '.env.local'), path.join(root, '.env')];
  const env: Record<string, string> = {};
  const sources: string[] = [];
  if (envFile && !fs.existsSync(files[0])) {
    throw problem('env-missing', `--env-file ${envFile} does not exist.`, 'Pass the path of an env file (KEY=value lines).');
  }
  // Lowest precedence first, so that later sources overwrite.
  for (const file of [...files].reverse()) {
    if (!fs.existsSync(file)) continue;
    Object.assign(env, readEnv(file));
    sources.push(file.startsWith(`${process.cwd()}${path.sep}`) ? path.relative(process.cwd(), file) : file);
  }
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && v !== '') env[k] = v;
  if (!env.NEXT_PUBLIC_SUPABASE_URL && !envFile) {
    // Nothing hosted configured: the env file the running local stack writes (`npm run dev`).
    const stackEnv = path.join(root, '.local', 'stack.env');
    if (fs.existsSync(stackEnv)) {
      for (const [k, v] of Object.entries(readEnv(stackEnv))) env[k] ??= v;
      sources.push(path.relative(process.cwd(), stackEnv));
    }
  }
  for (const k of Object.keys(env)) if (env[k] === '') delete env[k];
  return { env, sources };
}

export const JWT_SHAPE = /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/;

/** The Frontend API host a Clerk publishable key encodes: pk_(test|live)_ + base64("<host>$"). */
export function clerkHostFromPublishableKey(pk: string): string | null {
  const m = /^pk_(test|live)_([A-Za-z0-9+/=_-]+)$/.exec(pk);
  if (!m) return null;
  try {
    const decoded = Buffer.from(m[2], 'base64').toString('utf8');
    return decoded.endsWith('$') && decoded.length > 1 && decoded.slice(0, -1).includes('.') ? decoded.slice(0, -1) : null;
  } catch {
    return null;
  }
}

export interface Ctx {
  env: Record<string, string>;
  local: boolean;
  /** The folder doctor runs in (npm run sets it to the project's): where proxy.ts is looked for. */
  projectDir: string;
  template: string | null;
  supabaseUrl: string;
  apikey: string;
  clerkHost: string;
  clerkApiUrl: string;
  token?: string;
  claims?: JWTPayload & { role?: string; o?: { id?: string }; org_id?: string; azp?: string; sts?: string };
  whoami?: {
    role: string;
    sub: string | null;
    org_id: string | null;
    org_role: string | null;
    token_problem?: string | null;
    issuer_pinned?: boolean;
  };
  args: { token?: string; user: string; userGiven: boolean; org?: string; lifetime?: number };
  warnings: { cause: CauseId; message: string; fix: string }[];
  cleanups: (() => Promise<void>)[];
}

export const SUPABASE_KEYS_PAGE = 'Supabase Dashboard -> Project Settings -> API Keys';
export const CLERK_KEYS_PAGE = 'Clerk Dashboard -> API keys';
export const THIRD_PARTY_PAGE = 'Supabase Dashboard -> Authentication -> Sign In / Providers -> Third-Party Auth -> Add provider -> Clerk';
export const ORGANIZATIONS_PAGE =
  'Clerk Dashboard -> Organizations Settings (https://dashboard.clerk.com/last-active?path=organizations-settings)';
export const CLERK_SUPABASE_PAGE =
  'Clerk Dashboard -> Connect with Supabase (https://dashboard.clerk.com/setup/supabase) -> Activate Supabase integration';

export const rest = (ctx: Ctx, p: string) => `${ctx.supabaseUrl.replace(/\/+$/, '')}/rest/v1/${p}`;
export const headers = (ctx: Ctx, withToken = true): Record<string, string> => ({
  apikey: ctx.apikey,
  ...(withToken && ctx.token ? { authorization: `Bearer ${ctx.token}` } : {}),
  'content-type': 'application/json',
});
