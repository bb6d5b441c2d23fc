// The project's own schema rules, for what Supabase's linter (`supabase db advisors`) does not see.
// Each check is a catalog query; a finding names the object and the rule it breaks.
//   claim-call-per-row   a policy calls a claim helper (requesting_*, auth.*, realtime.topic, current_setting) outside
//                        a `(select ...)`, so Postgres evaluates it once per row instead of once
//   policy-column-unindexed  a column a policy's USING clause filters on leads no index
//   rls-disabled         a table in an exposed schema has row-level security off
//   policy-not-authenticated a policy applies to roles other than `authenticated` (e.g. PUBLIC, anon)
//   anon-table-privilege anon holds a privilege on a table in an exposed schema
//   definer-callable-by-anon a SECURITY DEFINER function in an exposed schema is executable by anon
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { projectRoot } from 'clerk-supabase-local-stack';

export interface Finding {
  rule: string;
  object: string;
  detail: string;
}

/** The schemas the Data API exposes, from supabase/config.toml ([api] schemas). */
function exposedSchemas(): string[] {
  const toml = fs.readFileSync(path.join(projectRoot, 'supabase/config.toml'), 'utf8');
  const api = toml.slice(toml.indexOf('[api]'));
  const m = /^schemas\s*=\s*\[([^\]]*)\]/m.exec(api);
  return m ? [...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]) : ['public'];
}

const CLAIM_CALL = /\b(requesting_\w+|auth\.\w+|realtime\.topic|current_setting)\s*\(/;

/** Removes every `( SELECT ... )` group: what is inside runs once per statement (an InitPlan). */
function withoutSubselects(expr: string): string {
  let out = '';
  for (let i = 0; i < expr.length; i++) {
    if (expr.startsWith('( SELECT', i) || expr.startsWith('(SELECT', i)) {
      let depth = 0;
      for (; i < expr.length; i++) {
        if (expr[i] === '(') depth++;
        else if (expr[i] === ')' && --depth === 0) break;
      }
      out += '(subselect)';
      continue;
    }
    out += expr[i];
  }
  return out;
}

export async function policyFindings(c: pg.Client | pg.PoolClient, schemas = exposedSchemas()): Promise<Finding[]> {
  const findings: Finding[] = [];

  const policies = await c.query<{
    schemaname: string;
    tablename: string;
    policyname: string;
    roles: string[];
    qual: string | null;
    with_check: string | null;
  }>(`select schemaname, tablename, policyname, roles::text[] as roles, qual, with_check from pg_policies where schemaname = any($1)`, [
    schemas,
  ]);
  const columns = await c.query<{ table: string; column: string; indexed: boolean }>(
    `select n.nspname || '.' || t.relname as table, a.attname as column,
            exists (select 1 from pg_index i where i.indrelid = t.oid and i.indkey[0] = a.attnum) as indexed
       from pg_class t
       join pg_namespace n on n.oid = t.relnamespace
       join pg_attribute a on a.attrelid = t.oid and a.attnum > 0 and not a.attisdropped
      where n.nspname = any($1) and t.relkind in ('r', 'p')`,
    [schemas],
  );

  for (const p of policies.rows) {
    const name = `${p.schemaname}.${p.tablename} "${p.policyname}"`;
    for (const [clause, expr] of [
      ['using', p.qual],
      ['with check', p.with_check],
    ] as const) {
      if (!expr) continue;
      const bare = CLAIM_CALL.exec(withoutSubselects(expr));
      if (bare)
        findings.push({ rule: 'claim-call-per-row', object: name, detail: `${clause} calls ${bare[1]}() outside (select ...): ${expr}` });
    }
    if (!(p.roles.length === 1 && p.roles[0] === 'authenticated')) {
      findings.push({
        rule: 'policy-not-authenticated',
        object: name,
        detail: `applies to ${p.roles.join(', ')}; write it \`to authenticated\``,
      });
    }
    if (p.qual) {
      for (const col of columns.rows.filter((x) => x.table === `${p.schemaname}.${p.tablename}`)) {
        if (!col.indexed && new RegExp(`(^|[^\\w."])"?${col.column}"?($|[^\\w"])`).test(withoutSubselects(p.qual))) {
          findings.push({
            rule: 'policy-column-unindexed',
            object: name,
            detail: `filters on ${col.table}.${col.column}, which leads no index`,
          });
        }
      }
    }
  }

  const noRls = await c.query<{ name: string }>(
    `select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any($1) and c.relkind in ('r', 'p') and not c.relrowsecurity`,
    [schemas],
  );
  for (const t of noRls.rows)
    findings.push({ rule: 'rls-disabled', object: t.name, detail: 'row-level security is off in an exposed schema' });

  const anonTables = await c.query<{ name: string }>(
    `select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any($1) and c.relkind in ('r', 'p', 'v', 'm', 'f')
        and has_table_privilege('anon', c.oid, 'select, insert, update, delete, truncate, references, trigger')`,
    [schemas],
  );
  for (const t of anonTables.rows)
    findings.push({ rule: 'anon-table-privilege', object: t.name, detail: 'anon holds a privilege on it; revoke it in the migration' });

  const definers = await c.query<{ name: string }>(
    `select n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' as name
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = any($1) and p.prosecdef and has_function_privilege('anon', p.oid, 'execute')`,
    [schemas],
  );
  for (const f of definers.rows)
    findings.push({
      rule: 'definer-callable-by-anon',
      object: f.name,
      detail: 'SECURITY DEFINER and executable by anon; revoke execute from public, anon',
    });

  return findings;
}
