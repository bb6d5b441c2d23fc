// The Supabase CLI (npm `supabase`) as the local stack and the tests run it: against any Postgres URL,
// no telemetry, and with CLERK_DOMAIN set to the local Clerk host, because supabase/config.toml enables
// third-party auth for "env(CLERK_DOMAIN)" and the CLI refuses to load the config without it.
import { spawnSync } from 'node:child_process';
import { LOCAL_FAPI_HOST } from './keys.ts';
import { installedPath, projectRoot } from './paths.ts';

/** `env`: extra variables, e.g. PGPASSWORD, so that no password is in the command line other accounts' `ps` shows. */
export function supabaseCli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(installedPath('.bin/supabase'), args, {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, SUPABASE_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', CLERK_DOMAIN: LOCAL_FAPI_HOST, ...env },
  });
}

/**
 * `--remote=<url>` for a database URL, with its password moved to PGPASSWORD (which the CLI reads): a
 * command line is visible to every account's `ps`, a process's environment is not.
 */
export function remoteDatabase(url: string): { arg: string; env: Record<string, string> } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { arg: `--remote=${u.toString()}`, env: password ? { PGPASSWORD: password } : {} };
}
