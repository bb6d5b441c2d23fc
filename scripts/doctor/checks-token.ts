// The token checks: get a token of the test user (given, minted locally, or through Clerk's Backend
// API), check its claims and signature for the integration mode, then ask Postgres what it saw.
import { decodeJwt, decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { problem } from './causes.ts';
import { applyMigrations, pushCommand } from './hosted-commands.ts';
import { CLERK_KEYS_PAGE, CLERK_SUPABASE_PAGE, headers, ORGANIZATIONS_PAGE, rest, THIRD_PARTY_PAGE, type Ctx } from './config.ts';
import { errCode, errMessage, http } from './http.ts';

async function mintWithBackendApi(ctx: Ctx): Promise<string> {
  const auth = { authorization: `Bearer ${ctx.env.CLERK_SECRET_KEY}`, 'content-type': 'application/json' };
  const s = await http(`${ctx.clerkApiUrl}/v1/sessions`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ user_id: ctx.args.user, ...(ctx.args.org ? { active_organization_id: ctx.args.org } : {}) }),
  });
  const sid = (s.body as { id?: string } | null)?.id;
  if (s.status !== 200 || !sid) {
    throw problem(
      'no-token',
      `Clerk's Backend API would not create a test session for ${ctx.args.user} (${s.status}: ${JSON.stringify(s.body)?.slice(0, 200)}).`,
      'Pass a token instead: sign in to your app, run `await window.Clerk.session.getToken()` in the browser console (with `{ template: "<name>" }` in template mode) and run `npm run doctor -- --token <jwt>` within a minute.',
    );
  }
  ctx.cleanups.push(async () => {
    await http(`${ctx.clerkApiUrl}/v1/sessions/${sid}/revoke`, { method: 'POST', headers: auth }).catch(() => undefined);
  });
  // The local stand-in takes the app's origin as the token's azp, as a browser's token has it.
  const body = {
    ...(ctx.args.lifetime ? { expires_in_seconds: ctx.args.lifetime } : {}),
    ...(ctx.local && ctx.env.APP_URL ? { azp: ctx.env.APP_URL } : {}),
  };
  const t = await http(`${ctx.clerkApiUrl}/v1/sessions/${sid}/tokens${ctx.template ? `/${ctx.template}` : ''}`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify(body),
  });
  const jwt = (t.body as { jwt?: string } | null)?.jwt;
  if (t.status === 404 && ctx.template)
    throw problem(
      'template-missing',
      `Clerk has no JWT template named "${ctx.template}" (404 from the Backend API).`,
      `Create it: Clerk Dashboard -> JWT templates -> New template -> Supabase, named "${ctx.template}".`,
    );
  if (!jwt)
    throw problem(
      'no-token',
      `Clerk's Backend API gave no token (${t.status}).`,
      'Pass one with --token (see `npm run doctor -- --help`).',
    );
  return jwt;
}

export async function obtainToken(ctx: Ctx): Promise<string> {
  if (ctx.args.token) return ctx.args.token.trim();
  // The local stack's Clerk stand-in serves the Backend API's test sessions, as development instances do.
  if (ctx.local) return mintWithBackendApi(ctx);
  if (ctx.args.userGiven) return mintWithBackendApi(ctx);
  throw problem(
    'no-token',
    'Against hosted services doctor needs a token of a test user.',
    `Either pass a Clerk user id (\`npm run doctor -- --user user_...\`; doctor creates a short test session through Clerk's Backend API, which development instances allow), or sign in to your app, run \`await window.Clerk.session.getToken()\`${ctx.template ? ` with { template: "${ctx.template}" }` : ''} in the browser console and run \`npm run doctor -- --token <jwt>\` (or DOCTOR_TOKEN=<jwt>) within a minute.`,
  );
}

