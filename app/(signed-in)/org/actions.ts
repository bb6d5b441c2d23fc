'use server';
// Organisation projects. The active organisation comes from the session token; row-level security
// (not these checks) is what stops a member from deleting or reading another org's projects.
import { revalidatePath } from 'next/cache';
import { projectName, rowId } from '@/lib/schemas';
import { signedInForm } from '@/lib/server-action';
import { queryAsUser } from '@/lib/supabase/server';

export interface ProjectActionState {
  error?: string;
  name?: string;
}

export async function addProject(_prev: ProjectActionState, input: FormData): Promise<ProjectActionState> {
  const checked = await signedInForm(input);
  if (!checked.ok) return { error: checked.error };
  const { session, form } = checked;
  if (!session.orgId) return { error: 'Choose an organisation first.' };
  const parsed = projectName.safeParse(form.get('name'));
  if (!parsed.success) return { error: parsed.error.issues[0]?.message, name: String(form.get('name') ?? '') };
  // org_id and created_by default to the token's claims in the database.
  const { error: failed } = await queryAsUser(session, (db) => db.from('projects').insert({ name: parsed.data }));
  if (failed) return { error: failed.message, name: parsed.data };
  revalidatePath('/org');
  return {};
}

export async function deleteProject(_prev: ProjectActionState, input: FormData): Promise<ProjectActionState> {
  const checked = await signedInForm(input);
  if (!checked.ok) return { error: checked.error };
  const { session, form } = checked;
  // The button is only shown to admins; the policy refuses everyone else whatever they send.
  if (session.orgRole !== 'org:admin') return { error: 'Only organisation admins can delete projects.' };
  const id = rowId.safeParse(form.get('id'));
  if (!id.success) return { error: 'That project no longer exists.' };
  const { data, error: failed } = await queryAsUser(session, (db) => db.from('projects').delete().eq('id', id.data).select('id'));
  if (failed) return { error: failed.message };
  if (!data.length) return { error: 'That project no longer exists.' };
  revalidatePath('/org');
  return {};
}
