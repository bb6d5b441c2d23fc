// The configuration checks, before any token is involved: environment variables, the Clerk keys,
// the Supabase data API, and (template mode) the JWT template's definition.
import { decodeJwt } from 'jose';
import { problem, Problem } from './causes.ts';
import { productionDomainWarning } from './checks-deployment.ts';
import { applyMigrations, pushCommand } from './hosted-commands.ts';
import { CLERK_KEYS_PAGE, clerkHostFromPublishableKey, headers, JWT_SHAPE, rest, SUPABASE_KEYS_PAGE, type Ctx } from './config.ts';
import { errCode, errMessage, http, networkReason, type HttpResult } from './http.ts';

export async function checkEnv(ctx: Ctx): Promise<string> {
  const e = ctx.env;
  const where = ctx.local
    ? 'The local stack writes it to .local/stack.env: start it with `npm run dev`.'
    : 'Add it to .env.local (see .env.example).';
  const required: [string, string][] = [
    ['NEXT_PUBLIC_SUPABASE_URL', `${SUPABASE_KEYS_PAGE.replace('API Keys', 'Data API')} -> Project URL`],
    ['NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY', `${SUPABASE_KEYS_PAGE} -> Publishable key`],
    ['NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY', `${CLERK_KEYS_PAGE} -> Publishable key`],
    ['CLERK_SECRET_KEY', `${CLERK_KEYS_PAGE} -> Secret keys`],
  ];
  if (ctx.template) required.push(['SUPABASE_JWT_SECRET', 'Supabase Dashboard -> Project Settings -> JWT Keys -> Legacy JWT Secret']);
  for (const [name, from] of required) {
    if (!e[name]) throw problem('env-missing', `${name} is not set.`, `Copy it from ${from}. ${where}`);
  }
  for (const [name, value] of Object.entries(e)) {
    if (name.startsWith('NEXT_PUBLIC_') && /^(sk_(test|live)_|sb_secret_|whsec_)/.test(value)) {
      throw problem(
        'secret-in-public-env',
        `${name} holds a secret key (${value.slice(0, 10)}…); every NEXT_PUBLIC_ variable ends up in the browser bundle.`,
        'Move it to a variable without NEXT_PUBLIC_, and rotate the key in the dashboard it came from.',
      );
    }
  }
  const url = e.NEXT_PUBLIC_SUPABASE_URL;
  if (!/^https?:\/\/[^/\s]+\/?$/.test(url)) {
    throw problem(
      'env-malformed',
      `NEXT_PUBLIC_SUPABASE_URL is "${url}"; it must be an origin like https://<project-ref>.supabase.co (no path, no /rest/v1).`,
      `Copy the Project URL from ${SUPABASE_KEYS_PAGE.replace('API Keys', 'Data API')}.`,
    );
  }
  const pub = e.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY;
  if (!pub.startsWith('sb_publishable_') && !JWT_SHAPE.test(pub)) {
    throw problem(
      'env-malformed',
      'NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY is neither a publishable key (sb_publishable_…) nor a legacy anon key (eyJ…).',
      `Copy the publishable key from ${SUPABASE_KEYS_PAGE}.`,
    );
  }
  if (JWT_SHAPE.test(pub)) {
    try {
      if (decodeJwt(pub).role === 'service_role') {
        throw problem(
          'secret-in-public-env',
          'NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY is the legacy service_role key, which bypasses row-level security.',
          `Use the anon or publishable key (${SUPABASE_KEYS_PAGE}) and rotate the service_role key.`,
        );
      }
    } catch (err) {
      if (err instanceof Problem) throw err;
    }
  }
  if (!clerkHostFromPublishableKey(e.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY)) {
    throw problem(
      'env-malformed',
      'NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY is not a Clerk publishable key (pk_test_… or pk_live_… followed by the encoded Frontend API host).',
      `Copy it again from ${CLERK_KEYS_PAGE}; a truncated paste is the usual cause.`,
    );
  }
  if (!/^sk_(test|live)_\w+$/.test(e.CLERK_SECRET_KEY)) {
    throw problem(
      'env-malformed',
      'CLERK_SECRET_KEY must start with sk_test_ or sk_live_.',
      `Copy it from ${CLERK_KEYS_PAGE} -> Secret keys.`,
    );
  }
  if (e.SUPABASE_SECRET_KEY && !e.SUPABASE_SECRET_KEY.startsWith('sb_secret_') && !JWT_SHAPE.test(e.SUPABASE_SECRET_KEY)) {
    throw problem(
      'env-malformed',
      'SUPABASE_SECRET_KEY is neither a secret key (sb_secret_…) nor the legacy service_role key (eyJ…).',
      `Copy a secret key from ${SUPABASE_KEYS_PAGE}.`,
    );
  }
  if (e.CLERK_WEBHOOK_SIGNING_SECRET && !e.CLERK_WEBHOOK_SIGNING_SECRET.startsWith('whsec_')) {
    throw problem(
      'env-malformed',
      'CLERK_WEBHOOK_SIGNING_SECRET must start with whsec_.',
      'Copy it from Clerk Dashboard -> Webhooks -> your endpoint -> Signing Secret.',
    );
  }
  if (e.CLERK_SUPABASE_TEMPLATE && !/^[\w-]+$/.test(e.CLERK_SUPABASE_TEMPLATE)) {
    throw problem(
      'env-malformed',
      'CLERK_SUPABASE_TEMPLATE must be a JWT template name (letters, digits, - and _).',
      'Set it to the template name (for example supabase), or unset it for third-party mode.',
    );
  }
  if (!e.CLERK_WEBHOOK_SIGNING_SECRET) {
    ctx.warnings.push({
      cause: 'env-missing',
      message:
        'CLERK_WEBHOOK_SIGNING_SECRET is not set: /api/webhooks/clerk refuses every event, so profiles are only created on first sign-in.',
      fix: 'Clerk Dashboard -> Webhooks -> Add Endpoint (https://<your app>/api/webhooks/clerk), then copy its Signing Secret.',
    });
  }
  const count = Object.keys(e).filter((k) => /^(NEXT_PUBLIC_(SUPABASE|CLERK)_|SUPABASE_|CLERK_)/.test(k)).length;
  return `${count} Clerk/Supabase variables set, the required ones well-formed`;
}