const roleFix = (ctx: Ctx) =>
  ctx.template
    ? `Clerk Dashboard -> JWT templates -> ${ctx.template}: add "role": "authenticated" to the claims.`
    : `${CLERK_SUPABASE_PAGE}, or add it by hand: Clerk Dashboard -> Sessions -> Customize session token -> Claims: { "role": "authenticated" } -> Save.`;

export async function checkToken(ctx: Ctx): Promise<string> {
  const token = await obtainToken(ctx);
  ctx.token = token;
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
    ctx.claims = decodeJwt(token) as Ctx['claims'];
  } catch {
    throw problem(
      'token-malformed',
      'The token is not a JWT (three base64url parts).',
      'Copy the whole token: `await window.Clerk.session.getToken()` returns it as one string starting with eyJ.',
    );
  }
  const c = ctx.claims!;
  if (!c.sub)
    throw problem(
      'token-malformed',
      'The token has no "sub" claim, so no policy can tell whose rows are whose.',
      'Use a Clerk session token (or a template token); both carry sub = the Clerk user id.',
    );
  const now = Math.floor(Date.now() / 1000);
  if (typeof c.exp === 'number' && c.exp <= now) {
    throw problem(
      'token-expired',
      `The token expired ${now - c.exp} s ago (Clerk tokens live about 60 s).`,
      'Get a fresh token for each request: give supabase-js `accessToken: () => getToken()` (lib/supabase/*) rather than a token string; long-lived clients (realtime, background jobs) must ask Clerk again before exp. For doctor, pass a token at most a minute old.',
    );
  }
  if (typeof c.iat === 'number' && c.iat > now + 30) {
    throw problem(
      'token-clock-skew',
      `The token was issued ${c.iat - now} s in the future by this machine's clock; the data API refuses it ("JWT issued at future", PGRST303) until its clock catches up.`,
      'Sync the clock of the machine that checks the token (NTP). A few seconds of skew are normal: retry the request once rather than failing it.',
    );
  }
  if (c.sts === 'pending') {
    throw problem(
      'session-pending',
      `The session of ${c.sub} is pending (sts: "pending"): Clerk wants the user to finish a task first, usually choosing an organisation, and the app and the claim helpers refuse pending sessions.`,
      `${ORGANIZATIONS_PAGE} -> Membership optional (personal accounts), or have the user pick an organisation first.`,
    );
  }
  if (c.role === undefined)
    throw problem(
      'missing-role-claim',
      `The token of ${c.sub} has no "role" claim: the data API runs it as anon, so policies "to authenticated" return nothing (an empty array, or 401 42501).`,
      roleFix(ctx),
    );
  if (c.role !== 'authenticated')
    throw problem(
      'wrong-role-claim',
      `The token's "role" claim is "${String(c.role)}"; Postgres switches to that role for the request.`,
      roleFix(ctx).replace('add', 'set'),
    );
  const expectedIss = `https://${ctx.clerkHost}`;
  if (c.iss && c.iss !== expectedIss) {
    throw problem(
      'wrong-clerk-instance',
      `The token was issued by ${c.iss}, but NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY belongs to ${expectedIss}.`,
      'Use keys and a token of the same Clerk instance (development vs production is the usual mix-up).',
    );
  }
  if (ctx.template) {
    if (header.alg !== 'HS256') {
      throw problem(
        'token-mode-mismatch',
        `Template mode is on (CLERK_SUPABASE_TEMPLATE=${ctx.template}), but this is a ${header.alg} session token, not an HS256 template token.`,
        `Get the token with getToken({ template: "${ctx.template}" }), or unset CLERK_SUPABASE_TEMPLATE to use third-party mode.`,
      );
    }
    try {
      await jwtVerify(token, new TextEncoder().encode(ctx.env.SUPABASE_JWT_SECRET), { algorithms: ['HS256'], clockTolerance: 30 });
    } catch {
      throw problem(
        'template-secret-mismatch',
        `The "${ctx.template}" template token is not signed with SUPABASE_JWT_SECRET: the template's signing key and the Supabase JWT secret differ, so the data API answers 401 "invalid JWT".`,
        `Copy Supabase Dashboard -> Project Settings -> JWT Keys -> Legacy JWT Secret into both SUPABASE_JWT_SECRET and Clerk Dashboard -> JWT templates -> ${ctx.template} -> Custom signing key (HS256).`,
      );
    }
  } else {
    if (header.alg === 'HS256') {
      ctx.warnings.push({
        cause: 'token-mode-mismatch',
        message: 'Third-party mode is on, but the token is an HS256 template token; the app sends session tokens in this mode.',
        fix: 'Test with a session token (getToken() without a template), or set CLERK_SUPABASE_TEMPLATE.',
      });
    } else if (ctx.env.CLERK_JWT_KEY) {
      try {
        await jwtVerify(token, await importSPKI(ctx.env.CLERK_JWT_KEY.replace(/\\n/g, '\n'), header.alg ?? 'RS256'), {
          clockTolerance: 30,
        });
      } catch {
        throw problem(
          'wrong-clerk-instance',
          'The token does not verify with CLERK_JWT_KEY: it was signed by another Clerk instance.',
          `Copy the JWKS Public Key of this instance (${CLERK_KEYS_PAGE} -> JWKS Public Key (PEM)) into CLERK_JWT_KEY, and use a token of the same instance.`,
        );
      }
    }
  }
  const org = c.o?.id ?? c.org_id;
  return `${ctx.args.token ? 'given' : ctx.local ? 'minted with the local keys' : 'from a test session'}: ${header.alg} ${ctx.template ? 'template' : 'session'} token, sub ${c.sub}, role ${c.role}${org ? `, org ${org}` : ''}, expires in ${typeof c.exp === 'number' ? c.exp - now : '?'} s`;
}

