-- Claim helpers: who is asking, read from the Clerk token that PostgREST verified and put in
-- `request.jwt.claims`. They work with both token kinds Clerk can send:
--   * session token v2 (third-party auth, the default): sub, o.id, o.rol ('admin', 'member', ...)
--   * JWT-template token (HS256, the older integration): sub, org_id, org_role ('org:admin', ...)
--
-- Why not auth.uid(): it casts `sub` to uuid, and Clerk ids ('user_2abc...') fail with 22P02.
-- Every owner column in this schema is `text` and is compared with these helpers instead.
-- We call Supabase's auth.jwt() but never redefine anything in the auth schema.
--
-- Why `set search_path = ''`: a function that runs with the caller's search_path can be tricked
-- into calling a look-alike object (Supabase lint 0011); everything below is schema-qualified.
--
-- In policies, always call them as `(select public.requesting_user_id())`: the sub-select becomes an
-- InitPlan, evaluated once per statement instead of once per row.

-- Internal objects live in `private`, a schema the Data API does not expose (config.toml [api]
-- schemas) and the API roles cannot use.
create schema if not exists private;
revoke all on schema private from public;

create or replace function public.requesting_user_id()
returns text
language sql
stable
set search_path = ''
as $$
  select nullif(auth.jwt() ->> 'sub', '')
$$;

-- The active organisation. A session token carries it in `o` only while the user has one active;
-- a template token in `org_id`. No active org -> null -> every org policy is false.
create or replace function public.requesting_org_id()
returns text
language sql
stable
set search_path = ''
as $$
  select case
    when auth.jwt() ? 'o' then nullif(auth.jwt() -> 'o' ->> 'id', '')
    else nullif(auth.jwt() ->> 'org_id', '')
  end
$$;

-- The role in the active organisation, always in Clerk's 'org:<role>' form. Session tokens v2
-- shorten it ('admin'), template tokens keep the full key ('org:admin'). Org id and role are read
-- from the same place, so a token can never pair one kind's org with the other kind's role.
create or replace function public.requesting_org_role()
returns text
language sql
stable
set search_path = ''
as $$
  select case
    when auth.jwt() ? 'o' then
      case
        when nullif(auth.jwt() -> 'o' ->> 'id', '') is null then null
        when auth.jwt() -> 'o' ->> 'rol' like 'org:%' then auth.jwt() -> 'o' ->> 'rol'
        else 'org:' || nullif(auth.jwt() -> 'o' ->> 'rol', '')
      end
    when nullif(auth.jwt() ->> 'org_id', '') is null then null
    else nullif(auth.jwt() ->> 'org_role', '')
  end
$$;

-- What Postgres sees for this request: the first thing to check when a query returns nothing
-- (`role: "anon"` means the token had no `role` claim; a null `sub` means no token arrived).
create or replace function public.whoami()
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'role', current_user,
    'sub', public.requesting_user_id(),
    'org_id', public.requesting_org_id(),
    'org_role', public.requesting_org_role(),
    'claims', auth.jwt()
  )
$$;

-- Functions are executable by PUBLIC by default, and Supabase's default privileges grant them to
-- anon too: take that back and grant exactly who needs them. service_role needs the helpers
-- because they are column defaults (an insert through the admin client evaluates them).
revoke execute on function public.requesting_user_id(), public.requesting_org_id(), public.requesting_org_role(), public.whoami()
  from public, anon, authenticated, service_role;
grant execute on function public.requesting_user_id(), public.requesting_org_id(), public.requesting_org_role()
  to authenticated, service_role;
grant execute on function public.whoami() to authenticated;

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
