// The local database's logins on a shared machine: any account can reach 127.0.0.1, so the superuser
// (and with it `COPY ... TO PROGRAM` as the developer, who can read .local/keys.json) and PostgREST's
// `authenticator` must not answer to a password anyone knows. Each checkout has its own random ones,
// in a file only its owner reads; every tool takes them from there or from SUPABASE_DB_URL.
import fs from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { dbPasswordsFile } from '../../src/db-passwords.ts';

const url = new URL(process.env.SUPABASE_DB_URL!);
const login = (user: string, password: string) =>
  new pg.Client({ host: '127.0.0.1', port: Number(url.port), database: 'postgres', user, password, connectionTimeoutMillis: 5000 });

describe('the local database on a shared machine', () => {
  it('another account logs in as the local postgres superuser with postgres/postgres', async () => {
    for (const user of ['postgres', 'authenticator']) {
      await expect(login(user, 'postgres').connect(), user).rejects.toMatchObject({ code: '28P01' });
    }
    // The stack's own connection string works, and carries this checkout's password, not the default.
    expect(decodeURIComponent(url.password)).not.toBe('postgres');
    expect(decodeURIComponent(url.password).length).toBeGreaterThanOrEqual(32);
    const own = new pg.Client({ connectionString: process.env.SUPABASE_DB_URL });
    await own.connect();
    expect((await own.query<{ su: boolean }>('select rolsuper as su from pg_roles where rolname = current_user')).rows[0].su).toBe(true);
    await own.end();
    // The passwords' file is readable by its owner only.
    expect(fs.statSync(dbPasswordsFile).mode & 0o077).toBe(0);
    const stored = JSON.parse(fs.readFileSync(dbPasswordsFile, 'utf8')) as { postgres: string; authenticator: string };
    expect(stored.postgres).toBe(decodeURIComponent(url.password));
    expect(stored.authenticator).not.toBe(stored.postgres);
  });
});
