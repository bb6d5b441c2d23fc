-- Claim helpers: who is asking, read from the Clerk token that PostgREST verified and put in
-- `request.jwt.claims`. Every policy and owner-column default asks them; they return null (so every
-- policy is false) for any token they do not trust.
--
-- Why not auth.uid(): it casts `sub` to uuid, and Clerk ids ('user_2abc...') fail with 22P02.
-- Every owner column in this schema is `text` and is compared with these helpers instead.
-- We call Supabase's auth.jwt() but never redefine anything in the auth schema.
--
-- In policies, always call them as `(select public.requesting_user_id())`: the sub-select becomes an
-- InitPlan, evaluated once per statement instead of once per row.
--
-- Which tokens they trust. Supabase accepts more than Clerk's tokens: its own Auth (it gives anyone
-- who signs up an `authenticated` token with a uuid `sub`), any other third-party provider the project
-- adds, and anything signed with the legacy JWT secret. A token counts as Clerk's when:
--   * its issuer is a Clerk Frontend API: one listed in private.clerk_issuers, or, while that table
--     is empty, any issuer of Clerk's shape (https://clerk.<domain> for production instances,
--     https://<slug>.clerk.accounts.dev for development ones, https://clerk.local.localhost locally).
--     Supabase has already checked the signature against a provider the project trusts; the issuer
--     tells Clerk's tokens from the other trusted issuers (Supabase Auth: https://<ref>.supabase.co/auth/v1).
--   * its `sub` is a Clerk user id (user_...);
--   * it is one of the two kinds the app sends, and the token's kind decides where the organisation is:
--       - third-party auth: a Clerk session token v2, so `v: 2` and a session id `sid`; org from `o`
--         (id `o.id`, role `o.rol`, shortened to 'admin');
--       - JWT template: the project's template, which sets `"token_kind": "supabase-template"`
--         (docs/jwt-template.md); org from `org_id`/`org_role` ('org:admin').
--     In third-party mode Supabase trusts every token Clerk signs with the instance key, which includes
--     the tokens of other JWT templates of the instance that any signed-in user can mint by name: one
--     with top-level `org_id`/`org_role` claims must not get that organisation and role;
--   * its session is not pending (`sts`: a session with tasks left, such as choosing an organisation,
--     which auth() already treats as signed out);
--   * the Clerk webhook has not deleted the user (the tombstone in private.clerk_users,
--     20261123120500_clerk_webhook_events.sql): a deleted user's token, valid for up to a minute more,
--     can no longer read or write.
-- whoami() says which rule refused a token.
--
-- The check runs once per transaction, not once per call. The first helper call of a transaction runs
-- it, and when the token passes it remembers the exact claims text it judged in a transaction-local
-- setting (`clerk.trusted_claims`, set_config(..., true)), with the values the helpers return
-- (`clerk.user_id`, `clerk.org_id`, `clerk.org_role`). Every later call compares the claims text with
-- the memo and returns the remembered value: no JSON parse at all. Measured in `npm run bench`
-- (bench/claims.ts), against `auth.jwt() ->> 'sub'` in the same run.
--
-- Why a per-transaction memo keyed by the claims text rather than PostgREST's db-pre-request: the
-- helpers are called on paths that never run PostgREST's hook: Realtime's policy checks (it sets the
-- role, `request.jwt.claims` and `realtime.topic` in its own transaction), direct connections that
-- copy PostgREST's pattern (set_config + set local role), and column defaults. Every one of them sets
-- `request.jwt.claims`, and the memo follows it wherever it is set.
--
-- Why it cannot be forged into trusting a token: the memo is used only when it equals the claims
-- text byte for byte, so it can only ever vouch for the very claims the check passed (claims set
-- anew within a transaction, as Realtime or a test may do, are checked anew); it is
-- transaction-local, so it dies with the request's transaction (PostgREST, Realtime) and never
-- reaches the next user of a pooled connection; and the only way to write it is set_config(), which
-- no API caller can reach (PostgREST exposes functions of the API schemas only, and Realtime runs no
-- caller SQL). Whoever can call set_config() as `authenticated` can set `request.jwt.claims` itself,
-- and is trusted with any identity already: the memo gives such a session nothing it did not have.
-- (Exposing set_config, or any function that sets settings by name, through the API would break
-- both, which is why nothing here does.) One consequence of checking once per transaction: a user
-- deleted while a transaction runs is refused from the next transaction on (a data-API request and
-- a Realtime check are one transaction each).
--
-- Why plpgsql: a SQL function with `set search_path` is never inlined and starts an executor for
-- every call; plpgsql keeps its plans and runs simple expressions directly.
-- Why `set search_path = ''`: a function that runs with the caller's search_path can be tricked
-- into calling a look-alike object (Supabase lint 0011); everything below is schema-qualified.

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

