// `npm run doctor`: finds which of the well-known Clerk + Supabase mistakes you have hit, against the
// local stack or your hosted Clerk instance and Supabase project, and says how to fix it.
//
// It reads the configuration the app reads (process env, then .env.local, then .env; with none of
// them pointing at a Supabase project, the running local stack's .local/stack.env), then checks in
// order and stops at the first failure, because every later check depends on the earlier ones:
//   env -> Clerk keys -> data API -> [template] -> token -> whoami -> tables -> policies -> profile
//
//   node scripts/doctor.ts [--env-file FILE] [--token JWT | --user user_... [--org org_...]] [--no-color]
//
// It only reads, except for one idempotent call: ensure_user_profile() for the test user, which
// the app itself makes on every signed-in request. Secrets are never printed.
// Runs on Node 24 type stripping: no build step, and no import from local/ unless the target is the
// local stack (then only through dynamic imports), so it works from a deployed checkout as well.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeJwt, decodeProtectedHeader, importSPKI, jwtVerify, type JWTPayload } from 'jose';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------------------------------------
// Causes: every problem doctor can name, with a stable id (the README's pitfalls table and the
// tests use the ids) and what to do about it.

export const CAUSES = {
  'env-missing': 'A required environment variable is not set',
  'env-malformed': 'An environment variable has the wrong shape',
  'secret-in-public-env': 'A secret key is in a NEXT_PUBLIC_ variable (shipped to every browser)',
  'clerk-instance-mismatch': 'The Clerk publishable and secret keys belong to different instances',
  'clerk-secret-key-invalid': "Clerk's Backend API refuses CLERK_SECRET_KEY",
  'supabase-unreachable': 'The Supabase URL does not answer',
  'supabase-unavailable': 'The Supabase data API answers with a server error',
  'not-supabase-endpoint': 'The URL answers, but not like a Supabase data API',
  'supabase-api-key-invalid': 'The Supabase API key is refused',
  'migrations-missing': 'The database has not got this app\'s migrations',
  'template-missing': 'The Clerk JWT template does not exist',
  'template-signing-key': 'The JWT template is not signed with a custom HS256 key',
  'template-deprecated': 'JWT-template mode is deprecated by Supabase (since 2025-04-01)',
  'no-token': 'No token to test with',
  'token-malformed': 'The token is not a Clerk JWT',
  'token-expired': 'The token has expired',
  'missing-role-claim': 'The token has no "role" claim, so Postgres runs it as anon',
  'wrong-role-claim': 'The token\'s "role" claim is not "authenticated"',
  'wrong-clerk-instance': 'The token comes from another Clerk instance than the configured keys',
  'token-mode-mismatch': 'The token kind does not match the integration mode',
  'template-secret-mismatch': 'The template token is not signed with SUPABASE_JWT_SECRET',
  'token-rejected': 'The data API rejects the token (invalid JWT, 401)',
  'token-runs-as-anon': 'Postgres runs the request as anon, not authenticated',
  'missing-grant': 'A GRANT is missing (42501, 403)',
  'rls-disabled': 'Row-level security is off or a policy lets others read rows',
  'auth-uid-cast': 'A policy or default uses auth.uid(), which casts the Clerk id to uuid',
  'uuid-owner-column': 'An owner column is uuid, but Clerk user ids are text',
  'ensure-profile-failed': 'ensure_user_profile() does not work for the test user',
  'profile-missing': 'The user exists in Clerk but not in the database',
  'unexpected-error': 'doctor itself hit an unexpected error',
} as const;
export type CauseId = keyof typeof CAUSES;

class Problem extends Error {
  readonly cause: CauseId;
  readonly fix: string;
  constructor(cause: CauseId, message: string, fix: string) {
    super(message);
    this.cause = cause;
    this.fix = fix;
  }
}
const problem = (cause: CauseId, message: string, fix: string) => new Problem(cause, message, fix);

// ---------------------------------------------------------------------------------------------
// Configuration: the same sources, in the same order of precedence, as Next.js.

export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(raw);
    if (!m) continue;
    let value = m[2];
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1).replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else if (value.startsWith("'") && value.endsWith("'") && value.length >= 2) {
      value = value.slice(1, -1);
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    out[m[1]] = value;
  }
  return out;
}

interface Loaded {
  env: Record<string, string>;
  sources: string[];
}

async function loadConfig(envFile: string | undefined): Promise<Loaded> {
  const files = envFile ? [path.resolve(envFile)] : [path.join(root, '.env.local'), path.join(root, '.env')];
  const env: Record<string, string> = {};
  const sources: string[] = [];
  if (envFile && !fs.existsSync(files[0])) {
    throw problem('env-missing', `--env-file ${envFile} does not exist.`, 'Pass the path of an env file (KEY=value lines).');
  }
  // Lowest precedence first, so that later sources overwrite.
  for (const file of [...files].reverse()) {
    if (!fs.existsSync(file)) continue;
    Object.assign(env, parseDotenv(fs.readFileSync(file, 'utf8')));
    sources.push(file.startsWith(`${process.cwd()}${path.sep}`) ? path.relative(process.cwd(), file) : file);
  }
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && v !== '') env[k] = v;
  if (!env.NEXT_PUBLIC_SUPABASE_URL && !envFile) {
    // Nothing hosted configured: use the running local stack (dev profile unless told otherwise).
    const { layout } = await import('../local/paths.ts');
    const stackEnv = layout().envFile;
    if (fs.existsSync(stackEnv)) {
      const local = parseDotenv(fs.readFileSync(stackEnv, 'utf8'));
      for (const [k, v] of Object.entries(local)) env[k] ??= v;
      sources.push(path.relative(process.cwd(), stackEnv));
    }
  }
  for (const k of Object.keys(env)) if (env[k] === '') delete env[k];
  return { env, sources };
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const JWT_SHAPE = /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/;

/** The Frontend API host a Clerk publishable key encodes: pk_(test|live)_ + base64("<host>$"). */
export function clerkHostFromPublishableKey(pk: string): string | null {
  const m = /^pk_(test|live)_([A-Za-z0-9+/=_-]+)$/.exec(pk);
  if (!m) return null;
  try {
    const decoded = Buffer.from(m[2], 'base64').toString('utf8');
    return decoded.endsWith('$') && decoded.length > 1 && decoded.slice(0, -1).includes('.') ? decoded.slice(0, -1) : null;
  } catch {
    return null;
  }
}

