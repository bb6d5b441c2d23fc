// A table, sequence or function a later migration adds without its own GRANTs starts closed to the
// API roles (supabase/migrations/20261127120100_closed_by_default.sql). Created as the role that runs
// the migrations, in a scratch database with the bootstrap and every migration applied.
import { describe, expect, it } from 'vitest';
import { withScratchDatabase } from '../support/scratch-db.ts';

describe('objects a later migration creates', () => {
  it('a table added without grants is readable and writable by anon or authenticated', async () => {
    await withScratchDatabase(async (c) => {
      await c.query(`create table public.added_later (id bigint generated always as identity primary key, owner text)`);
      await c.query(`create function public.added_later_fn() returns int language sql as $$ select 1 $$`);
      await c.query(`create function public.added_later_definer() returns int language sql security definer set search_path = '' as $$ select 1 $$`);
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

  it('a function added to the extensions schema stays usable by the API roles', async () => {
    await withScratchDatabase(async (c) => {
      await c.query(`create function extensions.added_later_ext() returns int language sql as $$ select 1 $$`);
      const { rows } = await c.query(`select has_function_privilege('authenticated', 'extensions.added_later_ext()', 'execute') as ok`);
      expect(rows[0].ok).toBe(true);
    });
  });
});
