-- Tasks: personal rows. Only the owner reads, creates, changes or deletes them.
create table public.tasks (
  id uuid primary key default gen_random_uuid(),
  -- Text, not uuid: Clerk user ids look like 'user_2abc...'. The default fills it from the token,
  -- so clients never have to send it (and cannot send someone else's: see the insert policy).
  user_id text not null default public.requesting_user_id(),
  title text not null,
  done boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- 1..200 characters once surrounding whitespace is ignored; the raw value is capped too, so
  -- padding cannot smuggle in a huge string.
  constraint tasks_title_length check (char_length(title) <= 200 and char_length(btrim(title, E' \t\r\n')) >= 1)
);
comment on table public.tasks is 'Personal tasks. Owner-only (user_id = the token''s sub).';

create trigger tasks_set_updated_at
  before update on public.tasks
  for each row execute function private.set_updated_at();

-- The policies filter on user_id; "my tasks, newest first" is the query every page runs.
-- (Supabase's linter calls it unused on a fresh database: accepted in tests/db/linter.test.ts.)
create index tasks_user_id_created_at_idx on public.tasks (user_id, created_at desc);
comment on index public.tasks_user_id_created_at_idx is
  'Serves every tasks policy (user_id = the caller) and the newest-first list.';

alter table public.tasks enable row level security;

-- One policy per command, all `to authenticated` (anon never evaluates them), each claim lookup
-- wrapped in (select ...) so it is evaluated once per statement (an InitPlan), not once per row.
create policy "tasks: owners read their tasks"
  on public.tasks for select
  to authenticated
  using (user_id = (select public.requesting_user_id()));

create policy "tasks: users create tasks they own"
  on public.tasks for insert
  to authenticated
  with check (user_id = (select public.requesting_user_id()));

create policy "tasks: owners update their tasks"
  on public.tasks for update
  to authenticated
  using (user_id = (select public.requesting_user_id()))
  with check (user_id = (select public.requesting_user_id()));

create policy "tasks: owners delete their tasks"
  on public.tasks for delete
  to authenticated
  using (user_id = (select public.requesting_user_id()));

-- Explicit grants, whatever the default privileges say. anon gets nothing: an unauthenticated
-- request is refused (401) instead of silently returning an empty list.
-- Column lists keep ids and timestamps server-owned.
revoke all on table public.tasks from anon, authenticated, service_role;
grant select, delete on table public.tasks to authenticated;
grant insert (user_id, title, done) on table public.tasks to authenticated;
grant update (title, done) on table public.tasks to authenticated;
grant select, insert, update, delete on table public.tasks to service_role;
