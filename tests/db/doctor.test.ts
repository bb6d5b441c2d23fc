// `npm run doctor`, run as a user runs it (a child process reading an env file), against a real
// stack that each test breaks on purpose, one pitfall at a time, and then repairs. The breakage
// (revoked grants, disabled RLS, auth.uid() policies) must never leak into other test files running
// at the same time, so this file starts its own sandbox stack: same code as the test stack, its own
// data folder and ports (the test instance's ports + 50).
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { importPKCS8, SignJWT } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadKeys, LOCAL_FAPI_HOST } from 'clerk-supabase-local-stack';
import { layout, projectRoot, type StackLayout } from 'clerk-supabase-local-stack';
import { postgresDataDir } from 'clerk-supabase-local-stack';
import { formatEnv } from 'clerk-supabase-local-stack';
import { startStack, type RunningStack } from 'clerk-supabase-local-stack';
import { PUSH_TO_LINKED, PUSH_TO_URL } from '../../scripts/doctor/hosted-commands.ts';

const base = layout('test');
const dir = path.join(base.dir, 'doctor-sandbox');
const sandbox: StackLayout = {
  ...base,
  dir,
  pgData: postgresDataDir(projectRoot, dir),
  logs: path.join(dir, 'logs'),
  clerkStore: path.join(dir, 'clerk.json'),
  pidFile: path.join(dir, 'stack.pid'),
  envFile: path.join(dir, 'stack.env'),
  ports: Object.fromEntries(Object.entries(base.ports).map(([k, p]) => [k, p + 50])) as StackLayout['ports'],
};

let stack: RunningStack;
let env: Record<string, string>;

beforeAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(sandbox.logs, { recursive: true });
  const log = fs.createWriteStream(path.join(sandbox.logs, 'stack.log'));
  stack = await startStack(sandbox, (line) => log.write(`${line}\n`));
  env = stack.env;
}, 90_000);

afterAll(async () => {
  await stack?.stop('doctor tests finished');
});

const execFileAsync = promisify(execFile);
// A test runs doctor up to a few times, each a process of its own: the test's deadline covers all of
// them at their own (generous) deadline, so a busy machine is slow, not failing.
const DOCTOR_DEADLINE_MS = 120_000;
vi.setConfig({ testTimeout: 4 * DOCTOR_DEADLINE_MS });
// A check that leaves the sandbox as it found it runs beside the others (`it.concurrent`, five at a time: each
// is a doctor process that mostly waits on the services). One that changes the database (`broken`) is a plain
// `it`: vitest starts it once the concurrent tests before it have ended, and the next ones after it ends.

/** Runs doctor with exactly this configuration (nothing inherited but PATH and HOME), never colour. */
const doctor = (config: Record<string, string | undefined>, ...args: string[]) => doctorIn(projectRoot, config, ...args);

