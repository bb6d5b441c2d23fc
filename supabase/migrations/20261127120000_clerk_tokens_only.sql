-- The claim helpers read a token only when it is Clerk's, for an active session of a user who still
-- exists. Supabase accepts more than Clerk's tokens: its own Auth (on beside third-party auth, it gives
-- anyone who signs up an `authenticated` token with a uuid `sub`), any other third-party provider the
-- project adds, and anything signed with the legacy JWT secret. Before, requesting_user_id() returned
-- the `sub` of any of them, so a Supabase Auth sign-up could insert tasks.
--
-- A token counts as Clerk's when:
--   * its issuer is a Clerk Frontend API: one listed in private.clerk_issuers, or, while that table
--     is empty, any issuer of Clerk's shape (https://clerk.<domain> for production instances,
--     https://<slug>.clerk.accounts.dev for development ones, https://clerk.local.localhost locally).
--     Supabase has already checked the signature against a provider the project trusts; the issuer
--     tells Clerk's tokens from the other trusted issuers (Supabase Auth: https://<ref>.supabase.co/auth/v1).
--     Both token modes carry it: Clerk sets `iss` in session and template tokens alike.
--   * its `sub` is a Clerk user id (user_...);
--   * its session is not pending (`sts`, session token v2: a session with tasks left, such as
--     choosing an organisation, which auth() already treats as signed out);
--   * the Clerk webhook has not deleted the user (the tombstone in private.clerk_users): a deleted
--     user's token, valid for up to a minute more, can no longer read or write.
-- Otherwise every helper returns null, so every policy is false. whoami() says which rule refused it.
--
-- Organisation claims come from the token's own shape only: a session token v2 (`v: 2`) from `o`,
-- a template (or v1 session) token from `org_id`/`org_role`. Another shape cannot pose as a Clerk org.

-- Optional: pin the exact Frontend API URLs (the `iss` of your tokens; Clerk Dashboard -> Domains, or
-- `npm run doctor`, which prints it). Needed when Clerk's Frontend API is served from your own path
-- (a Clerk proxy URL), and stricter when the project trusts several providers. One row per instance:
--   insert into private.clerk_issuers (issuer) values ('https://clerk.example.com');
create table private.clerk_issuers (
  issuer text primary key,
  constraint clerk_issuers_is_https_url check (issuer ~ '^https://[^\s/]+(/[^\s]*[^\s/])?$')
);
comment on table private.clerk_issuers is
  'Optional pin of the Clerk Frontend API URLs (token iss) the claim helpers accept. Empty: any issuer of Clerk''s shape.';
revoke all on table private.clerk_issuers from public, anon, authenticated;

-- Why a token is not one the helpers trust, or null when it is. SECURITY DEFINER: it reads the two
-- private tables, which the API roles cannot. It takes no argument, so it only ever judges the
-- caller's own token.
create or replace function private.clerk_token_problem()
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select case
    when c ->> 'sub' is null then 'the token has no sub (signed out, or an API key)'
    when exists (select 1 from private.clerk_issuers)
      and not exists (select 1 from private.clerk_issuers i where i.issuer = c ->> 'iss')
      then format('issuer %s is not listed in private.clerk_issuers', coalesce(c ->> 'iss', '(none)'))
    when not exists (select 1 from private.clerk_issuers)
      and coalesce(c ->> 'iss', '') !~ '^https://(clerk(\.[a-z0-9-]+)+|[a-z0-9-]+\.clerk\.accounts\.dev)$'
      then format('issuer %s is not a Clerk Frontend API', coalesce(c ->> 'iss', '(none)'))
    when c ->> 'sub' !~ '^user_[A-Za-z0-9_-]+$' then format('sub %s is not a Clerk user id', c ->> 'sub')
    when coalesce(c ->> 'sts', 'active') <> 'active' then format('the Clerk session is %s, not active', c ->> 'sts')
    when exists (select 1 from private.clerk_users u where u.user_id = c ->> 'sub' and u.deleted_at is not null)
      then format('user %s was deleted (Clerk webhook)', c ->> 'sub')
  end
  from (select coalesce(auth.jwt(), '{}'::jsonb) as c) as token
$$;

-- The API roles may use the private schema for this one function (its tables stay out of reach:
-- nothing else in it is granted to them). service_role: the helpers are column defaults.
grant usage on schema private to authenticated, service_role;
revoke execute on function private.clerk_token_problem() from public, anon;
grant execute on function private.clerk_token_problem() to authenticated, service_role;

create or replace function public.requesting_user_id()
returns text
language sql
stable
set search_path = ''
as $$
  select case when private.clerk_token_problem() is null then auth.jwt() ->> 'sub' end
$$;

create or replace function public.requesting_org_id()
returns text
language sql
stable
set search_path = ''
as $$
  select case
    when private.clerk_token_problem() is not null then null
    when auth.jwt() ->> 'v' = '2' then nullif(auth.jwt() -> 'o' ->> 'id', '')
    else nullif(auth.jwt() ->> 'org_id', '')
  end
$$;

create or replace function public.requesting_org_role()
returns text
language sql
stable
set search_path = ''
as $$
  select case
    when private.clerk_token_problem() is not null then null
    when auth.jwt() ->> 'v' = '2' then
      case
        when nullif(auth.jwt() -> 'o' ->> 'id', '') is null then null
        when auth.jwt() -> 'o' ->> 'rol' like 'org:%' then auth.jwt() -> 'o' ->> 'rol'
        else 'org:' || nullif(auth.jwt() -> 'o' ->> 'rol', '')
      end
    when nullif(auth.jwt() ->> 'org_id', '') is null then null
    else nullif(auth.jwt() ->> 'org_role', '')
  end
$$;

-- `token_problem` says why the helpers refused a token (null: they trust it).
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
    'token_problem', private.clerk_token_problem(),
    'claims', auth.jwt()
  )
$$;

-- The same rules for the first-sign-in profile, with the reason in the error.
create or replace function public.ensure_user_profile()
returns public.profiles
language plpgsql
security definer
set search_path = ''
as $$
declare
  uid text := public.requesting_user_id();
  claims jsonb := coalesce(auth.jwt(), '{}'::jsonb);
  profile public.profiles;
begin
  if uid is null then
    raise exception 'ensure_user_profile needs a signed-in Clerk user: %', private.clerk_token_problem() using errcode = '42501';
  end if;

  insert into public.profiles (id, email, display_name, image_url)
  values (
    uid,
    case when char_length(claims ->> 'email') <= 320 then nullif(claims ->> 'email', '') end,
    left(nullif(coalesce(claims ->> 'name', concat_ws(' ', claims ->> 'first_name', claims ->> 'last_name')), ''), 200),
    case when char_length(coalesce(claims ->> 'image_url', claims ->> 'picture')) <= 2048
      then nullif(coalesce(claims ->> 'image_url', claims ->> 'picture'), '') end
  )
  on conflict (id) do nothing;

  select * into profile from public.profiles where id = uid;
  return profile;
end;
$$;
