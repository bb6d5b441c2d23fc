-- Private Realtime channels (Broadcast and Presence), authorised by the Clerk token.
--
-- When a client joins a channel with `private: true`, Realtime asks Postgres, as the caller's role
-- with the caller's claims in `request.jwt.claims` and the channel name in `realtime.topic`: may it
-- `select` (receive) and `insert` (send) rows of realtime.messages for each extension (`broadcast`,
-- `presence`)? It rolls the check back; nothing is stored. The rows' `extension` says which feature
-- is asked about, `(select realtime.topic())` which channel.
--
-- Topics:
--   org:<org id>    the members of that organisation, while it is their active one (token claims
--                   o.id or org_id, read through requesting_org_id(), both token versions)
--   user:<user id>  that user alone (across their tabs and devices)
-- Anything else, anon, a pending session and a token the claim helpers do not trust: refused.
--
-- Clerk ids are text: examples written with `auth.uid()` (a uuid cast) fail here. Keep the helpers
-- in `(select ...)` so Postgres evaluates them once per check, not once per row.
-- Hosted projects also need Realtime -> Settings -> "Allow public access" off, so that no client
-- can join a channel without `private: true` (see docs/realtime.md).

create policy "realtime: org members and the user themself receive on their topics"
  on realtime.messages for select
  to authenticated
  using (
    realtime.messages.extension in ('broadcast', 'presence')
    and (
      (select realtime.topic()) = 'org:' || (select public.requesting_org_id())
      or (select realtime.topic()) = 'user:' || (select public.requesting_user_id())
    )
  );

create policy "realtime: org members and the user themself send on their topics"
  on realtime.messages for insert
  to authenticated
  with check (
    realtime.messages.extension in ('broadcast', 'presence')
    and (
      (select realtime.topic()) = 'org:' || (select public.requesting_org_id())
      or (select realtime.topic()) = 'user:' || (select public.requesting_user_id())
    )
  );