/** The same, run in another folder (doctor looks for proxy.ts in the folder it runs in). */
async function doctorIn(cwd: string, config: Record<string, string | undefined>, ...args: string[]) {
  const file = path.join(dir, `doctor-${randomBytes(4).toString('hex')}.env`);
  const clean = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as Record<string, string>;
  fs.writeFileSync(file, formatEnv(clean), { mode: 0o600 });
  try {
    // A configuration without LOCAL_STACK plays a hosted project (on this machine's services): --hosted.
    const hosted = config.LOCAL_STACK === undefined ? ['--hosted'] : [];
    const { stdout } = await execFileAsync(
      process.execPath,
      [path.join(projectRoot, 'scripts/doctor.ts'), '--env-file', file, ...hosted, ...args],
      {
        cwd,
        env: { PATH: process.env.PATH, HOME: process.env.HOME } as unknown as NodeJS.ProcessEnv,
        timeout: DOCTOR_DEADLINE_MS,
      },
    );
    return { code: 0, out: stdout };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** The configuration without some variables: hosted (no LOCAL_STACK), no database URL, and so on. */
const without = (config: Record<string, string>, ...names: string[]) =>
  Object.fromEntries(Object.entries(config).filter(([k]) => !names.includes(k)));

/** The failing cause doctor names on its last line. */
const causeOf = (out: string) => /doctor: FAILED - ([a-z-]+)/.exec(out)?.[1];

async function sql(text: string) {
  const client = new pg.Client({ connectionString: env.SUPABASE_DB_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * A front for the sandbox's gateway that answers some paths itself (a hosted project's Supabase Auth
 * settings, an Edge Function deployed wrongly) and forwards everything else. Closed after `fn`.
 */
async function withFront<T>(answers: Record<string, { status: number; body: unknown }>, fn: (url: string) => Promise<T>): Promise<T> {
  const upstream = new URL(env.NEXT_PUBLIC_SUPABASE_URL);
  const server = http.createServer((req, res) => {
    const own = answers[new URL(req.url!, 'http://front').pathname];
    if (own) return res.writeHead(own.status, { 'content-type': 'application/json' }).end(JSON.stringify(own.body));
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host } },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Breaks the sandbox database, runs fn, and always repairs it, so one test cannot poison the next. */
async function broken<T>(breakSql: string, repairSql: string, fn: () => Promise<T>): Promise<T> {
  await sql(breakSql);
  try {
    return await fn();
  } finally {
    await sql(repairSql);
  }
}

/** A session-token-shaped JWT signed with the local instance key, with claims of the test's choosing. */
async function sessionToken(claims: Record<string, unknown>, opts: { key?: CryptoKey; iat?: number; exp?: number; iss?: string } = {}) {
  const keys = await loadKeys();
  const iat = opts.iat ?? Math.floor(Date.now() / 1000);
  return new SignJWT({ sid: 'sess_doctor_test', v: 2, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: keys.kid, typ: 'JWT' })
    .setIssuer(opts.iss ?? `https://${LOCAL_FAPI_HOST}`)
    .setIssuedAt(iat)
    .setNotBefore(iat - 10)
    .setExpirationTime(opts.exp ?? iat + 60)
    .sign(opts.key ?? (await importPKCS8(keys.privateKeyPem, 'RS256')));
}

async function templateToken(claims: Record<string, unknown>, secret: string) {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(`https://${LOCAL_FAPI_HOST}`)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 60)
    .sign(new TextEncoder().encode(secret));
}

describe('doctor on a healthy configuration', () => {
  it.concurrent('passes in third-party mode and shows what Postgres sees', async () => {
    const r = await doctor(env);
    expect(r.out).toContain('doctor: all checks passed');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Postgres sees role authenticated, sub user_alice, org org_acme \(org:admin\)/);
    expect(r.out).toMatch(/catalog: RLS on every public table/);
    expect(r.out).not.toContain('\x1b['); // no colour when not on a terminal
  });

  it.concurrent('passes in template mode, and warns that the mode is deprecated', async () => {
    const r = await doctor({ ...env, CLERK_SUPABASE_TEMPLATE: 'supabase' });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/HS256 template token, sub user_alice/);
    expect(r.out).toMatch(/! template-deprecated/);
  });

  it.concurrent('passes against "hosted" services with a given token and no database URL (data API checks only)', async () => {
    const hosted = without(env, 'LOCAL_STACK', 'SUPABASE_DB_URL');
    const r = await doctor(hosted, '--token', await sessionToken({ sub: 'user_bob', role: 'authenticated' }));
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/hosted \(http:\/\/127\.0\.0\.1:\d+\), third-party mode/);
    expect(r.out).toMatch(/data API: profiles, tasks, projects readable as authenticated, only own rows/);
  });

  it('hosted: offers to pin the issuer of the instance it checked, and says so once it is pinned', async () => {
    const hosted = without(env, 'LOCAL_STACK', 'SUPABASE_DB_URL');
    const token = () => sessionToken({ sub: 'user_bob', role: 'authenticated' });
    const open = await doctor(hosted, '--token', await token());
    expect(open.code, open.out).toBe(0);
    expect(open.out).toContain(`insert into private.clerk_issuers (issuer) values ('https://${LOCAL_FAPI_HOST}');`);
    await broken(
      `insert into private.clerk_issuers (issuer) values ('https://${LOCAL_FAPI_HOST}')`,
      'delete from private.clerk_issuers',
      async () => {
        const pinned = await doctor(hosted, '--token', await token());
        expect(pinned.code, pinned.out).toBe(0);
        expect(pinned.out).toContain(`issuer https://${LOCAL_FAPI_HOST} pinned in private.clerk_issuers`);
        expect(pinned.out).not.toContain('pin this instance');
      },
    );
  });

  it.concurrent('mints a test token through the Clerk Backend API for --user when hosted', async () => {
    const hosted = without(env, 'LOCAL_STACK');
    const r = await doctor(hosted, '--user', 'user_carol');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/from a test session: RS256 session token, sub user_carol/);
  });
});

