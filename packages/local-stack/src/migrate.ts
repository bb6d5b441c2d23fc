// The local database's schema: bootstrap.sql (what the hosted platform provides: roles, the
// auth schema), then supabase/migrations and supabase/seed.sql applied by the Supabase CLI itself.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { packageRoot, projectRoot, type StackLayout } from './paths.ts';
import { dbPasswords } from './db-passwords.ts';
import { databaseUrl, withSuperuser } from './postgres.ts';
import { writePrivateFile } from './private-files.ts';
import { remoteDatabase, supabaseCli } from './supabase-cli.ts';

/** A fingerprint of everything migrate() applies, so a warm start can skip an unchanged push. */
function schemaFingerprint(): string {
  const hash = createHash('sha256');
  const migrations = path.join(projectRoot, 'supabase/migrations');
  const files = [
    bootstrapSqlFile,
    ...(fs.existsSync(migrations)
      ? fs
          .readdirSync(migrations)
          .sort()
          .map((f) => path.join(migrations, f))
      : []),
    path.join(projectRoot, 'supabase/seed.sql'),
  ];
  for (const f of files) if (fs.existsSync(f)) hash.update(f).update(fs.readFileSync(f));
  return hash.digest('hex');
}

/** The roles and schemas Supabase provides before any migration (run first on a fresh database). */
export const bootstrapSqlFile = path.join(packageRoot, 'src/bootstrap.sql');

/** Applies bootstrap.sql, then supabase/migrations and supabase/seed.sql with the Supabase CLI itself. */
export async function migrate(stackLayout: StackLayout, log: (line: string) => void, opts: { force?: boolean } = {}) {
  const fingerprintFile = path.join(stackLayout.dir, 'applied.sha256');
  const fingerprint = schemaFingerprint();
  const unchanged = !opts.force && fs.existsSync(fingerprintFile) && fs.readFileSync(fingerprintFile, 'utf8') === fingerprint;
  if (!unchanged) {
    fs.rmSync(fingerprintFile, { force: true });
    await applySchema(databaseUrl(stackLayout.ports.postgres), log);
  }
  // On every start (the role exists once bootstrap.sql ran): a database from before per-checkout
  // passwords still has the old public one.
  await withSuperuser(stackLayout.ports.postgres, async (c) => {
    await c.query(`alter role authenticator with password ${c.escapeLiteral(dbPasswords().authenticator)}`);
  });
  if (unchanged) {
    log('[db push] migrations and seed unchanged since the last push; skipped');
    return;
  }
  writePrivateFile(fingerprintFile, fingerprint);
}

/**
 * bootstrap.sql, then `supabase db push` (new migrations, and the seed) against one database: the
 * stack's, or a test's scratch database. `supabaseDir`: another supabase/ folder (tests add a migration).
 */
export async function applySchema(dbUrl: string, log: (line: string) => void, opts: { supabaseDir?: string } = {}) {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    await client.query(fs.readFileSync(bootstrapSqlFile, 'utf8'));
  } finally {
    await client.end();
  }
  const workdir = opts.supabaseDir ? ['--workdir', path.dirname(opts.supabaseDir)] : [];
  const remote = remoteDatabase(dbUrl);
  const r = supabaseCli([...workdir, 'db', 'push', remote.arg, '--include-seed', '--yes'], remote.env);
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  out
    .split('\n')
    .filter(Boolean)
    .forEach((x) => log(`[db push] ${x}`));
  if (r.status !== 0) {
    const cause = out.split('\n').find((x) => /ERROR|error/.test(x)) ?? out.trim().split('\n').pop();
    throw new Error(`a migration failed: ${cause?.trim()} (fix the file in supabase/migrations, then run \`npm run db:reset\`)`);
  }
}

/** What `npm run db:reset` drops before applying everything again (local/cli.ts). */
export const RESET_SQL =
  'drop schema if exists public cascade; drop schema if exists private cascade; drop schema if exists supabase_migrations cascade; create schema public;';
