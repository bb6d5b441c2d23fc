// GET /api/tasks: the caller's tasks. POST /api/tasks {title}: create one (201).
// No user filter anywhere: row-level security returns and accepts only the caller's rows.
import { NextResponse } from 'next/server';
import { options, readJson, route } from '@/lib/api';
import { unwrap } from '@/lib/errors';
import { newTask, TASK_COLUMNS } from '@/lib/schemas';
import { asUser, dataApi } from '@/lib/supabase/server';

export const GET = route(async (_req, session) => {
  const tasks = unwrap(await asUser(session, dataApi().from('tasks').select(TASK_COLUMNS).order('created_at', { ascending: false })));
  return NextResponse.json({ tasks });
});
export const HEAD = GET;

export const POST = route(async (req, session) => {
  const { title } = await readJson(req, newTask);
  const task = unwrap(await asUser(session, dataApi().from('tasks').insert({ title }).select(TASK_COLUMNS).single()));
  return NextResponse.json({ task }, { status: 201 });
});

export const OPTIONS = options('GET, HEAD, POST, OPTIONS');