describe('doctor names each pitfall', () => {
  it.concurrent('unreachable Supabase URL', async () => {
    const r = await doctor({ ...env, NEXT_PUBLIC_SUPABASE_URL: `http://127.0.0.1:${sandbox.ports.gateway + 9}` });
    expect(r.code).toBe(1);
    expect(causeOf(r.out)).toBe('supabase-unreachable');
    expect(r.out).toMatch(/does not answer \(ECONNREFUSED\)/);
    expect(r.out).toMatch(/- RLS and GRANTs\s+not checked/);
  });

  it.concurrent('a URL that is not a Supabase data API', async () => {
    const r = await doctor({ ...env, NEXT_PUBLIC_SUPABASE_URL: env.CLERK_API_URL });
    expect(causeOf(r.out)).toBe('not-supabase-endpoint');
    expect(r.code).toBe(1);
  });

  it.concurrent('the data API URL pasted with /rest/v1', async () => {
    const r = await doctor({ ...env, NEXT_PUBLIC_SUPABASE_URL: `${env.NEXT_PUBLIC_SUPABASE_URL}/rest/v1` });
    expect(causeOf(r.out)).toBe('env-malformed');
    expect(r.out).toMatch(/no path, no \/rest\/v1/);
  });

  it.concurrent('a missing variable, and a secret in a NEXT_PUBLIC_ variable', async () => {
    const missing = await doctor({ ...env, CLERK_SECRET_KEY: undefined });
    expect(causeOf(missing.out)).toBe('env-missing');
    expect(missing.out).toMatch(/CLERK_SECRET_KEY is not set/);
    const leaked = await doctor({ ...env, NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: env.SUPABASE_SECRET_KEY });
    expect(causeOf(leaked.out)).toBe('secret-in-public-env');
    expect(leaked.code).toBe(1);
  });

  it.concurrent('Clerk keys of a development and a production instance mixed', async () => {
    const r = await doctor({ ...env, CLERK_SECRET_KEY: env.CLERK_SECRET_KEY.replace('sk_test_', 'sk_live_') });
    expect(causeOf(r.out)).toBe('clerk-instance-mismatch');
    expect(r.out).toMatch(/development instance \(pk_test_\) but the secret key from a production instance/);
  });

  it.concurrent('a wrong Supabase API key', async () => {
    const r = await doctor({ ...env, NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: 'sb_publishable_of_another_project' });
    expect(causeOf(r.out)).toBe('supabase-api-key-invalid');
  });

  it.concurrent('missing role claim: the token would silently run as anon', async () => {
    const r = await doctor(env, '--token', await sessionToken({ sub: 'user_alice' }));
    expect(r.code).toBe(1);
    expect(causeOf(r.out)).toBe('missing-role-claim');
    expect(r.out).toMatch(/runs it as anon/);
    expect(r.out).toMatch(/Customize session token -> Claims: \{ "role": "authenticated" \}/);
  });

  it.concurrent('a role claim that is not "authenticated"', async () => {
    const r = await doctor(env, '--token', await sessionToken({ sub: 'user_alice', role: 'anon' }));
    expect(causeOf(r.out)).toBe('wrong-role-claim');
  });

  it.concurrent('an expired token', async () => {
    const iat = Math.floor(Date.now() / 1000) - 600;
    const r = await doctor(env, '--token', await sessionToken({ sub: 'user_alice', role: 'authenticated' }, { iat, exp: iat + 60 }));
    expect(causeOf(r.out)).toBe('token-expired');
    expect(r.out).toMatch(/expired \d+ s ago/);
    expect(r.out).toMatch(/accessToken: \(\) => getToken\(\)/);
  });

  it.concurrent('third-party mode: a token Supabase does not trust (wrong key, "invalid JWT" 401)', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const foreign = await importPKCS8(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'RS256');
    const hosted = without(env, 'LOCAL_STACK', 'CLERK_JWT_KEY');
    const r = await doctor(hosted, '--token', await sessionToken({ sub: 'user_alice', role: 'authenticated' }, { key: foreign }));
    expect(causeOf(r.out)).toBe('token-rejected');
    expect(r.out).toMatch(/rejects the token: 401/);
    expect(r.out).toMatch(/Third-Party Auth -> Add provider -> Clerk, domain clerk\.local\.localhost/);
  });

  it.concurrent("a token Supabase accepts but that is not a Clerk user's (a Supabase Auth uuid sub)", async () => {
    const uuid = await doctor(env, '--token', await sessionToken({ sub: '6f1c3a52-9d3e-4c43-a7b8-2f1d0c9e8b71', role: 'authenticated' }));
    expect(causeOf(uuid.out), uuid.out).toBe('token-not-clerk');
    expect(uuid.out).toMatch(/is not a Clerk user id/);
  });

  it.concurrent('a pending session (Organizations "Membership required"): named, with the setting that fixes it', async () => {
    const pending = await doctor(env, '--token', await sessionToken({ sub: 'user_alice', role: 'authenticated', sts: 'pending' }));
    expect(causeOf(pending.out), pending.out).toBe('session-pending');
    expect(pending.out).toMatch(/Organizations Settings .* -> Membership optional/);
    expect(pending.code).toBe(1);
  });

  it.concurrent('a token issued in the future (clock skew, "JWT issued at future")', async () => {
    const iat = Math.floor(Date.now() / 1000) + 300;
    const r = await doctor(env, '--token', await sessionToken({ sub: 'user_alice', role: 'authenticated' }, { iat, exp: iat + 600 }));
    expect(causeOf(r.out), r.out).toBe('token-clock-skew');
    // However long doctor took to start, the token is still minutes ahead of its clock.
    expect(Number(/issued (\d+) s in the future/.exec(r.out)?.[1])).toBeGreaterThan(30);
  });

  it.concurrent('hosted: Supabase Auth sign-ups still on (a warning: the policies refuse those users anyway)', async () => {
    const r = await withFront({ '/auth/v1/settings': { status: 200, body: { disable_signup: false } } }, (url) =>
      doctor({ ...without(env, 'LOCAL_STACK', 'SUPABASE_DB_URL'), NEXT_PUBLIC_SUPABASE_URL: url }, '--user', 'user_carol'),
    );
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/! supabase-signups-open/);
    expect(r.out).toMatch(/Allow new users to sign up/);
  });

  it.concurrent('the Edge Function deployed with verify_jwt on ("Invalid JWT"), not deployed, or without its secrets', async () => {
    const fn = '/functions/v1/task-report';
    const verifyJwt = await withFront({ [fn]: { status: 401, body: { code: 401, message: 'Invalid JWT' } } }, (url) =>
      doctor({ ...env, NEXT_PUBLIC_SUPABASE_URL: url }),
    );
    expect(causeOf(verifyJwt.out), verifyJwt.out).toBe('function-verify-jwt');
    expect(verifyJwt.out).toMatch(/--no-verify-jwt/);
    const missing = await withFront(
      { [fn]: { status: 404, body: { code: 'NOT_FOUND', message: 'Requested function was not found' } } },
      (url) => doctor({ ...env, NEXT_PUBLIC_SUPABASE_URL: url }),
    );
    expect(missing.code, missing.out).toBe(0);
    expect(missing.out).toMatch(/! function-missing/);
    const issuer = await withFront(
      { [fn]: { status: 401, body: { error: 'wrong_issuer', message: 'The token was issued by another Clerk instance.' } } },
      (url) => doctor({ ...env, NEXT_PUBLIC_SUPABASE_URL: url }),
    );
    expect(causeOf(issuer.out)).toBe('function-misconfigured');
    expect(issuer.out).toMatch(/supabase secrets set CLERK_ISSUER=/);
  });

  it.concurrent('a token of another Clerk instance', async () => {
    const r = await doctor(
      env,
      '--token',
      await sessionToken({ sub: 'user_alice', role: 'authenticated' }, { iss: 'https://other.clerk.accounts.dev' }),
    );
    expect(causeOf(r.out)).toBe('wrong-clerk-instance');
  });

  it.concurrent('template mode: SUPABASE_JWT_SECRET differs from the template signing key (wrong secret)', async () => {
    const wrongEnvSecret = await doctor({
      ...env,
      CLERK_SUPABASE_TEMPLATE: 'supabase',
      SUPABASE_JWT_SECRET: 'not-the-project-secret-0123456789abcdef',
    });
    expect(causeOf(wrongEnvSecret.out)).toBe('template-secret-mismatch');
    const claims = { sub: 'user_alice', role: 'authenticated', aud: 'authenticated' };
    const wrongTemplateKey = await doctor(
      { ...env, CLERK_SUPABASE_TEMPLATE: 'supabase' },
      '--token',
      await templateToken(claims, 'a-key-clerk-was-given-by-mistake-0123456789'),
    );
    expect(causeOf(wrongTemplateKey.out)).toBe('template-secret-mismatch');
    expect(wrongTemplateKey.code).toBe(1);
    // Env and template agree with each other, but not with the project: the data API's 401 names it.
    const other = 'both-copies-agree-but-the-project-differs-0123';
    const projectDiffers = await doctor(
      { ...env, CLERK_SUPABASE_TEMPLATE: 'supabase', SUPABASE_JWT_SECRET: other },
      '--token',
      await templateToken(claims, other),
    );
    expect(causeOf(projectDiffers.out)).toBe('token-rejected');
    expect(projectDiffers.out).toMatch(/Legacy JWT Secret/);
  });

  it.concurrent('template mode: a template without the token_kind claim (made before the mode was explicit)', async () => {
    const r = await doctor(
      { ...env, CLERK_SUPABASE_TEMPLATE: 'supabase' },
      '--token',
      await templateToken({ sub: 'user_alice', role: 'authenticated', aud: 'authenticated' }, env.SUPABASE_JWT_SECRET),
    );
    expect(causeOf(r.out), r.out).toBe('token-not-clerk');
    expect(r.out).toMatch(/neither a Clerk session token/);
    expect(r.out).toMatch(/JWT templates -> supabase: add "token_kind": "supabase-template"/);
  });

  it.concurrent('template mode: the template does not exist, or a session token is used', async () => {
    const missing = await doctor({ ...env, CLERK_SUPABASE_TEMPLATE: 'supabase_v2' });
    expect(causeOf(missing.out)).toBe('template-missing');
    const hosted = without(env, 'LOCAL_STACK');
    const hostedMissing = await doctor({ ...hosted, CLERK_SUPABASE_TEMPLATE: 'supabase_v2' }, '--user', 'user_alice');
    expect(causeOf(hostedMissing.out)).toBe('template-missing');
    const sessionInTemplateMode = await doctor(
      { ...env, CLERK_SUPABASE_TEMPLATE: 'supabase' },
      '--token',
      await sessionToken({ sub: 'user_alice', role: 'authenticated' }),
    );
    expect(causeOf(sessionInTemplateMode.out)).toBe('token-mode-mismatch');
  });

  it('missing GRANT, found in the catalog and through the data API (403 42501)', async () => {
    await broken(
      'revoke select on table public.tasks from authenticated',
      'grant select on table public.tasks to authenticated',
      async () => {
        const catalog = await doctor(env);
        expect(catalog.code).toBe(1);
        expect(causeOf(catalog.out)).toBe('missing-grant');
        expect(catalog.out).toMatch(/authenticated has no SELECT on public\.tasks/);
        const dataApi = await doctor({ ...env, SUPABASE_DB_URL: undefined });
        expect(causeOf(dataApi.out)).toBe('missing-grant');
        expect(dataApi.out).toMatch(/reading tasks is refused: 403 42501/);
      },
    );
    expect((await doctor(env)).code).toBe(0);
  });

  it("RLS disabled: other users' rows readable", async () => {
    await broken('alter table public.tasks disable row level security', 'alter table public.tasks enable row level security', async () => {
      const catalog = await doctor(env);
      expect(causeOf(catalog.out)).toBe('rls-disabled');
      expect(catalog.out).toMatch(/Row-level security is off on public\.tasks/);
      const dataApi = await doctor({ ...env, SUPABASE_DB_URL: undefined });
      expect(causeOf(dataApi.out)).toBe('rls-disabled');
      expect(dataApi.out).toMatch(/returns a row of tasks that is not theirs/);
    });
  });

  it('auth.uid() in a policy: named from the catalog, and seen as 22P02 through the data API', async () => {
    const policy = `create policy "doctor test: uuid cast" on public.tasks for select to authenticated using (user_id = (select auth.uid())::text)`;
    await broken(policy, 'drop policy "doctor test: uuid cast" on public.tasks', async () => {
      const catalog = await doctor(env);
      expect(causeOf(catalog.out)).toBe('auth-uid-cast');
      expect(catalog.out).toMatch(/Policy "doctor test: uuid cast" on public\.tasks calls auth\.uid\(\)/);
      const dataApi = await doctor({ ...env, SUPABASE_DB_URL: undefined });
      expect(causeOf(dataApi.out)).toBe('auth-uid-cast');
      expect(dataApi.out).toMatch(/22P02/);
    });
  });

  it('a uuid owner column (scratch schema): default auth.uid(), then the uuid type itself', async () => {
    await broken(
      `create schema doctor_scratch;
       create table doctor_scratch.notes (id bigint generated always as identity primary key, user_id uuid not null default auth.uid(), body text);
       alter table doctor_scratch.notes enable row level security;`,
      'drop schema doctor_scratch cascade',
      async () => {
        const withDefault = await doctor(env);
        expect(causeOf(withDefault.out)).toBe('auth-uid-cast');
        expect(withDefault.out).toMatch(/doctor_scratch\.notes\.user_id defaults to auth\.uid\(\)/);
        await sql('alter table doctor_scratch.notes alter column user_id drop default');
        const uuidColumn = await doctor(env);
        expect(causeOf(uuidColumn.out)).toBe('uuid-owner-column');
        expect(uuidColumn.out).toMatch(/doctor_scratch\.notes\.user_id is uuid, but Clerk user ids are text/);
      },
    );
  });

  it('a user who exists in Clerk but not in the database: warned, and repaired by ensure_user_profile', async () => {
    const user = `user_doctor_${randomBytes(4).toString('hex')}`;
    const r = await doctor(env, '--token', await sessionToken({ sub: user, role: 'authenticated' }));
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(new RegExp(`! profile-missing: ${user} had no profile row`));
    expect(r.out).toMatch(/created just now/);
    const again = await doctor(env, '--token', await sessionToken({ sub: user, role: 'authenticated' }));
    expect(again.out).not.toContain('profile-missing');
  });

  it('migrations not applied (whoami missing)', async () => {
    await broken(
      'alter function public.whoami() rename to whoami_hidden',
      'alter function public.whoami_hidden() rename to whoami',
      async () => {
        // PostgREST reloads its schema cache on the DDL notification: wait for that state (the data API
        // no longer knows whoami), one generous deadline, then run doctor once.
        const whoamiGone = async () =>
          (
            await fetch(`${env.NEXT_PUBLIC_SUPABASE_URL}/rest/v1/rpc/whoami`, {
              method: 'POST',
              headers: { apikey: env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY, 'content-type': 'application/json' },
              body: '{}',
            })
          ).status === 404;
        const deadline = Date.now() + 60_000;
        while (!(await whoamiGone()) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
        const r = await doctor(env);
        expect(causeOf(r.out), r.out).toBe('migrations-missing');
        expect(r.out).toContain('npm run db:reset');
        // Hosted, the fix is the guide's command that reaches the hosted project, never a bare `db push`.
        const hosted = await doctor(without(env, 'LOCAL_STACK', 'SUPABASE_DB_URL'), '--user', 'user_carol');
        expect(causeOf(hosted.out), hosted.out).toBe('migrations-missing');
        expect(hosted.out).toContain(`\`${PUSH_TO_LINKED}\``);
        expect(hosted.out).toContain(`\`${PUSH_TO_URL}\``);
        expect(hosted.out).not.toMatch(/`npx supabase db push`/);
      },
    );
  });
});

