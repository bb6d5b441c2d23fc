// GET /api/me: who the app thinks you are, and who Postgres thinks you are (the claims it actually
// received, through whoami()). When a query returns nothing, compare the two first.
import { NextResponse } from 'next/server';
import { options, route } from '@/lib/api';
import { unwrap } from '@/lib/errors';
import { serverEnv } from '@/lib/env';
import { asUser, dataApi } from '@/lib/supabase/server';

export const GET = route(async (_req, session) => {
  const { userId, orgId, orgRole } = session;
  const template = serverEnv().CLERK_SUPABASE_TEMPLATE ?? null;
  const database = unwrap(await asUser(session, dataApi().rpc('whoami')));
  return NextResponse.json({
    userId,
    orgId: orgId ?? null,
    orgRole: orgRole ?? null,
    mode: template ? 'template' : 'third-party',
    template,
    database,
  });
});
export const HEAD = GET;
export const OPTIONS = options('GET, HEAD, OPTIONS');
