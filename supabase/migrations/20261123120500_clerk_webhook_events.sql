-- The Clerk webhook's database side. The route verifies the svix signature, then calls
-- apply_clerk_user_event() once per delivery with the admin (service_role) client. Everything
-- happens in this one function, so one event is one transaction.
--
-- Webhooks are delivered at least once and in no guaranteed order, so:
--   * the svix id (`svix-id` header) dedupes retries: a second delivery returns 'duplicate';
--   * Clerk's `updated_at` (ms) orders created/updated events: an event not newer than the last
--     applied one returns 'stale' and changes nothing;
--   * user.deleted removes the profile and the user's tasks and leaves a tombstone
--     (private.clerk_users.deleted_at), so a late created/updated returns 'deleted_user', and the
--     claim helpers refuse the user's still-valid tokens (20261123120100_claim_helpers.sql).

-- What the webhook knows about each Clerk user: the newest Clerk `updated_at` applied (events can
-- arrive out of order) and, once the user is deleted, a tombstone so that a late user.created or
-- user.updated cannot bring the profile back.
create table private.clerk_users (
  user_id text primary key,
  last_event_at bigint,
  deleted_at timestamptz
);

-- Deliveries already handled, kept 7 days. Svix retries a failed delivery for about a day (the last
-- retry comes some 28 hours after the first attempt); older ids are deleted by the next delivery's
-- insert. A delivery replayed by hand after that is applied again, which is harmless: a
-- created/updated event not newer than the user's last applied one is 'stale' (private.clerk_users
-- keeps that, unpruned), and user.deleted is idempotent.
create table private.clerk_webhook_events (
  event_id text primary key,
  event_type text not null,
  received_at timestamptz not null default now()
);

-- (Supabase's linter calls it unused until a delivery prunes something: accepted in tests/db/linter.test.ts.)
create index clerk_webhook_events_received_at_idx on private.clerk_webhook_events (received_at);
comment on index private.clerk_webhook_events_received_at_idx is
  'Serves the retention delete (private.prune_clerk_webhook_events).';

create or replace function private.prune_clerk_webhook_events()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  delete from private.clerk_webhook_events where received_at < now() - interval '7 days';
  return null;
end;
$$;
revoke execute on function private.prune_clerk_webhook_events() from public, anon, authenticated;

-- Once per insert statement (one per delivery), inside apply_clerk_user_event's transaction.
create trigger clerk_webhook_events_prune
  after insert on private.clerk_webhook_events
  for each statement execute function private.prune_clerk_webhook_events();

create or replace function public.apply_clerk_user_event(event_id text, event_type text, data jsonb)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  uid text := data ->> 'id';
  event_at bigint;
  state private.clerk_users;
  email text;
  display_name text;
begin
  if coalesce(event_id, '') = '' then
    raise exception 'event_id (the svix-id header) is required' using errcode = '22023';
  end if;
  if event_type is null or event_type not in ('user.created', 'user.updated', 'user.deleted') then
    raise exception 'unsupported event type: %', coalesce(event_type, 'null') using errcode = '22023';
  end if;
  if coalesce(uid, '') !~ '^user_[A-Za-z0-9_-]+$' then
    raise exception 'data.id must be a Clerk user id, got %', coalesce(uid, 'null') using errcode = '22023';
  end if;

  insert into private.clerk_webhook_events (event_id, event_type)
  values (apply_clerk_user_event.event_id, apply_clerk_user_event.event_type)
  on conflict on constraint clerk_webhook_events_pkey do nothing;
  if not found then
    return 'duplicate';
  end if;

  -- Lock this user's state row: concurrent events for one user are applied one after the other.
  insert into private.clerk_users (user_id) values (uid) on conflict (user_id) do nothing;
  select * into state from private.clerk_users where user_id = uid for update;

  if event_type = 'user.deleted' then
    delete from public.tasks where user_id = uid;
    delete from public.profiles where id = uid;
    update private.clerk_users set deleted_at = coalesce(deleted_at, now()) where user_id = uid;
    return 'applied';
  end if;

  if state.deleted_at is not null then
    return 'deleted_user';
  end if;

  if jsonb_typeof(data -> 'updated_at') is distinct from 'number' then
    raise exception 'data.updated_at (Clerk''s ms timestamp) is required for %', event_type using errcode = '22023';
  end if;
  event_at := (data ->> 'updated_at')::bigint;
  if state.last_event_at is not null and state.last_event_at >= event_at then
    return 'stale';
  end if;

  -- The primary address, as Clerk marks it; null when the user has none.
  select e ->> 'email_address' into email
  from jsonb_array_elements(coalesce(data -> 'email_addresses', '[]'::jsonb)) as e
  where e ->> 'id' = data ->> 'primary_email_address_id';
  display_name := coalesce(
    nullif(concat_ws(' ', nullif(data ->> 'first_name', ''), nullif(data ->> 'last_name', '')), ''),
    nullif(data ->> 'username', '')
  );

  insert into public.profiles as p (id, display_name, email, image_url)
  values (uid, left(display_name, 200), left(email, 320), left(nullif(data ->> 'image_url', ''), 2048))
  on conflict (id) do update
    set display_name = excluded.display_name, email = excluded.email, image_url = excluded.image_url;
  update private.clerk_users set last_event_at = event_at where user_id = uid;
  return 'applied';
end;
$$;
comment on function public.apply_clerk_user_event(text, text, jsonb) is
  'The Clerk webhook transaction: dedupe on svix id, order on Clerk updated_at, tombstone on user.deleted. '
  'Returns applied | duplicate | stale | deleted_user. service_role only.';

-- Only the server (service_role, after verifying the signature) may apply webhook events.
revoke execute on function public.apply_clerk_user_event(text, text, jsonb) from public, anon, authenticated, service_role;
grant execute on function public.apply_clerk_user_event(text, text, jsonb) to service_role;
