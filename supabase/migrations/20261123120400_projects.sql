-- Projects: organisation rows. Members of the active organisation read, create and rename them;
-- only an org admin deletes. A user with no active organisation sees none.
create table public.projects (
  id uuid primary key default gen_random_uuid(),
  -- From the token's active organisation (o.id or org_id). With no active org the default is null
  -- and the insert is refused.
  org_id text not null default public.requesting_org_id(),
  created_by text not null default public.requesting_user_id(),
  name text not null,
  created_at timestamptz not null default now(),
  constraint projects_name_length check (char_length(name) <= 100 and char_length(btrim(name, E' \t\r\n')) >= 1)
);
comment on table public.projects is 'Organisation projects. Visible to members of the active Clerk organisation.';

-- The policies filter on org_id; lists are newest first.
-- (Supabase's linter calls it unused on a fresh database: accepted in tests/db/linter.test.ts.)
create index projects_org_id_created_at_idx on public.projects (org_id, created_at desc);
comment on index public.projects_org_id_created_at_idx is
  'Serves every projects policy (org_id = the active org) and the newest-first list.';

alter table public.projects enable row level security;

-- null = anything is null, so a token without an active org matches no row.
create policy "projects: members of the active org read its projects"
  on public.projects for select
  to authenticated
  using (org_id = (select public.requesting_org_id()));

create policy "projects: members create projects in the active org"
  on public.projects for insert
  to authenticated
  with check (
    org_id = (select public.requesting_org_id())
    and created_by = (select public.requesting_user_id())
  );

-- WITH CHECK as well as USING: a member cannot move a project into another organisation.
create policy "projects: members update the active org's projects"
  on public.projects for update
  to authenticated
  using (org_id = (select public.requesting_org_id()))
  with check (org_id = (select public.requesting_org_id()));

create policy "projects: only org admins delete"
  on public.projects for delete
  to authenticated
  using (
    org_id = (select public.requesting_org_id())
    and (select public.requesting_org_role()) = 'org:admin'
  );

revoke all on table public.projects from anon, authenticated, service_role;
grant select, delete on table public.projects to authenticated;
grant insert (org_id, created_by, name) on table public.projects to authenticated;
grant update (name) on table public.projects to authenticated;
grant select, insert, update, delete on table public.projects to service_role;
