-- Local sample data, matching the local Clerk stand-in's accounts (local/clerk/store.ts):
--   alice (user_alice): admin of Acme (org_acme)
--   bob   (user_bob):   member of Acme
--   carol (user_carol): admin of Globex (org_globex)
-- Fixed ids and ON CONFLICT DO NOTHING: safe to run again. Tests use these rows read-only.

insert into public.profiles (id, display_name, email) values
  ('user_alice', 'Alice Anders', 'alice@example.test'),
  ('user_bob', 'Bob Brown', 'bob@example.test'),
  ('user_carol', 'Carol Chen', 'carol@example.test')
on conflict (id) do nothing;

insert into public.tasks (id, user_id, title, done) values
  ('00000000-0000-4000-8000-00000000a001', 'user_alice', 'Write the launch post', false),
  ('00000000-0000-4000-8000-00000000a002', 'user_alice', 'Review Bob''s pull request', true),
  ('00000000-0000-4000-8000-00000000a003', 'user_alice', 'Book the team offsite', false),
  ('00000000-0000-4000-8000-00000000b001', 'user_bob', 'Fix the flaky login test', false),
  ('00000000-0000-4000-8000-00000000b002', 'user_bob', 'Update dependencies', true),
  ('00000000-0000-4000-8000-00000000c001', 'user_carol', 'Prepare the quarterly report', false),
  ('00000000-0000-4000-8000-00000000c002', 'user_carol', 'Interview a candidate', false)
on conflict (id) do nothing;

insert into public.projects (id, org_id, created_by, name) values
  ('00000000-0000-4000-8000-0000000ac001', 'org_acme', 'user_alice', 'Website relaunch'),
  ('00000000-0000-4000-8000-0000000ac002', 'org_acme', 'user_bob', 'Mobile app'),
  ('00000000-0000-4000-8000-0000000ac003', 'org_acme', 'user_alice', 'Customer portal'),
  ('00000000-0000-4000-8000-0000000c1b01', 'org_globex', 'user_carol', 'Data warehouse'),
  ('00000000-0000-4000-8000-0000000c1b02', 'org_globex', 'user_carol', 'Hiring plan')
on conflict (id) do nothing;
