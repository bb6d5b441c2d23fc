'use server';
// Organisation projects. The active organisation comes from the session token; row-level security
// (not these checks) is what stops a member from deleting or reading another org's projects.
import { auth } from '@clerk/nextjs/server';
import { revalidatePath } from 'next/cache';
import { dbError } from '@/lib/api';
import { projectName, rowId } from '@/lib/schemas';
import { createClient } from '@/lib/supabase/server';

export interface ProjectActionState {
  error?: string;
  name?: string;
}

// A client can call an action with any serialisable arguments, not only the form's FormData.
const NOT_A_FORM = { error: 'Send the form fields as form data.' };

export async function addProject(_prev: ProjectActionState, form: FormData): Promise<ProjectActionState> {
  if (!(form instanceof FormData)) return NOT_A_FORM;
  const { userId, orgId } = await auth();
  if (!userId) return { error: 'Your session has ended. Sign in again.' };
  if (!orgId) return { error: 'Choose an organisation first.' };
  const parsed = projectName.safeParse(form.get('name'));
  if (!parsed.success) return { error: parsed.error.issues[0]?.message, name: String(form.get('name') ?? '') };
  const supabase = await createClient();
  // org_id and created_by default to the token's claims in the database.
  const { error, status } = await supabase.from('projects').insert({ name: parsed.data });
  if (error) return { error: dbError({ error, status }).message, name: parsed.data };
  revalidatePath('/org');
  return {};
}

export async function deleteProject(_prev: ProjectActionState, form: FormData): Promise<ProjectActionState> {
  if (!(form instanceof FormData)) return NOT_A_FORM;
  const { userId, orgRole } = await auth();
  if (!userId) return { error: 'Your session has ended. Sign in again.' };
  // The button is only shown to admins; the policy refuses everyone else whatever they send.
  if (orgRole !== 'org:admin') return { error: 'Only organisation admins can delete projects.' };
  const id = rowId.safeParse(form.get('id'));
  if (!id.success) return { error: 'That project no longer exists.' };
  const supabase = await createClient();
  const { data, error, status } = await supabase.from('projects').delete().eq('id', id.data).select('id');
  if (error) return { error: dbError({ error, status }).message };
  if (!data.length) return { error: 'That project no longer exists.' };
  revalidatePath('/org');
  return {};
}
