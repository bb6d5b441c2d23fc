'use client';
// The task forms. They post to server actions through useSessionAction (a session token that expired
// while the tab slept is refreshed and the action sent once more; a submit before hydration is replayed
// by React) and show each action's error next to the task it concerns. Titles are rendered as text, never as HTML.
import { useActionState } from 'react';
import { useSessionAction } from '@/lib/use-session-action';
import { addTask, deleteTask, renameTask, toggleTask, type TaskActionState } from './actions';

export interface Task {
  id: string;
  title: string;
  done: boolean;
}

export function AddTaskForm() {
  const [state, action, pending] = useActionState(useSessionAction(addTask), {});
  return (
    <form action={action} className="add-task">
      <label htmlFor="new-task-title">New task</label>
      <div className="row">
        <input
          id="new-task-title"
          name="title"
          defaultValue={state.title}
          maxLength={200}
          aria-invalid={Boolean(state.error)}
          aria-describedby="new-task-error"
        />
        <button type="submit" disabled={pending}>
          Add
        </button>
      </div>
      <p id="new-task-error" className="error" role="alert">
        {state.error}
      </p>
    </form>
  );
}

const actions = { rename: renameTask, toggle: toggleTask, delete: deleteTask };

function TaskItem({ task }: { task: Task }) {
  // One state per task, so an error shows up beside the task it concerns.
  const run = useSessionAction((form: FormData) => actions[form.get('intent') as keyof typeof actions](form));
  const [state, dispatch, pending] = useActionState((_prev: TaskActionState, form: FormData) => run(form), {});
  const errorId = `task-error-${task.id}`;
  return (
    <li className={task.done ? 'task done' : 'task'} aria-busy={pending}>
      <form action={dispatch}>
        <input type="hidden" name="intent" value="toggle" />
        <input type="hidden" name="id" value={task.id} />
        <input type="hidden" name="done" value={String(!task.done)} />
        <button type="submit" className="toggle" aria-pressed={task.done} aria-label={`Done: ${task.title}`}>
          {task.done ? '✓' : ''}
        </button>
      </form>
      <form action={dispatch} className="rename">
        <input type="hidden" name="intent" value="rename" />
        <input type="hidden" name="id" value={task.id} />
        <input
          name="title"
          defaultValue={state.title ?? task.title}
          maxLength={200}
          aria-label="Task title"
          aria-invalid={Boolean(state.error)}
          aria-describedby={errorId}
        />
        <button type="submit" className="secondary">
          Save
        </button>
      </form>
      <form action={dispatch}>
        <input type="hidden" name="intent" value="delete" />
        <input type="hidden" name="id" value={task.id} />
        <button type="submit" className="danger" aria-label={`Delete: ${task.title}`}>
          Delete
        </button>
      </form>
      <p id={errorId} className="error" role="alert">
        {state.error}
      </p>
    </li>
  );
}

export function TaskList({ tasks }: { tasks: Task[] }) {
  if (!tasks.length) return <p className="empty">No tasks yet. Add your first one above.</p>;
  return (
    <ul className="tasks" aria-label="Your tasks">
      {tasks.map((t) => (
        // The key includes the title so a rename that succeeded resets the input to the saved value.
        <TaskItem key={`${t.id}:${t.title}`} task={t} />
      ))}
    </ul>
  );
}