interface HttpResult {
  status: number;
  contentType: string;
  body: unknown;
  text: string;
}

async function http(url: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<HttpResult> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 8000) });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body, text };
}

const errCode = (r: HttpResult) => (r.body && typeof r.body === 'object' && 'code' in r.body ? String((r.body as { code: unknown }).code) : '');
const errMessage = (r: HttpResult) =>
  r.body && typeof r.body === 'object' && 'message' in r.body ? String((r.body as { message: unknown }).message) : r.text.slice(0, 200);

function networkReason(e: unknown): string {
  const err = e as { name?: string; cause?: { code?: string; message?: string }; message?: string };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return 'no answer within 8 s';
  return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
}

// ---------------------------------------------------------------------------------------------
// The checks

interface Ctx {
  env: Record<string, string>;
  local: boolean;
  template: string | null;
  supabaseUrl: string;
  apikey: string;
  clerkHost: string;
  clerkApiUrl: string;
  token?: string;
  claims?: JWTPayload & { role?: string; o?: { id?: string }; org_id?: string };
  whoami?: { role: string; sub: string | null; org_id: string | null; org_role: string | null };
  args: { token?: string; user: string; userGiven: boolean; org?: string; lifetime?: number };
  warnings: { cause: CauseId; message: string; fix: string }[];
  cleanups: (() => Promise<void>)[];
}

const SUPABASE_KEYS_PAGE = 'Supabase Dashboard -> Project Settings -> API Keys';
const CLERK_KEYS_PAGE = 'Clerk Dashboard -> Configure -> API keys';
const THIRD_PARTY_PAGE = 'Supabase Dashboard -> Authentication -> Sign In / Providers -> Third-Party Auth -> Add provider -> Clerk';
const CLERK_SUPABASE_PAGE = 'Clerk Dashboard -> Connect with Supabase (https://dashboard.clerk.com/setup/supabase) -> Activate Supabase integration';

const rest = (ctx: Ctx, p: string) => `${ctx.supabaseUrl.replace(/\/+$/, '')}/rest/v1/${p}`;
const headers = (ctx: Ctx, withToken = true): Record<string, string> => ({
  apikey: ctx.apikey,
  ...(withToken && ctx.token ? { authorization: `Bearer ${ctx.token}` } : {}),
  'content-type': 'application/json',
});

async function checkEnv(ctx: Ctx): Promise<string> {
  const e = ctx.env;
  const where = ctx.local ? 'The local stack writes it to .local/stack.env: start it with `npm run dev`.' : 'Add it to .env.local (see .env.example).';
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
      throw problem('secret-in-public-env', `${name} holds a secret key (${value.slice(0, 10)}…); every NEXT_PUBLIC_ variable ends up in the browser bundle.`, 'Move it to a variable without NEXT_PUBLIC_, and rotate the key in the dashboard it came from.');
    }
  }
  const url = e.NEXT_PUBLIC_SUPABASE_URL;
  if (!/^https?:\/\/[^/\s]+\/?$/.test(url)) {
    throw problem('env-malformed', `NEXT_PUBLIC_SUPABASE_URL is "${url}"; it must be an origin like https://<project-ref>.supabase.co (no path, no /rest/v1).`, `Copy the Project URL from ${SUPABASE_KEYS_PAGE.replace('API Keys', 'Data API')}.`);
  }
  const pub = e.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY;
  if (!pub.startsWith('sb_publishable_') && !JWT_SHAPE.test(pub)) {
    throw problem('env-malformed', 'NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY is neither a publishable key (sb_publishable_…) nor a legacy anon key (eyJ…).', `Copy the publishable key from ${SUPABASE_KEYS_PAGE}.`);
  }
  if (JWT_SHAPE.test(pub)) {
    try {
      if (decodeJwt(pub).role === 'service_role') {
        throw problem('secret-in-public-env', 'NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY is the legacy service_role key, which bypasses row-level security.', `Use the anon or publishable key (${SUPABASE_KEYS_PAGE}) and rotate the service_role key.`);
      }
    } catch (err) {
      if (err instanceof Problem) throw err;
    }
  }
  if (!clerkHostFromPublishableKey(e.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY)) {
    throw problem('env-malformed', 'NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY is not a Clerk publishable key (pk_test_… or pk_live_… followed by the encoded Frontend API host).', `Copy it again from ${CLERK_KEYS_PAGE}; a truncated paste is the usual cause.`);
  }
  if (!/^sk_(test|live)_\w+$/.test(e.CLERK_SECRET_KEY)) {
    throw problem('env-malformed', 'CLERK_SECRET_KEY must start with sk_test_ or sk_live_.', `Copy it from ${CLERK_KEYS_PAGE} -> Secret keys.`);
  }
  if (e.SUPABASE_SECRET_KEY && !e.SUPABASE_SECRET_KEY.startsWith('sb_secret_') && !JWT_SHAPE.test(e.SUPABASE_SECRET_KEY)) {
    throw problem('env-malformed', 'SUPABASE_SECRET_KEY is neither a secret key (sb_secret_…) nor the legacy service_role key (eyJ…).', `Copy a secret key from ${SUPABASE_KEYS_PAGE}.`);
  }
  if (e.CLERK_WEBHOOK_SIGNING_SECRET && !e.CLERK_WEBHOOK_SIGNING_SECRET.startsWith('whsec_')) {
    throw problem('env-malformed', 'CLERK_WEBHOOK_SIGNING_SECRET must start with whsec_.', 'Copy it from Clerk Dashboard -> Configure -> Webhooks -> your endpoint -> Signing Secret.');
  }
  if (e.CLERK_SUPABASE_TEMPLATE && !/^[\w-]+$/.test(e.CLERK_SUPABASE_TEMPLATE)) {
    throw problem('env-malformed', 'CLERK_SUPABASE_TEMPLATE must be a JWT template name (letters, digits, - and _).', 'Set it to the template name (for example supabase), or unset it for third-party mode.');
  }
  if (!e.CLERK_WEBHOOK_SIGNING_SECRET) {
    ctx.warnings.push({ cause: 'env-missing', message: 'CLERK_WEBHOOK_SIGNING_SECRET is not set: /api/webhooks/clerk refuses every event, so profiles are only created on first sign-in.', fix: 'Clerk Dashboard -> Configure -> Webhooks -> Add Endpoint (https://<your app>/api/webhooks/clerk), then copy its Signing Secret.' });
  }
  const count = Object.keys(e).filter((k) => /^(NEXT_PUBLIC_(SUPABASE|CLERK)_|SUPABASE_|CLERK_)/.test(k)).length;
  return `${count} Clerk/Supabase variables set, the required ones well-formed`;
}

