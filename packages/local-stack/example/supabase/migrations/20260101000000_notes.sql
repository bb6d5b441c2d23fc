-- One table owned by Clerk users: the owner is the token's `sub` (a text Clerk id, not a uuid).
create table public.notes (
  id bigint generated always as identity primary key,
  owner_id text not null default (auth.jwt() ->> 'sub'),
  body text not null
);

alter table public.notes enable row level security;

create policy "Owners read their notes" on public.notes
  for select to authenticated
  using ((select auth.jwt() ->> 'sub') = owner_id);

grant select on table public.notes to authenticated;
