// The task report, built by a Supabase Edge Function (supabase/functions/task-report), not by this
// server: the browser calls the function with the user's Clerk token, the function checks the token
// and the `plan` claim itself, and reads the tasks through row-level security. This page only checks
// the session (as every page does) and says which plan the token carries.
import { auth } from '@clerk/nextjs/server';
import { serverEnv } from '@/lib/env';
import { TaskReport } from './task-report';

export default async function ReportsPage() {
  // Signed out: redirect to sign-in, coming back here after.
  const { sessionClaims } = await auth.protect();
  // A custom session-token claim (Clerk Dashboard -> Sessions -> Customize session token), from public metadata.
  const plan = typeof sessionClaims?.plan === 'string' ? sessionClaims.plan : 'free';
  return (
    <>
      <h1>Task report</h1>
      <p className="muted">
        Built by a Supabase Edge Function from your tasks. Your plan: <strong data-testid="plan">{plan}</strong>.
      </p>
      <TaskReport template={serverEnv().CLERK_SUPABASE_TEMPLATE} />
    </>
  );
}