describe('doctor on the project and the deployment', () => {
  /** A throw-away project folder with these files (contents do not matter to doctor). */
  function project(files: string[]) {
    const root = fs.mkdtempSync(path.join(dir, 'project-'));
    for (const f of files) {
      fs.mkdirSync(path.join(root, path.dirname(f)), { recursive: true });
      fs.writeFileSync(path.join(root, f), '// test\n');
    }
    return root;
  }

  it('proxy.ts copied into a project that still has middleware.ts (next build stops)', async () => {
    const r = await doctorIn(project(['app/page.tsx', 'proxy.ts', 'middleware.ts']), env);
    expect(causeOf(r.out), r.out).toBe('middleware-and-proxy');
    expect(r.out).toMatch(/delete middleware\.ts/);
    const src = await doctorIn(project(['src/app/page.tsx', 'src/proxy.ts', 'src/middleware.ts']), env);
    expect(causeOf(src.out)).toBe('middleware-and-proxy');
  });

  it('proxy.ts copied beside src/ in a src/ project (Next.js never runs it)', async () => {
    const r = await doctorIn(project(['src/app/page.tsx', 'proxy.ts']), env);
    expect(causeOf(r.out), r.out).toBe('proxy-outside-src');
    expect(r.out).toMatch(/Move proxy\.ts to src\/proxy\.ts/);
    const moved = await doctorIn(project(['src/app/page.tsx', 'src/proxy.ts']), env);
    expect(moved.out).toMatch(/src\/proxy\.ts in place \(src\/ layout\)/);
    expect(moved.code, moved.out).toBe(0);
  });

  it('production keys with an origin outside the production domain ("Production Keys are only allowed for domain")', async () => {
    const pkLive = `pk_live_${Buffer.from('clerk.example.com$').toString('base64').replace(/=+$/, '')}`;
    const hosted = {
      ...without(env, 'LOCAL_STACK'),
      NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: pkLive,
      CLERK_SECRET_KEY: 'sk_live_doctortest',
      CLERK_AUTHORIZED_PARTIES: 'https://app.example.com,http://localhost:3000',
    };
    const r = await doctor(hosted);
    expect(r.out).toMatch(
      /! production-keys-domain: .*lists http:\/\/localhost:3000: .*"Production Keys are only allowed for domain example\.com"/,
    );
    expect(r.out).not.toMatch(/lists https:\/\/app\.example\.com/);
  });

  it("a webhook URL that redirects (307/308) or is refused before the route (401), as Clerk's Message Attempts show", async () => {
    const answers: Record<string, number> = {};
    const deployment = http.createServer((req, res) => {
      const status = answers[req.url!] ?? 404;
      res.writeHead(status, status === 308 ? { location: 'https://www.example.com/api/webhooks/clerk' } : {}).end();
    });
    await new Promise<void>((resolve) => deployment.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(deployment.address() as AddressInfo).port}`;
    const hosted = { ...without(env, 'LOCAL_STACK', 'SUPABASE_DB_URL'), CLERK_AUTHORIZED_PARTIES: origin };
    try {
      answers['/api/webhooks/clerk'] = 308;
      const redirects = await doctor(hosted, '--user', 'user_carol');
      expect(causeOf(redirects.out), redirects.out).toBe('webhook-redirects');
      answers['/api/webhooks/clerk'] = 401;
      const refused = await doctor(hosted, '--user', 'user_carol');
      expect(causeOf(refused.out), refused.out).toBe('webhook-refused');
      expect(refused.out).toMatch(/Deployment Protection/);
      answers['/api/webhooks/clerk'] = 400;
      const reached = await doctor(hosted, '--user', 'user_carol');
      expect(reached.out).toMatch(/reaches the route \(400 to an unsigned test event/);
    } finally {
      await new Promise<void>((resolve) => deployment.close(() => resolve()));
    }
  });
});

// Private Realtime channels (docs/realtime.md): the policies on realtime.messages, checked from the
// catalog when SUPABASE_DB_URL is set. Repaired by re-applying the migration that creates them.
describe('doctor and the Realtime policies', () => {
  const migration = fs.readFileSync(path.join(projectRoot, 'supabase/migrations/20261123120600_realtime_channels.sql'), 'utf8');
  const dropAll = `do $$ declare p record; begin
    for p in select policyname from pg_policies where schemaname = 'realtime' and tablename = 'messages' loop
      execute format('drop policy %I on realtime.messages', p.policyname);
    end loop; end $$;`;

  it('passes when the select and insert policies exist', async () => {
    const r = await doctor(env);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/private Realtime channels authorised by policies on realtime\.messages/);
  });

  it('names the missing policies: every private join would be refused', async () => {
    await broken(dropAll, migration, async () => {
      const r = await doctor(env);
      expect(causeOf(r.out)).toBe('realtime-policies-missing');
      expect(r.out).toMatch(/no select \(receive\) and insert \(send\) policy for authenticated/);
      expect(r.out).toMatch(/20261123120600_realtime_channels\.sql/);
    });
  });

  it('names a realtime.messages policy written with auth.uid()', async () => {
    const uidPolicy = `${dropAll}
      create policy "doctor test: copied example" on realtime.messages for select to authenticated
        using ((select realtime.topic()) = 'user:' || (select auth.uid())::text);`;
    await broken(uidPolicy, `${dropAll}\n${migration}`, async () => {
      const r = await doctor(env);
      expect(causeOf(r.out)).toBe('auth-uid-cast');
      expect(r.out).toMatch(/Policy "doctor test: copied example" on realtime\.messages calls auth\.uid\(\)/);
    });
  });
});
