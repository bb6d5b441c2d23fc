// PATCH /api/tasks/:id {title?, done?} and DELETE /api/tasks/:id. Another user's task is a 404, the
// same as a missing one: RLS hides it, and the API does not reveal that it exists.
import { NextResponse } from 'next/server';
import { options, readJson, route } from '@/lib/api';
import { ApiError, unwrap } from '@/lib/errors';
import { rowId, TASK_COLUMNS, taskChanges } from '@/lib/schemas';
import { asUser, dataApi } from '@/lib/supabase/server';

interface Params {
  params: Promise<{ id: string }>;
}

const NOT_FOUND = new ApiError(404, 'No such task.');

async function taskId({ params }: Params) {
  const parsed = rowId.safeParse((await params).id);
  if (!parsed.success) throw NOT_FOUND; // a non-uuid id cannot name a row
  return parsed.data;
}

export const PATCH = route(async (req, session, ctx: Params) => {
  const id = await taskId(ctx);
  const changes = await readJson(req, taskChanges);
  const task = unwrap(await asUser(session, dataApi().from('tasks').update(changes).eq('id', id).select(TASK_COLUMNS).maybeSingle()));
  if (!task) throw NOT_FOUND;
  return NextResponse.json({ task });
});

export const DELETE = route(async (_req, session, ctx: Params) => {
  const id = await taskId(ctx);
  const deleted = unwrap(await asUser(session, dataApi().from('tasks').delete().eq('id', id).select('id').maybeSingle()));
  if (!deleted) throw NOT_FOUND;
  return new NextResponse(null, { status: 204 });
});

export const OPTIONS = options('PATCH, DELETE, OPTIONS');
