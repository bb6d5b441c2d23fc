-- Object comments say what an object is for. (They used to carry markers for the linter test; the
-- accepted linter findings now live with their reasons in tests/db/linter.test.ts.)
comment on index public.tasks_user_id_created_at_idx is
  'Serves every tasks policy (user_id = the caller) and the newest-first list.';
comment on index public.projects_org_id_created_at_idx is
  'Serves every projects policy (org_id = the active org) and the newest-first list.';
comment on function public.ensure_user_profile() is
  'Creates the caller''s profile from the token (idempotent) and returns it. Executable by authenticated '
  'only: it takes no arguments and acts only for the token''s sub.';
