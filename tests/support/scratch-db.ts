// A throw-away database on the test stack's Postgres with packages/local-stack/src/bootstrap.sql and every migration
// applied: the place to try a deliberately bad migration without touching the shared database.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { bootstrapSqlFile, projectRoot } from 'clerk-supabase-local-stack';
import { withDb } from './tokens-and-db.ts';

/** A throw-away database with the bootstrap and every migration applied, dropped afterwards. */
export async function withScratchDatabase<T>(fn: (c: pg.Client, url: string) => Promise<T>): Promise<T> {
  const name = `scratch_${randomBytes(5).toString('hex')}`;
  await withDb((c) => c.query(`create database ${name}`));
  const url = process.env.SUPABASE_DB_URL!.replace(/\/[^/]*$/, `/${name}`);
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query(fs.readFileSync(bootstrapSqlFile, 'utf8'));
    const dir = path.join(projectRoot, 'supabase/migrations');
    for (const file of fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .sort()) {
      await client.query(fs.readFileSync(path.join(dir, file), 'utf8'));
    }
    return await fn(client, url);
  } finally {
    await client.end().catch(() => {});
    await withDb((c) => c.query(`drop database if exists ${name} with (force)`));
  }
}
