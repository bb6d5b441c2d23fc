// The local database's passwords, random per checkout: the `postgres` superuser (migrations, tests,
// doctor) and `authenticator` (PostgREST's login). Kept in .local/db-passwords.json, readable by this
// user only, like the instance keys; every tool reads them from there or from SUPABASE_DB_URL in the
// stack's env file. A fixed password would hand any account on a shared machine a superuser, and with
// it `COPY ... TO PROGRAM` as the developer, who can read .local/keys.json.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { localRoot } from './paths.ts';
import { privateDir, privateFile } from './private-files.ts';

export interface DbPasswords {
  postgres: string;
  authenticator: string;
}

export const dbPasswordsFile = path.join(localRoot, 'db-passwords.json');
/** What every local database used before per-checkout passwords; a start replaces it (local/postgres.ts). */
export const LEGACY_DB_PASSWORD = 'postgres';

let cached: DbPasswords | null = null;

/** This checkout's database passwords, generated on first use. */
export function dbPasswords(): DbPasswords {
  if (cached) return cached;
  privateDir(localRoot);
  const fresh: DbPasswords = { postgres: randomBytes(24).toString('hex'), authenticator: randomBytes(24).toString('hex') };
  try {
    // wx: two processes racing on a fresh clone must not end up with different passwords.
    fs.writeFileSync(dbPasswordsFile, JSON.stringify(fresh, null, 2), { mode: 0o600, flag: 'wx' });
    cached = fresh;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const stored = JSON.parse(fs.readFileSync(privateFile(dbPasswordsFile), 'utf8')) as Partial<DbPasswords>;
    if (typeof stored.postgres !== 'string' || typeof stored.authenticator !== 'string' || !stored.postgres || !stored.authenticator) {
      throw new Error(
        `${dbPasswordsFile} is not this stack's password file (no "postgres" and "authenticator" entries): remove it, and the next start writes a new one.`,
      );
    }
    cached = { postgres: stored.postgres, authenticator: stored.authenticator };
  }
  return cached;
}
