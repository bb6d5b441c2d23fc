-- What a hosted Supabase project already has before the first migration runs, recreated for the
-- local stack (and only for it: never put this in supabase/migrations). Definitions follow
-- Supabase's own (supabase/postgres migrations and the auth service's schema) so that policies
-- written here behave the same on hosted projects. Idempotent: safe to run on every start.

do $$
begin
  if not exists (select from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'supabase_admin') then
    create role supabase_admin login superuser createdb createrole replication bypassrls;
  end if;
end
$$;

grant anon, authenticated, service_role to authenticator;
alter role authenticator set statement_timeout = '8s';
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';

create schema if not exists extensions;
create extension if not exists pgcrypto with schema extensions;
grant usage on schema extensions to anon, authenticated, service_role;

-- The public schema as Supabase ships it: usable by the API roles, with default privileges so that
-- tables created by migrations are reachable (RLS then decides what each role sees).
-- The default grants are what a project has when it is created, once: a hosted project never gets
-- them back after a migration has changed them. This file runs again before every push that has
-- something new, so it grants them only to a database no migration has touched yet (a fresh one, or
-- after `npm run db:reset`, which drops the migration history); otherwise it would re-open what
-- 20261123120000_privileges.sql closed, and local and hosted would disagree.
grant usage on schema public to anon, authenticated, service_role;
do $$
begin
  if to_regclass('supabase_migrations.schema_migrations') is null then
    alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
    alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
    alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
  end if;
end
$$;

create schema if not exists auth;
grant usage on schema auth to anon, authenticated, service_role;

-- Supabase's auth helpers, as defined by the auth service. auth.uid() casts `sub` to uuid, which is
-- exactly why Clerk ids (text such as user_2abc) must never be compared through it.
create or replace function auth.uid() returns uuid
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

grant execute on function auth.uid(), auth.role(), auth.jwt() to anon, authenticated, service_role;

-- PostgREST reloads its schema cache on this channel (the Supabase CLI does the same after
-- migrations).
create or replace function extensions.notify_api_restart() returns event_trigger
language plpgsql
as $$
begin
  notify pgrst, 'reload schema';
end;
$$;
drop event trigger if exists api_restart;
create event trigger api_restart on ddl_command_end execute procedure extensions.notify_api_restart();

-- Realtime's schema, as the Realtime server creates it in every hosted project (its tenant
-- migrations): only what private-channel authorisation uses. The local stack runs no Realtime server
-- (it has no build outside containers), but with these objects the policies on realtime.messages in
-- supabase/migrations apply unchanged here, and tests/db/realtime-*.test.ts run Realtime's join check
-- against them. realtime.messages is partitioned by day on hosted projects, with a default partition.
do $$
begin
  if not exists (select from pg_roles where rolname = 'supabase_realtime_admin') then
    create role supabase_realtime_admin nologin noinherit noreplication;
  end if;
end
$$;

create schema if not exists realtime;
grant usage on schema realtime to anon, authenticated, service_role, supabase_realtime_admin;
grant create on schema realtime to supabase_realtime_admin;

-- The channel being joined, which Realtime sets (`realtime.topic`) before it asks the policies.
create or replace function realtime.topic() returns text
language sql stable
as $$
  select nullif(current_setting('realtime.topic', true), '')::text;
$$;
alter function realtime.topic() owner to supabase_realtime_admin;

create table if not exists realtime.messages (
  topic text not null,
  extension text not null,
  payload jsonb,
  event text,
  private boolean default false,
  updated_at timestamp without time zone default now() not null,
  inserted_at timestamp without time zone default now() not null,
  id uuid default gen_random_uuid() not null,
  constraint messages_pkey primary key (id, inserted_at)
) partition by range (inserted_at);
create table if not exists realtime.messages_default partition of realtime.messages default;
alter table realtime.messages owner to supabase_realtime_admin;
alter table realtime.messages_default owner to supabase_realtime_admin;
grant select, insert, update on realtime.messages to anon, authenticated, service_role;
-- Row-level security on, no policy: every private channel is refused until a migration adds some.
alter table realtime.messages enable row level security;