export async function checkWhoami(ctx: Ctx): Promise<string> {
  const r = await http(rest(ctx, 'rpc/whoami'), { method: 'POST', headers: headers(ctx), body: '{}' });
  const code = errCode(r);
  if (r.status === 401 && code === '42501') {
    throw problem('token-runs-as-anon', 'The data API accepted the token but ran it as anon (401 42501 on whoami).', roleFix(ctx));
  }
  if (r.status === 401) {
    const msg = errMessage(r);
    if (/issued ?at ?future/i.test(msg))
      throw problem(
        'token-clock-skew',
        `The data API says: ${msg} (${code}).`,
        'Clerk and Supabase clocks differ by a few seconds: retry once. If it persists, the token was minted on a machine with a wrong clock.',
      );
    if (/expired/i.test(msg))
      throw problem(
        'token-expired',
        `The data API says: ${msg}.`,
        'Get a fresh token (they live about 60 s); in code, pass accessToken: () => getToken() to supabase-js.',
      );
    const fix = ctx.template
      ? 'The template is signed with a key Supabase does not know: copy Supabase Dashboard -> Project Settings -> JWT Keys -> Legacy JWT Secret into Clerk Dashboard -> JWT templates -> ' +
        `${ctx.template} -> Custom signing key (HS256), and into SUPABASE_JWT_SECRET.`
      : ctx.local
        ? 'The local data API does not know this signing key: restart the stack (`npm run stack:down && npm run dev`) so PostgREST reloads .local/keys.json.'
        : `Supabase does not trust this Clerk instance: ${THIRD_PARTY_PAGE}, domain ${ctx.clerkHost}. Check that the domain is this instance's (development and production instances have different domains).`;
    throw problem('token-rejected', `The data API rejects the token: ${r.status} ${code} "${msg}".`, fix);
  }
  if (r.status === 400 && code === '22023')
    throw problem(
      'wrong-role-claim',
      `Postgres has no role named in the token's "role" claim (${errMessage(r)}).`,
      roleFix(ctx).replace('add', 'set'),
    );
  if (r.status === 403 && code === '42501')
    throw problem(
      'missing-grant',
      'authenticated may not execute whoami() (403 42501).',
      `grant execute on function public.whoami() to authenticated; (it is in supabase/migrations: run ${pushCommand(ctx.local)}).`,
    );
  if (r.status === 404)
    throw problem(
      'migrations-missing',
      `whoami() is missing (${r.status} ${code}).`,
      `Apply the migrations: ${applyMigrations(ctx.local)}.`,
    );
  if (r.status !== 200 || !r.body || typeof r.body !== 'object')
    throw problem(
      'token-rejected',
      `whoami answered ${r.status}: ${errMessage(r)}.`,
      'See the data API logs: Supabase Dashboard -> Logs -> API (PostgREST).',
    );
  const w = r.body as Ctx['whoami'] & object;
  ctx.whoami = w;
  if (w.role !== 'authenticated')
    throw problem('token-runs-as-anon', `Postgres runs the request as "${w.role}", not "authenticated".`, roleFix(ctx));
  if (w.token_problem && /pending/.test(w.token_problem)) {
    throw problem(
      'session-pending',
      `The data API accepted the token, but the claim helpers refuse it: ${w.token_problem}.`,
      `${ORGANIZATIONS_PAGE} -> Membership optional (personal accounts), or have the user pick an organisation first.`,
    );
  }
  if (w.token_problem)
    throw problem(
      'token-not-clerk',
      `The data API accepted the token, but the claim helpers do not trust it: ${w.token_problem}. Every policy is false for it, so queries return nothing.`,
      notClerkFix(ctx, w.token_problem),
    );
  if (w.sub !== ctx.claims!.sub)
    throw problem(
      'token-rejected',
      `Postgres sees sub ${w.sub}, the token has ${ctx.claims!.sub}.`,
      `public.requesting_user_id() must read auth.jwt() ->> 'sub'; re-run ${pushCommand(ctx.local)}.`,
    );
  return `Postgres sees role ${w.role}, sub ${w.sub}, org ${w.org_id ?? '(none)'}${w.org_role ? ` (${w.org_role})` : ''}${issuerPin(ctx, w.issuer_pinned)}`;
}

