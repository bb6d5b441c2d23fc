// The active organisation's projects. Which organisation is active lives in the Clerk session (the
// switcher changes it); the token carries it to Postgres, where the policies read it.
import { OrganizationSwitcher } from '@clerk/nextjs';
import { auth } from '@clerk/nextjs/server';
import { serverEnv } from '@/lib/env';
import { queryAsUser } from '@/lib/supabase/server';
import { OnlineNow } from './online-now';
import { AddProjectForm, DeleteProjectButton } from './project-forms';

export default async function OrgPage() {
  // Signed out: redirect to sign-in, coming back here after.
  const session = await auth.protect();
  const { orgId, orgRole, orgSlug } = session;
  const switcher = (
    <OrganizationSwitcher afterSelectOrganizationUrl="/org" afterSelectPersonalUrl="/org" afterCreateOrganizationUrl="/org" />
  );

  if (!orgId) {
    return (
      <>
        <h1>Organisation</h1>
        {switcher}
        <section className="card empty" aria-labelledby="no-org">
          <h2 id="no-org">No organisation is active</h2>
          <p>Projects belong to an organisation. Choose one, or create one, with the switcher above.</p>
        </section>
      </>
    );
  }

  const { data: projects, error } = await queryAsUser(session, (db) =>
    db.from('projects').select('id, name, created_by').order('created_at', { ascending: false }),
  );
  const isAdmin = orgRole === 'org:admin';

  return (
    <>
      <h1>Organisation {orgSlug ? <span className="muted">{orgSlug}</span> : null}</h1>
      {switcher}
      <p className="muted">
        You are {isAdmin ? 'an admin' : 'a member'} of this organisation{isAdmin ? '' : '; only admins can delete projects'}.
      </p>
      <OnlineNow
        key={orgId}
        orgId={orgId}
        template={serverEnv().CLERK_SUPABASE_TEMPLATE}
        realtime={serverEnv().SUPABASE_REALTIME !== 'off'}
      />
      <AddProjectForm />
      {error ? (
        <p className="error" role="alert">
          Could not load projects: {error.message}
        </p>
      ) : projects.length === 0 ? (
        <p className="empty">No projects yet.</p>
      ) : (
        <ul className="projects" aria-label="Projects">
          {projects.map((p) => (
            <li key={p.id}>
              <span>{p.name}</span>
              {isAdmin && <DeleteProjectButton id={p.id} name={p.name} />}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
