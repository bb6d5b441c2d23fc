// A table, sequence or function a later migration adds without its own GRANTs starts closed to the
// API roles (supabase/migrations/20261123120000_privileges.sql). Created as the role that runs
// the migrations, in a scratch database with the bootstrap and every migration applied.
//
// And they stay closed on every path the local stack takes (issue 19, item 3): packages/local-stack/src/bootstrap.sql
// runs again before each `db push` that has something new, so its Supabase-like default grants must
// never re-open what an already applied migration closed; otherwise local and hosted disagree.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { applySchema, RESET_SQL } from 'clerk-supabase-local-stack';
import { projectRoot } from 'clerk-supabase-local-stack';
import { withScratchDatabase } from '../support/scratch-db.ts';
import { withDb } from '../support/tokens-and-db.ts';

describe('objects a later migration creates', () => {
  it('a table, sequence or function added without grants is closed to anon and authenticated', async () => {
    await withScratchDatabase(async (c) => {
      await c.query(`create table public.added_later (id bigint generated always as identity primary key, owner text)`);
      await c.query(`create function public.added_later_fn() returns int language sql as $$ select 1 $$`);
      await c.query(
        `create function public.added_later_definer() returns int language sql security definer set search_path = '' as $$ select 1 $$`,
      );
      const { rows } = await c.query<{ role: string; table: boolean; sequence: boolean; fn: boolean; definer: boolean }>(`
        select r as role,
               has_table_privilege(r, 'public.added_later', 'select, insert, update, delete, truncate, references, trigger') as table,
               has_sequence_privilege(r, pg_get_serial_sequence('public.added_later', 'id'), 'usage, select, update') as sequence,
               has_function_privilege(r, 'public.added_later_fn()', 'execute') as fn,
               has_function_privilege(r, 'public.added_later_definer()', 'execute') as definer
          from unnest(array['anon', 'authenticated']) as r`);
      expect(rows).toEqual([
        { role: 'anon', table: false, sequence: false, fn: false, definer: false },
        { role: 'authenticated', table: false, sequence: false, fn: false, definer: false },
      ]);
      // The server's role keeps its defaults, and a migration still opens what it means to.
      expect((await c.query(`select has_table_privilege('service_role', 'public.added_later', 'select') as ok`)).rows[0].ok).toBe(true);
      await c.query('grant select on public.added_later to authenticated');
      expect((await c.query(`select has_table_privilege('authenticated', 'public.added_later', 'select') as ok`)).rows[0].ok).toBe(true);
    });
  });

  it('a function added to the extensions schema stays usable by the API roles (an extension keeps working)', async () => {
    await withScratchDatabase(async (c) => {
      await c.query(`create function extensions.added_later_ext() returns int language sql as $$ select 1 $$`);
      const { rows } = await c.query(`select has_function_privilege('authenticated', 'extensions.added_later_ext()', 'execute') as ok`);
      expect(rows[0].ok).toBe(true);
    });
  });
});

/** A throw-away database, empty: the stack's own code (applySchema) brings it up as it brings up the stack's. */
async function withEmptyDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const name = `paths_${randomBytes(5).toString('hex')}`;
  await withDb((c) => c.query(`create database ${name}`));
  try {
    return await fn(process.env.SUPABASE_DB_URL!.replace(/\/[^/]*$/, `/${name}`));
  } finally {
    await withDb((c) => c.query(`drop database if exists ${name} with (force)`));
  }
}

/** What anon and authenticated may do with a table, a sequence and a function created as a migration would. */
async function privilegesOnNewObjects(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('begin');
    await c.query(`create table public.probe_${randomBytes(3).toString('hex')} (id bigint generated always as identity primary key)`);
    const { rows } = await c.query<{ table: boolean; sequence: boolean; fn: boolean }>(`
      with t as (select c.oid::regclass as rel from pg_class c where c.relname like 'probe\\_%' and c.relkind = 'r' and c.relnamespace = 'public'::regnamespace)
      select bool_or(has_table_privilege(r, t.rel, 'select, insert, update, delete')) as table,
             bool_or(has_sequence_privilege(r, pg_get_serial_sequence(t.rel::text, 'id'), 'usage, select, update')) as sequence,
             false as fn
        from t, unnest(array['anon', 'authenticated']) as r`);
    await c.query(`create function public.probe_fn() returns int language sql as $$ select 1 $$`);
    const fn = await c.query<{ ok: boolean }>(
      `select bool_or(has_function_privilege(r, 'public.probe_fn()', 'execute')) as ok from unnest(array['anon', 'authenticated']) as r`,
    );
    await c.query('rollback');
    return { ...rows[0], fn: fn.rows[0].ok };
  } finally {
    await c.end();
  }
}
const CLOSED = { table: false, sequence: false, fn: false };
const quiet = () => {};

describe('default privileges on every path the local stack takes', () => {
  it("stay closed in the running stack's own database, after its starts and restarts", async () => {
    expect(await privilegesOnNewObjects(process.env.SUPABASE_DB_URL!)).toEqual(CLOSED);
  });

  it('stay closed when the bootstrap runs again before a push (a new migration, a changed seed) and after a db:reset', async () => {
    await withEmptyDatabase(async (url) => {
      // First start: bootstrap, every migration, the seed.
      await applySchema(url, quiet);
      expect(await privilegesOnNewObjects(url), 'first start').toEqual(CLOSED);

      // A start after a changed seed or migration file: the bootstrap runs again, the push has nothing new to close with.
      await applySchema(url, quiet);
      expect(await privilegesOnNewObjects(url), 'bootstrap again, nothing new').toEqual(CLOSED);

      // A new migration (in a copy of supabase/): applied by the push that follows the bootstrap.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'default-privileges-'));
      try {
        fs.cpSync(path.join(projectRoot, 'supabase'), path.join(dir, 'supabase'), { recursive: true });
        fs.writeFileSync(
          path.join(dir, 'supabase/migrations/29991231235959_added_later.sql'),
          'create table public.added_later (id bigint generated always as identity primary key);\n',
        );
        await applySchema(url, quiet, { supabaseDir: path.join(dir, 'supabase') });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        const added = await c.query(
          `select bool_or(has_table_privilege(r, 'public.added_later', 'select, insert')) as open from unnest(array['anon', 'authenticated']) as r`,
        );
        expect(added.rows[0].open, "the new migration's table").toBe(false);
      } finally {
        await c.end();
      }
      expect(await privilegesOnNewObjects(url), 'after a new migration').toEqual(CLOSED);

      // npm run db:reset: drop, bootstrap, every migration again.
      const r = new pg.Client({ connectionString: url });
      await r.connect();
      await r.query(RESET_SQL).finally(() => r.end());
      await applySchema(url, quiet);
      expect(await privilegesOnNewObjects(url), 'after db:reset').toEqual(CLOSED);
    });
  }, 180_000);
});
