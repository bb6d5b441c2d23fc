// Each concept is defined once: every SQL function (or procedure) is created in exactly one file of
// supabase/migrations, so the file that names it is the one to read. A later migration that redefines a
// function whole (`create or replace` again) leaves two definitions a reader has to reconcile: change it
// where it is defined instead (the project keeps no deployed history to preserve).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const migrationsDir = path.resolve(import.meta.dirname, '../../supabase/migrations');

interface Migration {
  file: string;
  sql: string;
}

const migrations = (): Migration[] =>
  fs
    .readdirSync(migrationsDir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((file) => ({ file, sql: fs.readFileSync(path.join(migrationsDir, file), 'utf8') }));

/** The SQL outside comments, string literals and dollar-quoted bodies: where statements are. */
function statementText(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const rest = sql.slice(i);
    const dollar = /^\$([A-Za-z_]\w*)?\$/.exec(rest);
    if (rest.startsWith('--')) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
    } else if (rest.startsWith('/*')) {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else if (sql[i] === "'") {
      // A literal ends at a quote not followed by another ('' is an escaped quote).
      let j = i + 1;
      while (j < sql.length && !(sql[j] === "'" && sql[j + 1] !== "'")) j += sql[j] === "'" ? 2 : 1;
      out += "''";
      i = j + 1;
    } else if (dollar) {
      const end = sql.indexOf(dollar[0], i + dollar[0].length);
      out += '$$';
      i = end === -1 ? sql.length : end + dollar[0].length;
    } else {
      out += sql[i];
      i += 1;
    }
  }
  return out;
}

const identifier = (name: string) => (name.startsWith('"') ? name.slice(1, -1) : name.toLowerCase());

/** Every function each file creates, as schema.name (unqualified: public). */
function functionsCreated(files: Migration[]): Map<string, string[]> {
  const created = new Map<string, string[]>();
  const name = String.raw`("[^"]+"|[A-Za-z_][\w$]*)`;
  const pattern = new RegExp(String.raw`\bcreate\s+(?:or\s+replace\s+)?(?:function|procedure)\s+${name}(?:\s*\.\s*${name})?\s*\(`, 'gi');
  for (const { file, sql } of files) {
    for (const m of statementText(sql).matchAll(pattern)) {
      const fn = m[2] ? `${identifier(m[1])}.${identifier(m[2])}` : `public.${identifier(m[1])}`;
      created.set(fn, [...(created.get(fn) ?? []), file]);
    }
  }
  return created;
}

/** "schema.name: file, file" for every function created more than once. */
function definedMoreThanOnce(files: Migration[]): string[] {
  return [...functionsCreated(files)].filter(([, where]) => where.length > 1).map(([fn, where]) => `${fn}: ${where.join(', ')}`);
}

describe('supabase/migrations: each function is defined in exactly one file', () => {
  it('no function is created in more than one migration (or twice in one)', () => {
    expect(definedMoreThanOnce(migrations())).toEqual([]);
  });

  it('finds the functions where they are defined', () => {
    const created = functionsCreated(migrations());
    const fileOf = (fn: string) => created.get(fn)?.[0];
    expect(fileOf('public.requesting_user_id')).toMatch(/_claim_helpers\.sql$/);
    expect(fileOf('private.clerk_token_problem')).toMatch(/_claim_helpers\.sql$/);
    expect(fileOf('public.ensure_user_profile')).toMatch(/_profiles\.sql$/);
    expect(fileOf('public.apply_clerk_user_event')).toMatch(/_clerk_webhook_events\.sql$/);
    // Every function in the schema, nothing more (what tests/db/hosted-migrate.test.ts sees in the catalog).
    expect([...created.keys()].sort()).toEqual([
      'private.clerk_issuer_pinned',
      'private.clerk_token_problem',
      'private.prune_clerk_webhook_events',
      'private.set_updated_at',
      'private.trust_clerk_claims',
      'public.apply_clerk_user_event',
      'public.ensure_user_profile',
      'public.requesting_org_id',
      'public.requesting_org_role',
      'public.requesting_user_id',
      'public.whoami',
    ]);
  });

  it('fails on a later migration that redefines a function whole', () => {
    const redefinition = {
      file: '20261127120000_clerk_tokens_only.sql',
      sql:
        `-- create function public.not_counted() in a comment\n` +
        `create or replace function "public".Requesting_User_Id()\nreturns text language sql stable set search_path = '' as $$ select 'create function public.in_a_body()' $$;\n` +
        `create function ensure_user_profile() returns void language sql as $body$ select $$create function x()$$ $body$;`,
    };
    expect(definedMoreThanOnce([...migrations(), redefinition])).toEqual([
      expect.stringMatching(/^public\.requesting_user_id: \d+_claim_helpers\.sql, 20261127120000_clerk_tokens_only\.sql$/),
      expect.stringMatching(/^public\.ensure_user_profile: \d+_profiles\.sql, 20261127120000_clerk_tokens_only\.sql$/),
    ]);
  });

  it('ignores what only looks like a definition: comments, string literals, function bodies', () => {
    const sql = `-- create function public.a()\n/* create function public.b() */\nselect 'create function public.c()';\ndo $$ begin execute 'create function public.d() returns int language sql as ''select 1'''; end $$;`;
    expect([...functionsCreated([{ file: 'x.sql', sql }]).keys()]).toEqual([]);
  });
});