-- The rules, with the reason a token fails them (null: trusted). It reads the same claims text as
-- auth.jwt(). SECURITY DEFINER: it reads the two private tables, which the API roles cannot. It takes
-- no argument, so it only ever judges the caller's own token.
create or replace function private.clerk_token_problem()
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  c jsonb := coalesce(
    coalesce(nullif(pg_catalog.current_setting('request.jwt.claim', true), ''), nullif(pg_catalog.current_setting('request.jwt.claims', true), ''))::jsonb,
    '{}'::jsonb
  );
  iss text := c ->> 'iss';
  sub text := c ->> 'sub';
begin
  if sub is null then
    return 'the token has no sub (signed out, or an API key)';
  end if;
  if exists (select from private.clerk_issuers) then
    if not exists (select from private.clerk_issuers i where i.issuer = iss) then
      return format('issuer %s is not listed in private.clerk_issuers', coalesce(iss, '(none)'));
    end if;
  elsif coalesce(iss, '') !~ '^https://(clerk(\.[a-z0-9-]+)+|[a-z0-9-]+\.clerk\.accounts\.dev)$' then
    return format('issuer %s is not a Clerk Frontend API', coalesce(iss, '(none)'));
  end if;
  if sub !~ '^user_[A-Za-z0-9_-]+$' then
    return format('sub %s is not a Clerk user id', sub);
  end if;
  if c ->> 'v' = '2' then
    if jsonb_typeof(c -> 'sid') is distinct from 'string' or c ->> 'sid' = '' then
      return 'a Clerk session token (v 2) without a session id (sid)';
    end if;
  elsif c ->> 'token_kind' is distinct from 'supabase-template' then
    return 'the token is neither a Clerk session token (v 2 with a sid) nor the project''s JWT template (token_kind "supabase-template")';
  end if;
  if coalesce(c ->> 'sts', 'active') <> 'active' then
    return format('the Clerk session is %s, not active', c ->> 'sts');
  end if;
  if exists (select from private.clerk_users u where u.user_id = sub and u.deleted_at is not null) then
    return format('user %s was deleted (Clerk webhook)', sub);
  end if;
  return null;
end;
$$;
revoke execute on function private.clerk_token_problem() from public, anon;
grant execute on function private.clerk_token_problem() to authenticated, service_role;

-- Runs the check for the current claims and, when they pass, remembers them for the rest of the
-- transaction together with what the helpers read from them (a setting holds text; '' stands for
-- null). Declared STABLE although it writes settings: they are only a memo of its own result, and
-- STABLE keeps the helpers usable where Postgres wants stable functions (index scan keys).
--
-- Organisation claims come from the token's own kind: a session token v2 from `o` (its role shortened
-- to 'admin', here always given as 'org:admin'), the project's template from `org_id`/`org_role`.
create or replace function private.trust_clerk_claims()
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  claims text := coalesce(nullif(pg_catalog.current_setting('request.jwt.claim', true), ''), nullif(pg_catalog.current_setting('request.jwt.claims', true), ''));
  c jsonb;
  org_id text;
  org_role text;
