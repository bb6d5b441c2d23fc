// The checks around the data API: Supabase Auth's own sign-ups (its users are not Clerk users), and
// the task-report Edge Function, which must verify Clerk tokens itself (verify_jwt off) and be given
// the Clerk issuer and the app's origins as function secrets.
import { problem } from './causes.ts';
import type { Ctx } from './config.ts';
import { http, networkReason } from './http.ts';

export async function checkSignups(ctx: Ctx): Promise<string> {
  if (ctx.local) return 'not applicable locally (the local stack runs no Supabase Auth)';
  const base = ctx.supabaseUrl.replace(/\/+$/, '');
  let settings: { disable_signup?: boolean } | null = null;
  try {
    const r = await http(`${base}/auth/v1/settings`, { headers: { apikey: ctx.apikey } });
    if (r.status === 200) settings = r.body as { disable_signup?: boolean };
  } catch (e) {
    return `not checked (${networkReason(e)})`;
  }
  if (!settings) return 'not checked (no Supabase Auth settings endpoint)';
  if (settings.disable_signup === false) {
    ctx.warnings.push({
      cause: 'supabase-signups-open',
      message:
        'Supabase Auth accepts new sign-ups. Such users get an `authenticated` token with a uuid sub; the claim helpers refuse it, but the door is open for nothing.',
      fix: 'Supabase Dashboard -> Authentication -> Sign In / Providers -> turn off "Allow new users to sign up" (or `enable_signup = false` in supabase/config.toml and `supabase config push`).',
    });
    return 'sign-ups are on (see the warning)';
  }
  return 'sign-ups are off: only Clerk creates users';
}

const FUNCTION = 'task-report';

export async function checkEdgeFunction(ctx: Ctx): Promise<string> {
  const url = `${ctx.supabaseUrl.replace(/\/+$/, '')}/functions/v1/${FUNCTION}`;
  let r;
  try {
    r = await http(url, {
      method: 'POST',
      headers: { apikey: ctx.apikey, authorization: `Bearer ${ctx.token}`, 'content-type': 'application/json' },
      body: '{"format":"json"}',
    });
  } catch (e) {
    ctx.warnings.push({
      cause: 'function-missing',
      message: `${url} does not answer (${networkReason(e)}).`,
      fix: `Deploy it: npx supabase functions deploy ${FUNCTION} --no-verify-jwt (README -> Edge Functions), or ignore this if you do not use it.`,
    });
    return 'not reachable (see the warning)';
  }
  const body = (r.body ?? {}) as { error?: string; message?: string; code?: string };
  if (r.status === 404) {
    ctx.warnings.push({
      cause: 'function-missing',
      message: `The project has no Edge Function named ${FUNCTION} (404).`,
      fix: `npx supabase functions deploy ${FUNCTION} --no-verify-jwt, or ignore this if you do not use it.`,
    });
    return 'not deployed (see the warning)';
  }
  if (r.status === 401 && /invalid jwt|missing authorization header/i.test(body.message ?? r.text)) {
    throw problem(
      'function-verify-jwt',
      `${FUNCTION} answers 401 "${body.message ?? r.text.slice(0, 80)}": Supabase checks the token with the project's own keys before the function runs, and a Clerk session token fails that check.`,
      `Redeploy with npx supabase functions deploy ${FUNCTION} --no-verify-jwt (supabase/config.toml has verify_jwt = false for it); the function verifies the Clerk token itself.`,
    );
  }
  // Tokens made through Clerk's Backend API (doctor --user) carry no azp, which the function requires.
  if (r.status === 401 && body.error === 'unauthorized_party' && !ctx.claims?.azp) {
    return 'deployed, verify_jwt off; not checked further: this token has no azp (pass a browser token with --token)';
  }
  if (r.status === 503 || (r.status === 401 && ['wrong_issuer', 'unauthorized_party'].includes(body.error ?? ''))) {
    throw problem(
      'function-misconfigured',
      `${FUNCTION} answers ${r.status} ${body.error}: ${body.message ?? ''}`,
      `Set its secrets: npx supabase secrets set CLERK_ISSUER=https://<your Frontend API host> CLERK_JWT_KEY="<your CLERK_JWT_KEY>" CLERK_AUTHORIZED_PARTIES=https://<your app> (README -> Edge Functions).`,
    );
  }
  if (r.status === 403 && body.error === 'plan_required')
    return `answers: the test user's plan does not include reports (403, as designed)`;
  if (r.status === 200) return `answers the test user with their report (verify_jwt off, Clerk token verified by the function)`;
  throw problem(
    'function-misconfigured',
    `${FUNCTION} answers ${r.status}: ${body.message ?? r.text.slice(0, 200)}`,
    'See its logs: Supabase Dashboard -> Edge Functions -> task-report -> Logs.',
  );
}