function notClerkFix(ctx: Ctx, reason: string): string {
  if (/issuer/.test(reason)) {
    return `If this is your Clerk instance (a custom Frontend API URL, or another instance of yours), pin it on this database: insert into private.clerk_issuers (issuer) values ('${ctx.claims?.iss ?? "<the token's iss>"}'); Otherwise use a token of your Clerk instance.`;
  }
  if (/neither a Clerk session token/.test(reason)) {
    return ctx.template
      ? `Clerk Dashboard -> JWT templates -> ${ctx.template}: add "token_kind": "supabase-template" to the claims (docs/jwt-template.md). It tells this app's template from the instance's other templates.`
      : 'Use a Clerk session token (getToken() without a template): other JWT templates of the instance are refused on purpose.';
  }
  return "Use a session token of an active Clerk user (sign in again; finish the session's pending tasks). A token from Supabase Auth or another provider is refused on purpose.";
}

/**
 * Hosted: offer the issuer pin for the instance doctor just checked. With nothing pinned the helpers
 * accept any issuer of Clerk's shape that Supabase trusts; the pin keeps it to this instance. It is
 * per database (run it on each project, not in a migration): each environment trusts its own instance.
 */
function issuerPin(ctx: Ctx, pinned: boolean | undefined): string {
  const iss = ctx.claims?.iss;
  if (ctx.local || pinned === undefined || !iss) return '';
  if (pinned) return `; issuer ${iss} pinned in private.clerk_issuers`;
  return `\n      pin this instance: with nothing in private.clerk_issuers, any issuer of Clerk's shape is accepted. To accept only ${iss}, run once on this database (in the SQL editor): insert into private.clerk_issuers (issuer) values ('${iss}');`;
}