async function checkClerkKeys(ctx: Ctx): Promise<string> {
  const pkKind = ctx.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY.startsWith('pk_live_') ? 'live' : 'test';
  const skKind = ctx.env.CLERK_SECRET_KEY.startsWith('sk_live_') ? 'live' : 'test';
  const name = (k: string) => (k === 'live' ? 'production' : 'development');
  if (pkKind !== skKind) {
    throw problem('clerk-instance-mismatch', `The publishable key is from a ${name(pkKind)} instance (pk_${pkKind}_) but the secret key from a ${name(skKind)} instance (sk_${skKind}_).`, `Copy both keys from the same instance: ${CLERK_KEYS_PAGE}, with the instance switcher at the top set to ${name(pkKind)} or ${name(skKind)}.`);
  }
  // The secret key is checked against the Backend API (a cheap, read-only call).
  try {
    const r = await http(`${ctx.clerkApiUrl}/v1/jwks`, { headers: { authorization: `Bearer ${ctx.env.CLERK_SECRET_KEY}` } });
    if (r.status === 401 || r.status === 403) {
      throw problem('clerk-secret-key-invalid', `Clerk's Backend API (${ctx.clerkApiUrl}) answers ${r.status} to CLERK_SECRET_KEY.`, `Copy the secret key again from ${CLERK_KEYS_PAGE} -> Secret keys (it may have been rolled).`);
    }
  } catch (e) {
    if (e instanceof Problem) throw e;
    ctx.warnings.push({ cause: 'clerk-secret-key-invalid', message: `Could not reach Clerk's Backend API at ${ctx.clerkApiUrl} (${networkReason(e)}); CLERK_SECRET_KEY not verified.`, fix: 'Check your network, or CLERK_API_URL if you set it.' });
  }
  if (ctx.template) {
    ctx.warnings.push({ cause: 'template-deprecated', message: `JWT-template mode (CLERK_SUPABASE_TEMPLATE=${ctx.template}) is deprecated by Supabase since 2025-04-01; it still works, but new projects should use third-party auth.`, fix: 'README -> "Moving from the JWT template to third-party auth".' });
  }
  return `${name(pkKind)} instance (pk_${pkKind}_ + sk_${skKind}_), Frontend API ${ctx.clerkHost}; mode: ${ctx.template ? `JWT template "${ctx.template}"` : 'third-party auth (session token)'}`;
}

async function checkDataApi(ctx: Ctx): Promise<string> {
  let r: HttpResult;
  try {
    r = await http(rest(ctx, 'rpc/whoami'), { method: 'POST', headers: headers(ctx, false), body: '{}' });
  } catch (e) {
    throw problem('supabase-unreachable', `${ctx.supabaseUrl} does not answer (${networkReason(e)}).`, ctx.local ? 'Start the local stack: `npm run dev` (or `npm run stack:up`), then run doctor again.' : `Check NEXT_PUBLIC_SUPABASE_URL against ${SUPABASE_KEYS_PAGE.replace('API Keys', 'Data API')}, and that the project is not paused (Supabase Dashboard -> your project -> Restore).`);
  }
  const code = errCode(r);
  if (r.status === 401 && !code && /api key/i.test(errMessage(r))) {
    throw problem('supabase-api-key-invalid', `The data API refuses NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: "${errMessage(r)}".`, `Copy the publishable key of this project from ${SUPABASE_KEYS_PAGE}; keys of another project are refused.`);
  }
  if (r.status >= 500) {
    throw problem('supabase-unavailable', `The data API answers ${r.status}: ${errMessage(r)}.`, ctx.local ? 'Restart the local stack (`npm run stack:down && npm run stack:up`).' : 'Check the project status in the Supabase Dashboard (paused or restarting projects answer 5xx) and retry.');
  }
  if (code === 'PGRST202' || code === '42883' || (r.status === 404 && code)) {
    throw problem('migrations-missing', `The data API has no whoami() function (${r.status} ${code}): this app's migrations are not applied to this database.`, 'Run `supabase link --project-ref <ref>` and `supabase db push` (README -> "Going hosted", step 4).');
  }
  if (r.status === 200) {
    ctx.warnings.push({ cause: 'missing-grant', message: 'whoami() is executable by anon; the migrations grant it to authenticated only.', fix: 'revoke execute on function public.whoami() from anon, public; (or re-run `supabase db push`).' });
    return `${ctx.supabaseUrl} answers as a Supabase data API`;
  }
  if (!code || !/json/.test(r.contentType)) {
    throw problem('not-supabase-endpoint', `${ctx.supabaseUrl}/rest/v1 answers ${r.status} (${r.contentType || 'no content type'}), not like PostgREST.`, `Set NEXT_PUBLIC_SUPABASE_URL to the Project URL from ${SUPABASE_KEYS_PAGE.replace('API Keys', 'Data API')} (https://<project-ref>.supabase.co), without a path.`);
  }
  return `${ctx.supabaseUrl} answers as a Supabase data API (PostgREST; anon may not call whoami: ${r.status} ${code})`;
}

