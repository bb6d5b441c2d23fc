// GET /api/projects: the active organisation's projects (empty with no active organisation).
import { NextResponse } from 'next/server';
import { options, route } from '@/lib/api';
import { unwrap } from '@/lib/errors';
import { asUser, dataApi } from '@/lib/supabase/server';

export const GET = route(async (_req, session) => {
  const { orgId } = session;
  if (!orgId) return NextResponse.json({ orgId: null, projects: [] });
  const projects = unwrap(
    await asUser(
      session,
      dataApi().from('projects').select('id, org_id, name, created_by, created_at').order('created_at', { ascending: false }),
    ),
  );
  return NextResponse.json({ orgId, projects });
});
export const HEAD = GET;
export const OPTIONS = options('GET, HEAD, OPTIONS');