begin
  if claims is null or private.clerk_token_problem() is not null then
    return false;
  end if;
  c := claims::jsonb;
  if c ->> 'v' = '2' then
    org_id := nullif(c -> 'o' ->> 'id', '');
    org_role := case
      when org_id is null then null
      when c -> 'o' ->> 'rol' like 'org:%' then c -> 'o' ->> 'rol'
      else 'org:' || nullif(c -> 'o' ->> 'rol', '')
    end;
  else
    org_id := nullif(c ->> 'org_id', '');
    org_role := case when org_id is not null then nullif(c ->> 'org_role', '') end;
  end if;
  perform pg_catalog.set_config('clerk.user_id', c ->> 'sub', true);
  perform pg_catalog.set_config('clerk.org_id', coalesce(org_id, ''), true);
  perform pg_catalog.set_config('clerk.org_role', coalesce(org_role, ''), true);
  -- Last: the memo counts only once every value it vouches for is in place.
  perform pg_catalog.set_config('clerk.trusted_claims', claims, true);
  return true;
end;
$$;
revoke execute on function private.trust_clerk_claims() from public, anon;
grant execute on function private.trust_clerk_claims() to authenticated, service_role;

-- The helpers: compare the claims text with the memo (or run the check), then read the remembered value.
-- The caller's Clerk user id.
create or replace function public.requesting_user_id()
returns text
language plpgsql
stable
set search_path = ''
as $$
begin
  if coalesce(nullif(pg_catalog.current_setting('request.jwt.claim', true), ''), nullif(pg_catalog.current_setting('request.jwt.claims', true), ''))
       = pg_catalog.current_setting('clerk.trusted_claims', true)
     or private.trust_clerk_claims() then
    return nullif(pg_catalog.current_setting('clerk.user_id', true), '');
  end if;
  return null;
end;
$$;

-- The active organisation (none active: null, so every org policy is false).
create or replace function public.requesting_org_id()
returns text
language plpgsql
stable
set search_path = ''
as $$
begin
  if coalesce(nullif(pg_catalog.current_setting('request.jwt.claim', true), ''), nullif(pg_catalog.current_setting('request.jwt.claims', true), ''))
       = pg_catalog.current_setting('clerk.trusted_claims', true)
     or private.trust_clerk_claims() then
    return nullif(pg_catalog.current_setting('clerk.org_id', true), '');
  end if;
  return null;
end;
$$;

-- The role in the active organisation, always in Clerk's 'org:<role>' form.
create or replace function public.requesting_org_role()
returns text
language plpgsql
stable
set search_path = ''
as $$
begin
  if coalesce(nullif(pg_catalog.current_setting('request.jwt.claim', true), ''), nullif(pg_catalog.current_setting('request.jwt.claims', true), ''))
       = pg_catalog.current_setting('clerk.trusted_claims', true)
     or private.trust_clerk_claims() then
    return nullif(pg_catalog.current_setting('clerk.org_role', true), '');
  end if;
  return null;
end;
$$;

-- Functions are executable by PUBLIC by default, and Supabase's default privileges grant them to
-- anon too: take that back and grant exactly who needs them. service_role needs the helpers
-- because they are column defaults (an insert through the admin client evaluates them).
revoke execute on function public.requesting_user_id(), public.requesting_org_id(), public.requesting_org_role()
  from public, anon, authenticated, service_role;
grant execute on function public.requesting_user_id(), public.requesting_org_id(), public.requesting_org_role()
  to authenticated, service_role;

-- Whether the token's issuer is pinned in private.clerk_issuers (doctor offers the pin when not).
create or replace function private.clerk_issuer_pinned()
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (select from private.clerk_issuers i where i.issuer = auth.jwt() ->> 'iss')
$$;
revoke execute on function private.clerk_issuer_pinned() from public, anon, service_role;
grant execute on function private.clerk_issuer_pinned() to authenticated;

-- What Postgres sees for this request: the first thing to check when a query returns nothing
-- (`role: "anon"` means the token had no `role` claim; a null `sub` means no token arrived or the
-- helpers refused it). `token_problem`: why the helpers refuse the token (null: they trust it).
-- `issuer_pinned`: whether its issuer is listed in private.clerk_issuers.
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
    'issuer_pinned', private.clerk_issuer_pinned(),
    'claims', auth.jwt()
  )
$$;
revoke execute on function public.whoami() from public, anon, authenticated, service_role;
grant execute on function public.whoami() to authenticated;
