// Server-rendered: the tasks are read on the server, as the signed-in user, through RLS.
import { auth } from '@clerk/nextjs/server';
import { serverEnv } from '@/lib/env';
import { queryAsUser } from '@/lib/supabase/server';
import { OpenTasksCount } from './open-tasks-count';
import { AddTaskForm, TaskList } from './task-list';

export default async function DashboardPage() {
  // Signed out (or a session with unfinished tasks): redirect to sign-in, coming back here after.
  const session = await auth.protect();
  // No user_id filter: the policy only returns the caller's rows. (Adding .eq('user_id', ...) would
  // be harmless defence in depth, but it would hide a broken policy instead of exposing it in tests.)
  const { data: tasks, error } = await queryAsUser(session, (db) =>
    db.from('tasks').select('id, title, done').order('created_at', { ascending: false }),
  );

  return (
    <>
      <h1>Your tasks</h1>
      {error ? (
        <p className="error" role="alert">
          Could not load your tasks: {error.message}
        </p>
      ) : (
        <>
          <OpenTasksCount template={serverEnv().CLERK_SUPABASE_TEMPLATE} serverCount={tasks.filter((t) => !t.done).length} />
          <AddTaskForm />
          <TaskList tasks={tasks} />
        </>
      )}
    </>
  );
}
