-- New objects start closed. Supabase's default privileges give anon and authenticated every privilege
-- on each new table, sequence and function in public: a table a later migration forgets to REVOKE on
-- is readable and writable through the Data API as soon as it exists (RLS off until someone turns it
-- on), and a new function is callable by everyone. Every migration here already revokes and grants
-- explicitly; from now on, forgetting to do so fails closed instead of open.
--
-- Default privileges belong to the role that creates the objects: this changes them for the role
-- running this migration (`postgres` on hosted Supabase: migrations and the SQL editor). service_role
-- keeps its defaults (it bypasses RLS anyway).
alter default privileges in schema public revoke all on tables from anon, authenticated;
alter default privileges in schema public revoke all on sequences from anon, authenticated;
alter default privileges in schema public revoke all on functions from anon, authenticated;

-- EXECUTE for PUBLIC (every role) is a built-in default of all schemas, which a per-schema rule can
-- only add to: it is taken back globally, then given back where extensions live, so that an
-- extension created later stays usable by the API roles.
alter default privileges revoke execute on functions from public;
alter default privileges in schema extensions grant execute on functions to public;
