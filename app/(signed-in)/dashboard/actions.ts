'use server';
// The dashboard's writes. Server actions are public HTTP endpoints: each one checks the session
// first, validates its input with zod and lets row-level security decide whether the row may be touched.
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { newTask, rowId, taskTitle } from '@/lib/schemas';
import { signedInForm } from '@/lib/server-action';
import { queryAsUser, type ClerkSession } from '@/lib/supabase/server';

export interface TaskActionState {
  error?: string;
  /** The title the user typed, kept so a rejected form does not lose it. */
  title?: string;
}

const GONE = { error: 'That task no longer exists. Reload the page.' };
const firstIssue = (error: z.ZodError) => error.issues[0]?.message ?? 'Invalid input.';

/** Runs a write as the signed-in user and refreshes the page's data; returns a message on failure. */
async function write(session: ClerkSession, run: Parameters<typeof queryAsUser<unknown[]>>[1]): Promise<TaskActionState> {
  const result = await queryAsUser(session, run);
  if (result.error) return { error: result.error.message };
  if (!result.data?.length) return GONE; // no row matched: deleted meanwhile, or not this user's
  revalidatePath('/dashboard');
  return {};
}

export async function addTask(_prev: TaskActionState, input: FormData): Promise<TaskActionState> {
  const checked = await signedInForm(input);
  if (!checked.ok) return { error: checked.error };
  const { form } = checked;
  const parsed = newTask.safeParse({ title: form.get('title') });
  if (!parsed.success) return { error: firstIssue(parsed.error), title: String(form.get('title') ?? '') };
  const result = await write(checked.session, (db) => db.from('tasks').insert({ title: parsed.data.title }).select('id'));
  return result.error ? { ...result, title: parsed.data.title } : {};
}

export async function renameTask(input: FormData): Promise<TaskActionState> {
  const checked = await signedInForm(input);
  if (!checked.ok) return { error: checked.error };
  const { form } = checked;
  const parsed = z.object({ id: rowId, title: taskTitle }).safeParse({ id: form.get('id'), title: form.get('title') });
  if (!parsed.success) return { error: firstIssue(parsed.error), title: String(form.get('title') ?? '') };
  return write(checked.session, (db) => db.from('tasks').update({ title: parsed.data.title }).eq('id', parsed.data.id).select('id'));
}

export async function toggleTask(input: FormData): Promise<TaskActionState> {
  const checked = await signedInForm(input);
  if (!checked.ok) return { error: checked.error };
  const { form } = checked;
  const parsed = z.object({ id: rowId, done: z.enum(['true', 'false']) }).safeParse({ id: form.get('id'), done: form.get('done') });
  if (!parsed.success) return { error: firstIssue(parsed.error) };
  return write(checked.session, (db) =>
    db
      .from('tasks')
      .update({ done: parsed.data.done === 'true' })
      .eq('id', parsed.data.id)
      .select('id'),
  );
}

export async function deleteTask(input: FormData): Promise<TaskActionState> {
  const checked = await signedInForm(input);
  if (!checked.ok) return { error: checked.error };
  const { form } = checked;
  const parsed = rowId.safeParse(form.get('id'));
  if (!parsed.success) return GONE;
  return write(checked.session, (db) => db.from('tasks').delete().eq('id', parsed.data).select('id'));
}
