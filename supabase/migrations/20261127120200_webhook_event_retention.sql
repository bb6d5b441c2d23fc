-- The webhook's dedupe table grew by one row per delivery, forever. Svix retries a failed delivery
-- for about a day (the last retry comes some 28 hours after the first attempt), so an event id is
-- kept 7 days, then deleted by the next delivery's insert. A delivery replayed by hand after that is
-- applied again, which is harmless: a created/updated event not newer than the user's last applied
-- one is 'stale' (private.clerk_users keeps that, unpruned), and user.deleted is idempotent.
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