export async function checkClerkKeys(ctx: Ctx): Promise<string> {
  productionDomainWarning(ctx);
  const pkKind = ctx.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY.startsWith('pk_live_') ? 'live' : 'test';
  const skKind = ctx.env.CLERK_SECRET_KEY.startsWith('sk_live_') ? 'live' : 'test';
  const name = (k: string) => (k === 'live' ? 'production' : 'development');
  if (pkKind !== skKind) {
    throw problem(
      'clerk-instance-mismatch',
      `The publishable key is from a ${name(pkKind)} instance (pk_${pkKind}_) but the secret key from a ${name(skKind)} instance (sk_${skKind}_).`,
      `Copy both keys from the same instance: ${CLERK_KEYS_PAGE}, with the instance switcher at the top set to ${name(pkKind)} or ${name(skKind)}.`,
    );
  }
  // The secret key is checked against the Backend API (a cheap, read-only call).
  try {
    const r = await http(`${ctx.clerkApiUrl}/v1/jwks`, { headers: { authorization: `Bearer ${ctx.env.CLERK_SECRET_KEY}` } });
    if (r.status === 401 || r.status === 403) {
      throw problem(
        'clerk-secret-key-invalid',
        `Clerk's Backend API (${ctx.clerkApiUrl}) answers ${r.status} to CLERK_SECRET_KEY.`,
        `Copy the secret key again from ${CLERK_KEYS_PAGE} -> Secret keys (it may have been rolled).`,
      );
    }
  } catch (e) {
    if (e instanceof Problem) throw e;
    ctx.warnings.push({
      cause: 'clerk-secret-key-invalid',
      message: `Could not reach Clerk's Backend API at ${ctx.clerkApiUrl} (${networkReason(e)}); CLERK_SECRET_KEY not verified.`,
      fix: 'Check your network, or CLERK_API_URL if you set it.',
    });
  }
  if (ctx.template) {
    ctx.warnings.push({
      cause: 'template-deprecated',
      message: `JWT-template mode (CLERK_SUPABASE_TEMPLATE=${ctx.template}) is deprecated by Supabase since 2025-04-01; it still works, but new projects should use third-party auth.`,
      fix: 'docs/jwt-template.md -> "Moving to third-party auth" (no migration, no downtime).',
    });
  }
  return `${name(pkKind)} instance (pk_${pkKind}_ + sk_${skKind}_), Frontend API ${ctx.clerkHost}; mode: ${ctx.template ? `JWT template "${ctx.template}"` : 'third-party auth (session token)'}`;
}