async function checkTemplateDefinition(ctx: Ctx): Promise<string> {
  const name = ctx.template!;
  const fixMissing = `Clerk Dashboard -> Configure -> JWT templates -> New template -> Supabase, name it "${name}", keep the claims of README -> "JWT template mode", turn on Custom signing key (HS256) and paste the Supabase JWT secret; or unset CLERK_SUPABASE_TEMPLATE for third-party mode.`;
  if (ctx.local) {
    const { jwtTemplates } = await import('../local/clerk/templates.ts');
    const t = jwtTemplates[name];
    if (!t) throw problem('template-missing', `The local Clerk instance has no JWT template named "${name}" (it has: ${Object.keys(jwtTemplates).join(', ')}).`, 'Set CLERK_SUPABASE_TEMPLATE=supabase, the template local/clerk/templates.ts defines.');
    const claims = t.claims({ userId: 'user_doctor', sessionId: 'sess_doctor' });
    if (claims.role !== 'authenticated') throw problem('missing-role-claim', `The local template "${name}" has no role: "authenticated" claim.`, 'Add "role": "authenticated" to its claims in local/clerk/templates.ts.');
    return `the local template "${name}" exists (HS256 with the project JWT secret, role: "authenticated")`;
  }
  let r: HttpResult;
  try {
    r = await http(`${ctx.clerkApiUrl}/v1/jwt_templates`, { headers: { authorization: `Bearer ${ctx.env.CLERK_SECRET_KEY}` } });
  } catch (e) {
    ctx.warnings.push({ cause: 'template-missing', message: `Could not list JWT templates (${networkReason(e)}); the template is checked through its token instead.`, fix: 'Check your network.' });
    return 'not listed (Backend API unreachable)';
  }
  if (r.status !== 200 || !Array.isArray(r.body)) {
    ctx.warnings.push({ cause: 'template-missing', message: `Could not list JWT templates (Backend API answered ${r.status}); the template is checked through its token instead.`, fix: 'Check CLERK_SECRET_KEY.' });
    return `not listed (Backend API answered ${r.status})`;
  }
  const t = (r.body as { name: string; claims?: Record<string, unknown>; custom_signing_key?: boolean; signing_algorithm?: string }[]).find((x) => x.name === name);
  if (!t) throw problem('template-missing', `Your Clerk instance has no JWT template named "${name}".`, fixMissing);
  if (t.claims?.role !== 'authenticated') {
    throw problem('missing-role-claim', `The JWT template "${name}" has no "role": "authenticated" claim, so Postgres would run its tokens as anon.`, `Clerk Dashboard -> Configure -> JWT templates -> ${name}: add "role": "authenticated" to the claims.`);
  }
  if (!t.custom_signing_key || (t.signing_algorithm && t.signing_algorithm !== 'HS256')) {
    throw problem('template-signing-key', `The JWT template "${name}" signs with ${t.custom_signing_key ? t.signing_algorithm : "Clerk's own key (RS256)"}, which Supabase cannot verify.`, `Clerk Dashboard -> Configure -> JWT templates -> ${name}: turn on Custom signing key, algorithm HS256, key = Supabase Dashboard -> Project Settings -> JWT Keys -> Legacy JWT Secret.`);
  }
  return `the template "${name}" exists, HS256 with a custom signing key, role: "authenticated"`;
}

