// lib/database.types.ts must describe the schema the migrations build. When a migration changes a
// table or function and nobody ran `npm run db:types`, this fails.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateTypes, typesFile } from 'clerk-supabase-local-stack/db-types';
import { withScratchDatabase } from '../support/scratch-db.ts';

describe('generated database types', () => {
  it('match the migrated database (run `npm run db:types` when this fails)', () => {
    const generated = generateTypes(process.env.SUPABASE_DB_URL!);
    expect(generated).toContain('"tasks": {');
    expect(fs.readFileSync(typesFile, 'utf8')).toBe(generated);
  }, 60_000);

  it('stop matching as soon as a migration changes the schema (scratch database)', async () => {
    await withScratchDatabase(async (c, url) => {
      await c.query('alter table public.tasks add column due_on date');
      const drifted = generateTypes(url);
      expect(drifted).toContain('"due_on": string | null;');
      expect(drifted).not.toBe(fs.readFileSync(typesFile, 'utf8'));
    });
  }, 90_000); // a scratch database and the CLI's generator: slow on a busy machine
});
