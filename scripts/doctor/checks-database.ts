// The database checks, as the test user: the catalog (when SUPABASE_DB_URL is set), then each app
// table through the data API (own rows only, nothing for anon), then ensure_user_profile().
import { problem } from './causes.ts';
import { applyMigrations, pushCommand } from './hosted-commands.ts';
import { checkRealtimePolicies } from './checks-realtime.ts';
import { headers, rest, type Ctx } from './config.ts';
import { errCode, errMessage, http, networkReason } from './http.ts';

/** The tables this app reads through the data API, and the column that says whose a row is. */
const APP_TABLES = [
  { table: 'profiles', owner: 'id', by: 'sub' },
  { table: 'tasks', owner: 'user_id', by: 'sub' },
  { table: 'projects', owner: 'org_id', by: 'org' },
] as const;

const SYSTEM_SCHEMAS = [
  'pg_catalog',
  'information_schema',
  'pg_toast',
  'auth',
  'extensions',
  'graphql',
  'graphql_public',
  'realtime',
  '_realtime',
  'supabase_functions',
  'supabase_migrations',
  'vault',
  'pgsodium',
  'pgsodium_masks',
  'net',
  'cron',
  'pgbouncer',
  '_analytics',
  'pgtle',
  'private',
];

async function checkCatalog(ctx: Ctx): Promise<string | null> {
  if (!ctx.env.SUPABASE_DB_URL) return null;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: ctx.env.SUPABASE_DB_URL, connectionTimeoutMillis: 8000 });
  try {
    await client.connect();
  } catch (e) {
    ctx.warnings.push({
      cause: 'supabase-unreachable',
      message: `SUPABASE_DB_URL does not connect (${networkReason(e)}); tables checked through the data API only.`,
      fix: 'Copy the connection string from Supabase Dashboard -> Connect (Session pooler), with your database password.',
    });
    return null;
  }
  try {
    const rls = await client.query<{ name: string }>(
      `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity order by 1`,
    );
    if (rls.rows.length) {
      throw problem(
        'rls-disabled',
        `Row-level security is off on public.${rls.rows.map((r) => r.name).join(', public.')}: every role with a GRANT reads and writes all rows through the data API.`,
        `alter table public.${rls.rows[0].name} enable row level security; then add policies "to authenticated" (in a migration, then ${pushCommand(ctx.local)}).`,
      );
    }
    for (const { table } of APP_TABLES) {
      const g = await client.query<{ exists: boolean; select: boolean }>(
        `select to_regclass($1) is not null as exists, coalesce(has_table_privilege('authenticated', to_regclass($1), 'SELECT'), false) as select`,
        [`public.${table}`],
      );
      if (!g.rows[0].exists)
        throw problem('migrations-missing', `public.${table} does not exist.`, `Apply the migrations: ${applyMigrations(ctx.local)}.`);
      if (!g.rows[0].select)
        throw problem(
          'missing-grant',
          `authenticated has no SELECT on public.${table}: the data API answers 403 (42501 permission denied) before RLS is even asked.`,
          `grant select on table public.${table} to authenticated; (in a migration; the ones in supabase/migrations have it: ${pushCommand(ctx.local)}).`,
        );
    }
    const uidPolicies = await client.query<{ schema: string; table: string; policy: string }>(
      `select schemaname as schema, tablename as table, policyname as policy from pg_policies
       where schemaname <> all($1) and (coalesce(qual, '') ~* 'auth\\.uid\\(' or coalesce(with_check, '') ~* 'auth\\.uid\\(')
       order by 1, 2, 3`,
      [SYSTEM_SCHEMAS],
    );
    if (uidPolicies.rows.length) {
      const p = uidPolicies.rows[0];
      throw problem(
        'auth-uid-cast',
        `Policy "${p.policy}" on ${p.schema}.${p.table} calls auth.uid(), which casts sub to uuid: with Clerk ids (user_2abc…) it fails with 22P02 or matches nothing.${uidPolicies.rows.length > 1 ? ` (${uidPolicies.rows.length - 1} more policies do the same.)` : ''}`,
        "Compare a text column with (select auth.jwt() ->> 'sub') or (select public.requesting_user_id()) instead.",
      );
    }
    const uidDefaults = await client.query<{ schema: string; table: string; column: string }>(
      `select n.nspname as schema, c.relname as table, a.attname as column
       from pg_attrdef d join pg_class c on c.oid = d.adrelid join pg_namespace n on n.oid = c.relnamespace
       join pg_attribute a on a.attrelid = d.adrelid and a.attnum = d.adnum
       where n.nspname <> all($1) and n.nspname <> 'storage' and pg_get_expr(d.adbin, d.adrelid) ~* 'auth\\.uid\\(' order by 1, 2, 3`,
      [SYSTEM_SCHEMAS],
    );
    if (uidDefaults.rows.length) {
      const d = uidDefaults.rows[0];
      throw problem(
        'auth-uid-cast',
        `Column ${d.schema}.${d.table}.${d.column} defaults to auth.uid(), which fails for Clerk ids (22P02).`,
        `alter table ${d.schema}.${d.table} alter column ${d.column} set default public.requesting_user_id(); (the column must be text).`,
      );
    }
    const uuidOwners = await client.query<{ schema: string; table: string; column: string }>(
      `select table_schema as schema, table_name as table, column_name as column from information_schema.columns
       where table_schema <> all($1) and table_schema <> 'storage' and data_type = 'uuid'
         and column_name in ('user_id', 'owner_id', 'created_by', 'author_id', 'clerk_user_id', 'clerk_id', 'owner')
       order by 1, 2, 3`,
      [SYSTEM_SCHEMAS],
    );
    if (uuidOwners.rows.length) {
      const u = uuidOwners.rows[0];
      throw problem(
        'uuid-owner-column',
        `${u.schema}.${u.table}.${u.column} is uuid, but Clerk user ids are text (user_2abc…): inserts fail with 22P02 and policies comparing it never match.`,
        `alter table ${u.schema}.${u.table} alter column ${u.column} type text; then compare it with (select public.requesting_user_id()).`,
      );
    }
    const realtime = await checkRealtimePolicies(client);
    return `catalog: RLS on every public table, SELECT granted on app tables, no auth.uid() in policies or defaults, owner columns are text, ${realtime}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function checkTables(ctx: Ctx): Promise<string> {
  const catalog = await checkCatalog(ctx);
  const sub = ctx.claims!.sub!;
  const org = ctx.whoami?.org_id ?? null;
  for (const { table, owner, by } of APP_TABLES) {
    const mine = by === 'sub' ? sub : org;
    const filter = mine ? `&${owner}=neq.${encodeURIComponent(mine)}` : '';
    const asUser = await http(rest(ctx, `${table}?select=${owner}&limit=1${filter}`), { headers: headers(ctx) });
    const code = errCode(asUser);
    if (asUser.status === 403 || (asUser.status === 401 && code === '42501')) {
      throw problem(
        'missing-grant',
        `As ${sub}, reading ${table} is refused: ${asUser.status} ${code} "${errMessage(asUser)}". Tables need a GRANT for the role as well as a policy.`,
        `grant select on table public.${table} to authenticated; (in a migration; the ones in supabase/migrations have it: ${pushCommand(ctx.local)}).`,
      );
    }
    if (asUser.status === 400 && code === '22P02') {
      throw problem(
        'auth-uid-cast',
        `Reading ${table} as ${sub} fails with 22P02 "${errMessage(asUser)}": a policy casts the Clerk id to uuid (auth.uid()) or compares it with a uuid column.`,
        "Make owner columns text and compare them with (select auth.jwt() ->> 'sub') / (select public.requesting_user_id()); set SUPABASE_DB_URL and doctor names the policy.",
      );
    }
    if (asUser.status === 404)
      throw problem(
        'migrations-missing',
        `The data API has no table ${table} (${code}).`,
        `Apply the migrations: ${applyMigrations(ctx.local)}.`,
      );
    if (asUser.status !== 200)
      throw problem(
        'missing-grant',
        `Reading ${table} as ${sub} answered ${asUser.status} ${code}: ${errMessage(asUser)}.`,
        'See Supabase Dashboard -> Logs -> API.',
      );
    if (Array.isArray(asUser.body) && asUser.body.length) {
      throw problem(
        'rls-disabled',
        `As ${sub}${org ? ` in ${org}` : ''}, the data API returns a row of ${table} that is not theirs (${owner} = ${JSON.stringify((asUser.body[0] as Record<string, unknown>)[owner])}): RLS is off or a policy is too wide.`,
        `alter table public.${table} enable row level security; and keep its policies to ${owner} = (select public.requesting_${by === 'sub' ? 'user' : 'org'}_id()).`,
      );
    }
    const asAnon = await http(rest(ctx, `${table}?select=*&limit=1`), { headers: headers(ctx, false) });
    if (asAnon.status === 200 && Array.isArray(asAnon.body) && asAnon.body.length) {
      throw problem(
        'rls-disabled',
        `Signed out (anon), the data API returns rows of ${table}.`,
        `alter table public.${table} enable row level security; revoke all on table public.${table} from anon;`,
      );
    }
  }
  return (
    catalog ??
    `data API: ${APP_TABLES.map((t) => t.table).join(', ')} readable as authenticated, only own rows, nothing for anon (set SUPABASE_DB_URL for the catalog checks)`
  );
}

export async function checkProfile(ctx: Ctx): Promise<string> {
  const sub = ctx.claims!.sub!;
  const before = await http(rest(ctx, `profiles?select=id&id=eq.${encodeURIComponent(sub)}`), { headers: headers(ctx) });
  const existed = Array.isArray(before.body) && before.body.length > 0;
  const r = await http(rest(ctx, 'rpc/ensure_user_profile'), { method: 'POST', headers: headers(ctx), body: '{}' });
  const code = errCode(r);
  if (r.status === 404)
    throw problem(
      'migrations-missing',
      `ensure_user_profile() is missing (${code}).`,
      `Apply the migrations: ${applyMigrations(ctx.local)}.`,
    );
  if (r.status === 401 || r.status === 403) {
    throw problem(
      'missing-grant',
      `authenticated may not execute ensure_user_profile(): ${r.status} ${code} "${errMessage(r)}".`,
      `grant execute on function public.ensure_user_profile() to authenticated; (it is in supabase/migrations: ${pushCommand(ctx.local)}).`,
    );
  }
  const row = r.body as { id?: string } | null;
  if (r.status !== 200 || row?.id !== sub) {
    throw problem(
      'ensure-profile-failed',
      `ensure_user_profile() answered ${r.status}: ${r.status === 200 ? `a row for ${row?.id}` : errMessage(r)}.`,
      `Compare the function with supabase/migrations/*_profiles.sql and re-run ${pushCommand(ctx.local)}.`,
    );
  }
  if (!existed) {
    ctx.warnings.push({
      cause: 'profile-missing',
      message: `${sub} had no profile row: the Clerk webhook (user.created) has not reached this database for them. ensure_user_profile() created it now, as the app does on first sign-in.`,
      fix: "Clerk Dashboard -> Webhooks: an endpoint https://<your app>/api/webhooks/clerk with user.created, user.updated, user.deleted, its Signing Secret in CLERK_WEBHOOK_SIGNING_SECRET; the endpoint's Message Attempts show failed deliveries.",
    });
  }
  return `returns the profile of ${sub}${existed ? '' : ' (created just now)'}`;
}
