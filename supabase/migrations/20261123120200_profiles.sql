-- Profiles: one row per Clerk user, keyed by the Clerk user id (text, e.g. 'user_2abc...').
-- Clerk stays the source of truth; this row is a copy the database can join against. It is
-- written only by ensure_user_profile() (first sign-in) and the Clerk webhook
-- (apply_clerk_user_event, 20261123120500_clerk_webhook_events.sql), so clients get SELECT on their
-- own row and nothing else.
create table public.profiles (
  id text primary key,
  display_name text,
  email text,
  image_url text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint profiles_id_is_clerk_user_id check (id ~ '^user_[A-Za-z0-9_-]+$' and char_length(id) <= 100),
  constraint profiles_display_name_length check (char_length(display_name) <= 200),
  constraint profiles_email_length check (char_length(email) <= 320),
  constraint profiles_image_url_length check (char_length(image_url) <= 2048)
);
comment on table public.profiles is 'One row per Clerk user (id = Clerk user id). Written by ensure_user_profile() and the Clerk webhook.';

create trigger profiles_set_updated_at
  before update on public.profiles
  for each row execute function private.set_updated_at();

alter table public.profiles enable row level security;

-- The primary key index serves this policy's filter.
create policy "profiles: users read their own profile"
  on public.profiles for select
  to authenticated
  using (id = (select public.requesting_user_id()));

-- Start from nothing and grant what each role needs (service_role keeps Supabase's defaults
-- otherwise; naming every role keeps this file right on its own).
revoke all on table public.profiles from anon, authenticated, service_role;
grant select on table public.profiles to authenticated;
grant select, insert, update, delete on table public.profiles to service_role;

-- Called by the app on the first signed-in request: creates the caller's profile from the token,
-- once, and returns it. SECURITY DEFINER because clients have no INSERT on profiles; it takes no
-- arguments, so the only identity it can act for is the token's `sub`, and only while the claim
-- helpers trust the token (a deleted user's or a foreign token is refused with the reason).
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
comment on function public.ensure_user_profile() is
  'Creates the caller''s profile from the token (idempotent) and returns it. Executable by authenticated '
  'only: it takes no arguments and acts only for the token''s sub.';

-- Supabase's linter reports a SECURITY DEFINER function signed-in users can call; this one is meant to
-- be (tests/db/linter.test.ts keeps the accepted finding with its reason).
revoke execute on function public.ensure_user_profile() from public, anon, authenticated, service_role;
grant execute on function public.ensure_user_profile() to authenticated;
