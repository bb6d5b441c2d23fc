// The local database's schema: local/bootstrap.sql (what the hosted platform provides: roles, the
// auth schema), then supabase/migrations and supabase/seed.sql applied by the Supabase CLI itself.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot, type StackLayout } from './paths.ts';
import { dbPasswords } from './db-passwords.ts';
import { databaseUrl, withSuperuser } from './postgres.ts';
import { writePrivateFile } from './private-files.ts';
import { remoteDatabase, supabaseCli } from './supabase-cli.ts';

/** A fingerprint of everything migrate() applies, so a warm start can skip an unchanged push. */
function schemaFingerprint(): string {
  const hash = createHash('sha256');
  const migrations = path.join(projectRoot, 'supabase/migrations');
  const files = [
    path.join(projectRoot, 'local/bootstrap.sql'),
    ...(fs.existsSync(migrations) ? fs.readdirSync(migrations).sort().map((f) => path.join(migrations, f)) : []),
    path.join(projectRoot, 'supabase/seed.sql'),
  ];
  for (const f of files) if (fs.existsSync(f)) hash.update(f).update(fs.readFileSync(f));
  return hash.digest('hex');
}

/** Applies bootstrap.sql, then supabase/migrations and supabase/seed.sql with the Supabase CLI itself. */
export async function migrate(stackLayout: StackLayout, log: (line: string) => void, opts: { force?: boolean } = {}) {
  const fingerprintFile = path.join(stackLayout.dir, 'applied.sha256');
  const fingerprint = schemaFingerprint();
  const unchanged = !opts.force && fs.existsSync(fingerprintFile) && fs.readFileSync(fingerprintFile, 'utf8') === fingerprint;
  if (!unchanged) fs.rmSync(fingerprintFile, { force: true });
  await withSuperuser(stackLayout.ports.postgres, async (c) => {
    if (!unchanged) await c.query(fs.readFileSync(path.join(projectRoot, 'local/bootstrap.sql'), 'utf8'));
    // On every start: a database from before per-checkout passwords still has the old public one.
    await c.query(`alter role authenticator with password ${c.escapeLiteral(dbPasswords().authenticator)}`);
  });
  if (unchanged) {
    log('[db push] migrations and seed unchanged since the last push; skipped');
    return;
  }
  const remote = remoteDatabase(databaseUrl(stackLayout.ports.postgres));
  const r = supabaseCli(['db', 'push', remote.arg, '--include-seed', '--yes'], remote.env);
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  out.split('\n').filter(Boolean).forEach((x) => log(`[db push] ${x}`));
  if (r.status !== 0) {
    const cause = out.split('\n').find((x) => /ERROR|error/.test(x)) ?? out.trim().split('\n').pop();
    throw new Error(`a migration failed: ${cause?.trim()} (fix the file in supabase/migrations, then run \`npm run db:reset\`)`);
  }
  writePrivateFile(fingerprintFile, fingerprint);
}