async function mintWithBackendApi(ctx: Ctx): Promise<string> {
  const auth = { authorization: `Bearer ${ctx.env.CLERK_SECRET_KEY}`, 'content-type': 'application/json' };
  const s = await http(`${ctx.clerkApiUrl}/v1/sessions`, { method: 'POST', headers: auth, body: JSON.stringify({ user_id: ctx.args.user, ...(ctx.args.org ? { active_organization_id: ctx.args.org } : {}) }) });
  const sid = (s.body as { id?: string } | null)?.id;
  if (s.status !== 200 || !sid) {
    throw problem('no-token', `Clerk's Backend API would not create a test session for ${ctx.args.user} (${s.status}: ${JSON.stringify(s.body)?.slice(0, 200)}).`, 'Pass a token instead: sign in to your app, run `await window.Clerk.session.getToken()` in the browser console (with `{ template: "<name>" }` in template mode) and run `npm run doctor -- --token <jwt>` within a minute.');
  }
  ctx.cleanups.push(async () => {
    await http(`${ctx.clerkApiUrl}/v1/sessions/${sid}/revoke`, { method: 'POST', headers: auth }).catch(() => undefined);
  });
  const body = ctx.args.lifetime ? { expires_in_seconds: ctx.args.lifetime } : {};
  const t = await http(`${ctx.clerkApiUrl}/v1/sessions/${sid}/tokens${ctx.template ? `/${ctx.template}` : ''}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
  const jwt = (t.body as { jwt?: string } | null)?.jwt;
  if (t.status === 404 && ctx.template) throw problem('template-missing', `Clerk has no JWT template named "${ctx.template}" (404 from the Backend API).`, `Create it: Clerk Dashboard -> Configure -> JWT templates -> New template -> Supabase, named "${ctx.template}".`);
  if (!jwt) throw problem('no-token', `Clerk's Backend API gave no token (${t.status}).`, 'Pass one with --token (see `npm run doctor -- --help`).');
  return jwt;
}

async function obtainToken(ctx: Ctx): Promise<string> {
  if (ctx.args.token) return ctx.args.token.trim();
  if (ctx.local) {
    // The local instance's own keys: the same tokens its Frontend API hands to clerk-js.
    const { loadKeys } = await import('../local/keys.ts');
    const { mintSessionToken, mintTemplateToken, UnknownTemplateError } = await import('../local/clerk/tokens.ts');
    const keys = await loadKeys();
    const subject = {
      userId: ctx.args.user,
      sessionId: `sess_doctor_${Date.now()}`,
      // The app's middleware checks azp against CLERK_AUTHORIZED_PARTIES, as for a browser's token.
      authorizedParty: ctx.env.APP_URL,
      org: ctx.args.org ? { id: ctx.args.org, slug: ctx.args.org.replace(/^org_/, ''), role: 'admin' as const } : undefined,
    };
    try {
      const opts = { expiresInSeconds: ctx.args.lifetime };
      return ctx.template ? await mintTemplateToken(keys, ctx.template, subject, opts) : await mintSessionToken(keys, subject, opts);
    } catch (e) {
      if (e instanceof UnknownTemplateError) throw problem('template-missing', e.message, 'Set CLERK_SUPABASE_TEMPLATE=supabase.');
      throw e;
    }
  }
  if (ctx.args.userGiven) return mintWithBackendApi(ctx);
  throw problem('no-token', 'Against hosted services doctor needs a token of a test user.', `Either pass a Clerk user id (\`npm run doctor -- --user user_...\`; doctor creates a short test session through Clerk's Backend API, which development instances allow), or sign in to your app, run \`await window.Clerk.session.getToken()\`${ctx.template ? ` with { template: "${ctx.template}" }` : ''} in the browser console and run \`npm run doctor -- --token <jwt>\` (or DOCTOR_TOKEN=<jwt>) within a minute.`);
}

const roleFix = (ctx: Ctx) =>
  ctx.template
    ? `Clerk Dashboard -> Configure -> JWT templates -> ${ctx.template}: add "role": "authenticated" to the claims.`
    : `${CLERK_SUPABASE_PAGE}, or add it by hand: Clerk Dashboard -> Configure -> Sessions -> Customize session token -> Claims: { "role": "authenticated" } -> Save.`;

async function checkToken(ctx: Ctx): Promise<string> {
  const token = await obtainToken(ctx);
  ctx.token = token;
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
    ctx.claims = decodeJwt(token) as Ctx['claims'];
  } catch {
    throw problem('token-malformed', 'The token is not a JWT (three base64url parts).', 'Copy the whole token: `await window.Clerk.session.getToken()` returns it as one string starting with eyJ.');
  }
  const c = ctx.claims!;
  if (!c.sub) throw problem('token-malformed', 'The token has no "sub" claim, so no policy can tell whose rows are whose.', 'Use a Clerk session token (or a template token); both carry sub = the Clerk user id.');
  const now = Math.floor(Date.now() / 1000);
  if (typeof c.exp === 'number' && c.exp <= now) {
    throw problem('token-expired', `The token expired ${now - c.exp} s ago (Clerk tokens live about 60 s).`, 'Get a fresh token for each request: give supabase-js `accessToken: () => getToken()` (lib/supabase/*) rather than a token string; long-lived clients (realtime, background jobs) must ask Clerk again before exp. For doctor, pass a token at most a minute old.');
  }
  if (c.role === undefined) throw problem('missing-role-claim', `The token of ${c.sub} has no "role" claim: the data API runs it as anon, so policies "to authenticated" return nothing (an empty array, or 401 42501).`, roleFix(ctx));
  if (c.role !== 'authenticated') throw problem('wrong-role-claim', `The token's "role" claim is "${String(c.role)}"; Postgres switches to that role for the request.`, roleFix(ctx).replace('add', 'set'));
  const expectedIss = `https://${ctx.clerkHost}`;
  if (c.iss && c.iss !== expectedIss) {
    throw problem('wrong-clerk-instance', `The token was issued by ${c.iss}, but NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY belongs to ${expectedIss}.`, 'Use keys and a token of the same Clerk instance (development vs production is the usual mix-up).');
  }
  if (ctx.template) {
    if (header.alg !== 'HS256') {
      throw problem('token-mode-mismatch', `Template mode is on (CLERK_SUPABASE_TEMPLATE=${ctx.template}), but this is a ${header.alg} session token, not an HS256 template token.`, `Get the token with getToken({ template: "${ctx.template}" }), or unset CLERK_SUPABASE_TEMPLATE to use third-party mode.`);
    }
    try {
      await jwtVerify(token, new TextEncoder().encode(ctx.env.SUPABASE_JWT_SECRET), { algorithms: ['HS256'], clockTolerance: 30 });
    } catch {
      throw problem('template-secret-mismatch', `The "${ctx.template}" template token is not signed with SUPABASE_JWT_SECRET: the template's signing key and the Supabase JWT secret differ, so the data API answers 401 "invalid JWT".`, `Copy Supabase Dashboard -> Project Settings -> JWT Keys -> Legacy JWT Secret into both SUPABASE_JWT_SECRET and Clerk Dashboard -> Configure -> JWT templates -> ${ctx.template} -> Custom signing key (HS256).`);
    }
  } else {
    if (header.alg === 'HS256') {
      ctx.warnings.push({ cause: 'token-mode-mismatch', message: 'Third-party mode is on, but the token is an HS256 template token; the app sends session tokens in this mode.', fix: 'Test with a session token (getToken() without a template), or set CLERK_SUPABASE_TEMPLATE.' });
    } else if (ctx.env.CLERK_JWT_KEY) {
      try {
        await jwtVerify(token, await importSPKI(ctx.env.CLERK_JWT_KEY.replace(/\\n/g, '\n'), header.alg ?? 'RS256'), { clockTolerance: 30 });
      } catch {
        throw problem('wrong-clerk-instance', 'The token does not verify with CLERK_JWT_KEY: it was signed by another Clerk instance.', `Copy the JWT public key of this instance (${CLERK_KEYS_PAGE} -> JWT public key -> PEM) into CLERK_JWT_KEY, and use a token of the same instance.`);
      }
    }
  }
  const org = c.o?.id ?? c.org_id;
  return `${ctx.args.token ? 'given' : ctx.local ? 'minted with the local keys' : 'from a test session'}: ${header.alg} ${ctx.template ? 'template' : 'session'} token, sub ${c.sub}, role ${c.role}${org ? `, org ${org}` : ''}, expires in ${typeof c.exp === 'number' ? c.exp - now : '?'} s`;
}

