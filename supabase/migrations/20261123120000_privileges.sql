-- Privileges: new objects start closed, and internal objects live in a schema the API cannot reach.
--
-- Supabase's default privileges give anon and authenticated every privilege on each new table,
-- sequence and function in public: a table a migration forgets to REVOKE on is readable and writable
-- through the Data API as soon as it exists (RLS off until someone turns it on), and a new function
-- is callable by everyone. Every migration here still revokes and grants explicitly; this makes
-- forgetting to do so fail closed instead of open.
--
-- Default privileges belong to the role that creates the objects: this changes them for the role
-- running this migration (`postgres` on hosted Supabase: migrations and the SQL editor). service_role
-- keeps its defaults (it bypasses RLS anyway).
alter default privileges in schema public revoke all on tables from anon, authenticated;
alter default privileges in schema public revoke all on sequences from anon, authenticated;
alter default privileges in schema public revoke all on functions from anon, authenticated;

-- EXECUTE for PUBLIC (every role) is a built-in default of all schemas, which a per-schema rule can
-- only add to: it is taken back globally, then given back where extensions live, so that an
-- extension created later stays usable by the API roles.
alter default privileges revoke execute on functions from public;
alter default privileges in schema extensions grant execute on functions to public;

-- Internal objects live in `private`, a schema the Data API does not expose (config.toml [api]
-- schemas). The API roles may use the schema only to call the claim helpers' checks
-- (20261123120100_claim_helpers.sql; service_role because the helpers are column defaults): nothing
-- else in it is granted to them, so its tables stay out of reach.
create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

-- One trigger function keeps every `updated_at` honest, whatever the client sends.
create or replace function private.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;
revoke execute on function private.set_updated_at() from public;
