'use client';
// The organisation's project forms, through useSessionAction like the task forms (lib/use-session-action.ts).
import { useActionState } from 'react';
import { useSessionAction } from '@/lib/use-session-action';
import { addProject, deleteProject } from './actions';

export function AddProjectForm() {
  const [state, action, pending] = useActionState(useSessionAction(addProject), {});
  return (
    <form action={action} className="add-task">
      <label htmlFor="new-project-name">New project</label>
      <div className="row">
        <input
          id="new-project-name"
          name="name"
          defaultValue={state.name}
          maxLength={100}
          aria-invalid={Boolean(state.error)}
          aria-describedby="new-project-error"
        />
        <button type="submit" disabled={pending}>
          Add
        </button>
      </div>
      <p id="new-project-error" className="error" role="alert">
        {state.error}
      </p>
    </form>
  );
}

export function DeleteProjectButton({ id, name }: { id: string; name: string }) {
  const [state, action, pending] = useActionState(useSessionAction(deleteProject), {});
  return (
    <form action={action} className="inline">
      <input type="hidden" name="id" value={id} />
      <button type="submit" className="danger" disabled={pending} aria-label={`Delete project: ${name}`}>
        Delete
      </button>
      {state.error && (
        <span className="error" role="alert">
          {state.error}
        </span>
      )}
    </form>
  );
}