async function checkWhoami(ctx: Ctx): Promise<string> {
  const r = await http(rest(ctx, 'rpc/whoami'), { method: 'POST', headers: headers(ctx), body: '{}' });
  const code = errCode(r);
  if (r.status === 401 && code === '42501') {
    throw problem('token-runs-as-anon', 'The data API accepted the token but ran it as anon (401 42501 on whoami).', roleFix(ctx));
  }
  if (r.status === 401) {
    const msg = errMessage(r);
    if (/expired/i.test(msg)) throw problem('token-expired', `The data API says: ${msg}.`, 'Get a fresh token (they live about 60 s); in code, pass accessToken: () => getToken() to supabase-js.');
    const fix = ctx.template
      ? 'The template is signed with a key Supabase does not know: copy Supabase Dashboard -> Project Settings -> JWT Keys -> Legacy JWT Secret into Clerk Dashboard -> Configure -> JWT templates -> ' + `${ctx.template} -> Custom signing key (HS256), and into SUPABASE_JWT_SECRET.`
      : ctx.local
        ? 'The local data API does not know this signing key: restart the stack (`npm run stack:down && npm run dev`) so PostgREST reloads .local/keys.json.'
        : `Supabase does not trust this Clerk instance: ${THIRD_PARTY_PAGE}, domain ${ctx.clerkHost}. Check that the domain is this instance's (development and production instances have different domains).`;
    throw problem('token-rejected', `The data API rejects the token: ${r.status} ${code} "${msg}".`, fix);
  }
  if (r.status === 400 && code === '22023') throw problem('wrong-role-claim', `Postgres has no role named in the token's "role" claim (${errMessage(r)}).`, roleFix(ctx).replace('add', 'set'));
  if (r.status === 403 && code === '42501') throw problem('missing-grant', 'authenticated may not execute whoami() (403 42501).', 'grant execute on function public.whoami() to authenticated; (it is in supabase/migrations: run `supabase db push`).');
  if (r.status === 404) throw problem('migrations-missing', `whoami() is missing (${r.status} ${code}).`, 'Run `supabase db push`.');
  if (r.status !== 200 || !r.body || typeof r.body !== 'object') throw problem('token-rejected', `whoami answered ${r.status}: ${errMessage(r)}.`, 'See the data API logs: Supabase Dashboard -> Logs -> API (PostgREST).');
  const w = r.body as Ctx['whoami'] & object;
  ctx.whoami = w;
  if (w.role !== 'authenticated') throw problem('token-runs-as-anon', `Postgres runs the request as "${w.role}", not "authenticated".`, roleFix(ctx));
  if (w.sub !== ctx.claims!.sub) throw problem('token-rejected', `Postgres sees sub ${w.sub}, the token has ${ctx.claims!.sub}.`, 'public.requesting_user_id() must read auth.jwt() ->> \'sub\'; re-run `supabase db push`.');
  return `Postgres sees role ${w.role}, sub ${w.sub}, org ${w.org_id ?? '(none)'}${w.org_role ? ` (${w.org_role})` : ''}`;
}

/** The tables this app reads through the data API, and the column that says whose a row is. */
const APP_TABLES = [
  { table: 'profiles', owner: 'id', by: 'sub' },
  { table: 'tasks', owner: 'user_id', by: 'sub' },
  { table: 'projects', owner: 'org_id', by: 'org' },
] as const;

const SYSTEM_SCHEMAS = ['pg_catalog', 'information_schema', 'pg_toast', 'auth', 'extensions', 'graphql', 'graphql_public', 'realtime', '_realtime', 'supabase_functions', 'supabase_migrations', 'vault', 'pgsodium', 'pgsodium_masks', 'net', 'cron', 'pgbouncer', '_analytics', 'pgtle', 'private'];