export async function checkDataApi(ctx: Ctx): Promise<string> {
  let r: HttpResult;
  try {
    r = await http(rest(ctx, 'rpc/whoami'), { method: 'POST', headers: headers(ctx, false), body: '{}' });
  } catch (e) {
    throw problem(
      'supabase-unreachable',
      `${ctx.supabaseUrl} does not answer (${networkReason(e)}).`,
      ctx.local
        ? 'Start the local stack: `npm run dev` (or `npm run stack:up`), then run doctor again.'
        : `Check NEXT_PUBLIC_SUPABASE_URL against ${SUPABASE_KEYS_PAGE.replace('API Keys', 'Data API')}, and that the project is not paused (Supabase Dashboard -> your project -> Restore).`,
    );
  }
  const code = errCode(r);
  if (r.status === 401 && !code && /api key/i.test(errMessage(r))) {
    throw problem(
      'supabase-api-key-invalid',
      `The data API refuses NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: "${errMessage(r)}".`,
      `Copy the publishable key of this project from ${SUPABASE_KEYS_PAGE}; keys of another project are refused.`,
    );
  }
  if (r.status >= 500) {
    throw problem(
      'supabase-unavailable',
      `The data API answers ${r.status}: ${errMessage(r)}.`,
      ctx.local
        ? 'Restart the local stack (`npm run stack:down && npm run stack:up`).'
        : 'Check the project status in the Supabase Dashboard (paused or restarting projects answer 5xx) and retry.',
    );
  }
  if (code === 'PGRST202' || code === '42883' || (r.status === 404 && code)) {
    throw problem(
      'migrations-missing',
      `The data API has no whoami() function (${r.status} ${code}): this app's migrations are not applied to this database.`,
      `Apply the migrations: ${applyMigrations(ctx.local)}.`,
    );
  }
  if (r.status === 200) {
    ctx.warnings.push({
      cause: 'missing-grant',
      message: 'whoami() is executable by anon; the migrations grant it to authenticated only.',
      fix: `revoke execute on function public.whoami() from anon, public; (or re-run ${pushCommand(ctx.local)}).`,
    });
    return `${ctx.supabaseUrl} answers as a Supabase data API`;
  }
  if (!code || !/json/.test(r.contentType)) {
    throw problem(
      'not-supabase-endpoint',
      `${ctx.supabaseUrl}/rest/v1 answers ${r.status} (${r.contentType || 'no content type'}), not like PostgREST.`,
      `Set NEXT_PUBLIC_SUPABASE_URL to the Project URL from ${SUPABASE_KEYS_PAGE.replace('API Keys', 'Data API')} (https://<project-ref>.supabase.co), without a path.`,
    );
  }
  return `${ctx.supabaseUrl} answers as a Supabase data API (PostgREST; anon may not call whoami: ${r.status} ${code})`;
}

export async function checkTemplateDefinition(ctx: Ctx): Promise<string> {
  const name = ctx.template!;
  const fixMissing = `Clerk Dashboard -> JWT templates -> New template -> Supabase, name it "${name}", with the claims of docs/jwt-template.md -> "Set up the template", turn on Custom signing key (HS256) and paste the Supabase JWT secret; or unset CLERK_SUPABASE_TEMPLATE for third-party mode.`;
  // The local stack's templates are checked through their token: minting an unknown one fails with template-missing.
  if (ctx.local) return `the local template "${name}" is checked through its token`;
  let r: HttpResult;
  try {
    r = await http(`${ctx.clerkApiUrl}/v1/jwt_templates`, { headers: { authorization: `Bearer ${ctx.env.CLERK_SECRET_KEY}` } });
  } catch (e) {
    ctx.warnings.push({
      cause: 'template-missing',
      message: `Could not list JWT templates (${networkReason(e)}); the template is checked through its token instead.`,
      fix: 'Check your network.',
    });
    return 'not listed (Backend API unreachable)';
  }
  if (r.status !== 200 || !Array.isArray(r.body)) {
    ctx.warnings.push({
      cause: 'template-missing',
      message: `Could not list JWT templates (Backend API answered ${r.status}); the template is checked through its token instead.`,
      fix: 'Check CLERK_SECRET_KEY.',
    });
    return `not listed (Backend API answered ${r.status})`;
  }
  const t = (r.body as { name: string; claims?: Record<string, unknown>; custom_signing_key?: boolean; signing_algorithm?: string }[]).find(
    (x) => x.name === name,
  );
  if (!t) throw problem('template-missing', `Your Clerk instance has no JWT template named "${name}".`, fixMissing);
  if (t.claims?.role !== 'authenticated') {
    throw problem(
      'missing-role-claim',
      `The JWT template "${name}" has no "role": "authenticated" claim, so Postgres would run its tokens as anon.`,
      `Clerk Dashboard -> JWT templates -> ${name}: add "role": "authenticated" to the claims.`,
    );
  }
  if (!t.custom_signing_key || (t.signing_algorithm && t.signing_algorithm !== 'HS256')) {
    throw problem(
      'template-signing-key',
      `The JWT template "${name}" signs with ${t.custom_signing_key ? t.signing_algorithm : "Clerk's own key (RS256)"}, which Supabase cannot verify.`,
      `Clerk Dashboard -> JWT templates -> ${name}: turn on Custom signing key, algorithm HS256, key = Supabase Dashboard -> Project Settings -> JWT Keys -> Legacy JWT Secret.`,
    );
  }
  return `the template "${name}" exists, HS256 with a custom signing key, role: "authenticated"`;
}
