// task-report: a summary of the caller's tasks (counts, stale open tasks) or a CSV export of them,
// computed here instead of on the web server. A Pro-plan feature.
//
//   POST /functions/v1/task-report   Authorization: Bearer <Clerk token>   {"format": "json" | "csv", "staleAfterDays": 7}
//
// Who may call: anyone with a valid Clerk token of this app (checked here, see _shared/clerk-auth.ts;
// config.toml sets verify_jwt = false for this function). What they get: only their own tasks, because
// every query runs with their token and row-level security filters it. Whether they get it: the
// `plan` claim of that verified token (Clerk's session-token customization copies it from the user's
// public metadata), with no database lookup. Never the secret key: nothing here can bypass RLS.
import { createContextClient } from '@supabase/server/core';
import { bearerToken, clerkAuthConfig, verifyCaller } from '../_shared/clerk-auth.ts';
import { corsHeaders, HttpError, json, problem } from '../_shared/http.ts';
import { readReportRequest } from './input.ts';
import { taskCsv, taskSummary } from './report.ts';

/** The plans that include task reports (the `plan` claim; a user without one is on Free). */
const PLANS_WITH_REPORTS = ['pro'];

const auth = clerkAuthConfig(Deno.env);
// Supabase gives functions SUPABASE_URL and the publishable keys (SUPABASE_PUBLISHABLE_KEYS); the key
// only identifies the project: the caller's token decides who acts.
const misconfigured = typeof auth === 'string' ? auth : !Deno.env.get('SUPABASE_URL') ? 'SUPABASE_URL is not set.' : null;
if (misconfigured) console.error(`task-report is not configured: ${misconfigured}`);

// Supabase's function shape: a default export with fetch(). @supabase/server's withSupabase() is not used
// because its auth modes verify Supabase Auth tokens (the project's JWKS), not Clerk's; its client
// factory is, with the token Clerk's SDK verified.
export default {
  async fetch(req: Request): Promise<Response> {
    const cors = corsHeaders(req, typeof auth === 'string' ? [] : auth.authorizedParties);
    if (req.method === 'OPTIONS') return new Response(null, { status: 204, headers: cors });
    try {
      if (req.method !== 'POST')
        throw new HttpError(405, 'method_not_allowed', 'Call this function with POST.', { Allow: 'POST, OPTIONS' });
      if (misconfigured || typeof auth === 'string')
        throw new HttpError(503, 'not_configured', `The function is not configured: ${misconfigured}`);

      const token = bearerToken(req);
      // A client per request, acting as the caller: supabase-js sends their token with every query.
      const db = createContextClient({ auth: { token }, supabaseOptions: { db: { retry: false } } });
      const caller = await verifyCaller(token, auth, db);

      const plan = typeof caller.claims.plan === 'string' ? caller.claims.plan : 'free';
      if (!PLANS_WITH_REPORTS.includes(plan)) {
        return json(
          403,
          {
            error: 'plan_required',
            message: `Task reports are part of the Pro plan; your plan is ${plan}.`,
            plan,
            requiredPlans: PLANS_WITH_REPORTS,
          },
          cors,
        );
      }

      const input = await readReportRequest(req);
      if (input.format === 'csv') {
        return new Response(await taskCsv(db), {
          headers: { ...cors, 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="tasks.csv"' },
        });
      }
      return json(200, { user: caller.userId, plan, tokenKind: caller.kind, summary: await taskSummary(db, input.staleAfterDays) }, cors);
    } catch (e) {
      if (e instanceof HttpError) return problem(e.status, e.code, e.message, { ...cors, ...e.headers });
      console.error('task-report failed:', e);
      return problem(500, 'internal_error', 'The report could not be built. The error is in the function logs.', cors);
    }
  },
};