async function checkCatalog(ctx: Ctx): Promise<string | null> {
  if (!ctx.env.SUPABASE_DB_URL) return null;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: ctx.env.SUPABASE_DB_URL, connectionTimeoutMillis: 8000 });
  try {
    await client.connect();
  } catch (e) {
    ctx.warnings.push({ cause: 'supabase-unreachable', message: `SUPABASE_DB_URL does not connect (${networkReason(e)}); tables checked through the data API only.`, fix: 'Copy the connection string from Supabase Dashboard -> Connect (Session pooler), with your database password.' });
    return null;
  }
  try {
    const rls = await client.query<{ name: string }>(
      `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity order by 1`,
    );
    if (rls.rows.length) {
      throw problem('rls-disabled', `Row-level security is off on public.${rls.rows.map((r) => r.name).join(', public.')}: every role with a GRANT reads and writes all rows through the data API.`, `alter table public.${rls.rows[0].name} enable row level security; then add policies "to authenticated" (in a migration; \`supabase db push\`).`);
    }
    for (const { table } of APP_TABLES) {
      const g = await client.query<{ exists: boolean; select: boolean }>(
        `select to_regclass($1) is not null as exists, coalesce(has_table_privilege('authenticated', to_regclass($1), 'SELECT'), false) as select`,
        [`public.${table}`],
      );
      if (!g.rows[0].exists) throw problem('migrations-missing', `public.${table} does not exist.`, 'Run `supabase db push`.');
      if (!g.rows[0].select) throw problem('missing-grant', `authenticated has no SELECT on public.${table}: the data API answers 403 (42501 permission denied) before RLS is even asked.`, `grant select on table public.${table} to authenticated; (in a migration; the ones in supabase/migrations have it: \`supabase db push\`).`);
    }
    const uidPolicies = await client.query<{ schema: string; table: string; policy: string }>(
      `select schemaname as schema, tablename as table, policyname as policy from pg_policies
       where schemaname <> all($1) and (coalesce(qual, '') ~* 'auth\\.uid\\(' or coalesce(with_check, '') ~* 'auth\\.uid\\(')
       order by 1, 2, 3`,
      [SYSTEM_SCHEMAS],
    );
    if (uidPolicies.rows.length) {
      const p = uidPolicies.rows[0];
      throw problem('auth-uid-cast', `Policy "${p.policy}" on ${p.schema}.${p.table} calls auth.uid(), which casts sub to uuid: with Clerk ids (user_2abc…) it fails with 22P02 or matches nothing.${uidPolicies.rows.length > 1 ? ` (${uidPolicies.rows.length - 1} more policies do the same.)` : ''}`, "Compare a text column with (select auth.jwt() ->> 'sub') or (select public.requesting_user_id()) instead.");
    }
    const uidDefaults = await client.query<{ schema: string; table: string; column: string }>(
      `select n.nspname as schema, c.relname as table, a.attname as column
       from pg_attrdef d join pg_class c on c.oid = d.adrelid join pg_namespace n on n.oid = c.relnamespace
       join pg_attribute a on a.attrelid = d.adrelid and a.attnum = d.adnum
       where n.nspname <> all($1) and n.nspname <> 'storage' and pg_get_expr(d.adbin, d.adrelid) ~* 'auth\\.uid\\(' order by 1, 2, 3`,
      [SYSTEM_SCHEMAS],
    );
    if (uidDefaults.rows.length) {
      const d = uidDefaults.rows[0];
      throw problem('auth-uid-cast', `Column ${d.schema}.${d.table}.${d.column} defaults to auth.uid(), which fails for Clerk ids (22P02).`, `alter table ${d.schema}.${d.table} alter column ${d.column} set default public.requesting_user_id(); (the column must be text).`);
    }
    const uuidOwners = await client.query<{ schema: string; table: string; column: string }>(
      `select table_schema as schema, table_name as table, column_name as column from information_schema.columns
       where table_schema <> all($1) and table_schema <> 'storage' and data_type = 'uuid'
         and column_name in ('user_id', 'owner_id', 'created_by', 'author_id', 'clerk_user_id', 'clerk_id', 'owner')
       order by 1, 2, 3`,
      [SYSTEM_SCHEMAS],
    );
    if (uuidOwners.rows.length) {
      const u = uuidOwners.rows[0];
      throw problem('uuid-owner-column', `${u.schema}.${u.table}.${u.column} is uuid, but Clerk user ids are text (user_2abc…): inserts fail with 22P02 and policies comparing it never match.`, `alter table ${u.schema}.${u.table} alter column ${u.column} type text; then compare it with (select public.requesting_user_id()).`);
    }
    return 'catalog: RLS on every public table, SELECT granted on app tables, no auth.uid() in policies or defaults, owner columns are text';
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function checkTables(ctx: Ctx): Promise<string> {
  const catalog = await checkCatalog(ctx);
  const sub = ctx.claims!.sub!;
  const org = ctx.whoami?.org_id ?? null;
  for (const { table, owner, by } of APP_TABLES) {
    const mine = by === 'sub' ? sub : org;
    const filter = mine ? `&${owner}=neq.${encodeURIComponent(mine)}` : '';
    const asUser = await http(rest(ctx, `${table}?select=${owner}&limit=1${filter}`), { headers: headers(ctx) });
    const code = errCode(asUser);
    if (asUser.status === 403 || (asUser.status === 401 && code === '42501')) {
      throw problem('missing-grant', `As ${sub}, reading ${table} is refused: ${asUser.status} ${code} "${errMessage(asUser)}". Tables need a GRANT for the role as well as a policy.`, `grant select on table public.${table} to authenticated; (in a migration; the ones in supabase/migrations have it: \`supabase db push\`).`);
    }
    if (asUser.status === 400 && code === '22P02') {
      throw problem('auth-uid-cast', `Reading ${table} as ${sub} fails with 22P02 "${errMessage(asUser)}": a policy casts the Clerk id to uuid (auth.uid()) or compares it with a uuid column.`, "Make owner columns text and compare them with (select auth.jwt() ->> 'sub') / (select public.requesting_user_id()); set SUPABASE_DB_URL and doctor names the policy.");
    }
    if (asUser.status === 404) throw problem('migrations-missing', `The data API has no table ${table} (${code}).`, 'Run `supabase db push`.');
    if (asUser.status !== 200) throw problem('missing-grant', `Reading ${table} as ${sub} answered ${asUser.status} ${code}: ${errMessage(asUser)}.`, 'See Supabase Dashboard -> Logs -> API.');
    if (Array.isArray(asUser.body) && asUser.body.length) {
      throw problem('rls-disabled', `As ${sub}${org ? ` in ${org}` : ''}, the data API returns a row of ${table} that is not theirs (${owner} = ${JSON.stringify((asUser.body[0] as Record<string, unknown>)[owner])}): RLS is off or a policy is too wide.`, `alter table public.${table} enable row level security; and keep its policies to ${owner} = (select public.requesting_${by === 'sub' ? 'user' : 'org'}_id()).`);
    }
    const asAnon = await http(rest(ctx, `${table}?select=*&limit=1`), { headers: headers(ctx, false) });
    if (asAnon.status === 200 && Array.isArray(asAnon.body) && asAnon.body.length) {
      throw problem('rls-disabled', `Signed out (anon), the data API returns rows of ${table}.`, `alter table public.${table} enable row level security; revoke all on table public.${table} from anon;`);
    }
  }
  return catalog ?? `data API: ${APP_TABLES.map((t) => t.table).join(', ')} readable as authenticated, only own rows, nothing for anon (set SUPABASE_DB_URL for the catalog checks)`;
}

async function checkProfile(ctx: Ctx): Promise<string> {
  const sub = ctx.claims!.sub!;
  const before = await http(rest(ctx, `profiles?select=id&id=eq.${encodeURIComponent(sub)}`), { headers: headers(ctx) });
  const existed = Array.isArray(before.body) && before.body.length > 0;
  const r = await http(rest(ctx, 'rpc/ensure_user_profile'), { method: 'POST', headers: headers(ctx), body: '{}' });
  const code = errCode(r);
  if (r.status === 404) throw problem('migrations-missing', `ensure_user_profile() is missing (${code}).`, 'Run `supabase db push`.');
  if (r.status === 401 || r.status === 403) {
    throw problem('missing-grant', `authenticated may not execute ensure_user_profile(): ${r.status} ${code} "${errMessage(r)}".`, 'grant execute on function public.ensure_user_profile() to authenticated; (it is in supabase/migrations: `supabase db push`).');
  }
  const row = r.body as { id?: string } | null;
  if (r.status !== 200 || row?.id !== sub) {
    throw problem('ensure-profile-failed', `ensure_user_profile() answered ${r.status}: ${r.status === 200 ? `a row for ${row?.id}` : errMessage(r)}.`, 'Compare the function with supabase/migrations/*_profiles.sql and re-run `supabase db push`.');
  }
  if (!existed) {
    ctx.warnings.push({ cause: 'profile-missing', message: `${sub} had no profile row: the Clerk webhook (user.created) has not reached this database for them. ensure_user_profile() created it now, as the app does on first sign-in.`, fix: 'Clerk Dashboard -> Configure -> Webhooks: an endpoint https://<your app>/api/webhooks/clerk with user.created, user.updated, user.deleted, its Signing Secret in CLERK_WEBHOOK_SIGNING_SECRET; the endpoint\'s Message Attempts show failed deliveries.' });
  }
  return `returns the profile of ${sub}${existed ? '' : ' (created just now)'}`;
}

// ---------------------------------------------------------------------------------------------
// Runner and output

const DEFAULT_USER = 'user_alice';

interface Step {
  key: string;
  title: string;
  run: (ctx: Ctx) => Promise<string>;
  when?: (ctx: Ctx) => boolean;
}

const STEPS: Step[] = [
  { key: 'env', title: 'Environment variables', run: checkEnv },
  { key: 'clerk', title: 'Clerk keys', run: checkClerkKeys },
  { key: 'api', title: 'Supabase data API', run: checkDataApi },
  { key: 'template', title: 'JWT template', run: checkTemplateDefinition, when: (ctx) => Boolean(ctx.template) },
  { key: 'token', title: 'Test user token', run: checkToken },
  { key: 'whoami', title: 'What Postgres sees', run: checkWhoami },
  { key: 'tables', title: 'RLS and GRANTs', run: checkTables },
  { key: 'profile', title: 'ensure_user_profile()', run: checkProfile },
];

const HELP = `npm run doctor [-- options]

Checks the configuration the app uses (process env, .env.local, .env; else the local stack's
.local/stack.env) against Clerk and Supabase, and names the first problem and its fix.

  --env-file FILE   read this file instead of .env.local/.env (process env still wins)
  --token JWT       a Clerk session token (third-party mode) or template token (template mode) of a
                    test user; also DOCTOR_TOKEN. In the browser console of your signed-in app:
                    await window.Clerk.session.getToken()            (third-party mode)
                    await window.Clerk.session.getToken({ template: 'supabase' })   (template mode)
  --user ID         the test user (default ${DEFAULT_USER} locally; hosted: doctor creates a short test
                    session for this Clerk user id through the Backend API)
  --org ID          the test user's active organisation (local default: org_acme)
  --print-token     only print a token for --user (10 minutes; for the README's curl checklist)
  --no-color        plain output (also NO_COLOR=1; colour is only used on a terminal)
`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'env-file': { type: 'string' },
      token: { type: 'string' },
      user: { type: 'string' },
      org: { type: 'string' },
      'no-color': { type: 'boolean' },
      'print-token': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const colour = Boolean(process.stdout.isTTY) && !values['no-color'] && !process.env.NO_COLOR;
  const paint = (code: string, s: string) => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
  const mark = { ok: paint('32', '✓'), fail: paint('31', '✗'), warn: paint('33', '!'), skip: paint('2', '-') };
  const print = (line = '') => process.stdout.write(`${line}\n`);

  let loaded: Loaded;
  try {
    loaded = await loadConfig(values['env-file']);
  } catch (e) {
    if (!(e instanceof Problem)) throw e;
    print(`${mark.fail} ${e.message}\n    fix    ${e.fix}`);
    print(`\n${paint('31', `doctor: FAILED - ${e.cause}`)}`);
    return 1;
  }
  const env = loaded.env;
  const local = Boolean(env.LOCAL_STACK);
  const ctx: Ctx = {
    env,
    local,
    template: env.CLERK_SUPABASE_TEMPLATE ?? null,
    supabaseUrl: env.NEXT_PUBLIC_SUPABASE_URL ?? '',
    apikey: env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY ?? '',
    clerkHost: clerkHostFromPublishableKey(env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY ?? '') ?? '',
    clerkApiUrl: (env.CLERK_API_URL ?? 'https://api.clerk.com').replace(/\/+$/, ''),
    args: {
      token: values.token ?? env.DOCTOR_TOKEN,
      user: values.user ?? DEFAULT_USER,
      userGiven: Boolean(values.user),
      org: values.org ?? (local && !values.user ? 'org_acme' : undefined),
    },
    warnings: [],
    cleanups: [],
  };

  if (values['print-token']) {
    // For scripts: the token on stdout, or the reason on stderr. The session is left to expire
    // with the token, so no cleanup runs here.
    ctx.args.lifetime = 600;
    try {
      if (!ctx.local && !ctx.args.userGiven && !ctx.args.token) throw problem('no-token', '--print-token needs --user <Clerk user id> against hosted services.', 'Clerk Dashboard -> Users -> a user -> copy the User ID.');
      print(await obtainToken(ctx));
      return 0;
    } catch (e) {
      process.stderr.write(`${e instanceof Problem ? `${e.cause}: ${e.message}\n  fix: ${e.fix}` : String(e)}\n`);
      return 1;
    }
  }

  print(paint('1', `npm run doctor: ${local ? `local stack (${env.LOCAL_STACK})` : `hosted (${ctx.supabaseUrl || 'no Supabase URL'})`}, ${ctx.template ? `JWT-template mode (${ctx.template})` : 'third-party mode'}`));
  print(paint('2', `  configuration from: ${[...loaded.sources].reverse().concat('process env').join(', ')}`));
  let failed: Problem | null = null;
  const width = Math.max(...STEPS.map((s) => s.title.length)) + 2;
  try {
    for (const step of STEPS) {
      if (step.when && !step.when(ctx)) continue;
      if (failed) {
        print(`  ${mark.skip} ${step.title.padEnd(width)}${paint('2', 'not checked (fix the problem above first)')}`);
        continue;
      }
      const warningsBefore = ctx.warnings.length;
      try {
        const detail = await step.run(ctx);
        print(`  ${mark.ok} ${step.title.padEnd(width)}${detail}`);
      } catch (e) {
        failed = e instanceof Problem ? e : problem('unexpected-error', `${step.title}: ${e instanceof Error ? e.message : String(e)}`, 'Run again; if it persists, please open an issue with this output.');
        print(`  ${mark.fail} ${step.title.padEnd(width)}${paint('31', `${failed.cause}: ${CAUSES[failed.cause]}`)}`);
        print(`      ${failed.message}`);
        print(`      ${paint('1', 'fix')} ${failed.fix}`);
      }
      for (const w of ctx.warnings.slice(warningsBefore)) {
        print(`    ${mark.warn} ${paint('33', w.cause)}: ${w.message}`);
        print(`      ${paint('1', 'fix')} ${w.fix}`);
      }
    }
  } finally {
    for (const c of ctx.cleanups) await c();
  }
  print();
  if (failed) {
    print(paint('31', `doctor: FAILED - ${failed.cause}: ${CAUSES[failed.cause]}`));
    return 1;
  }
  print(paint('32', `doctor: all checks passed${ctx.warnings.length ? ` (${ctx.warnings.length} warning${ctx.warnings.length > 1 ? 's' : ''})` : ''}`));
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`doctor crashed: ${e instanceof Error ? e.stack : String(e)}`);
      process.exit(2);
    },
  );
}
