// What Clerk costs per request. Backend API calls are counted where they land, at the local
// Backend API stand-in (GET {CLERK_API_URL}/__local/stats; DELETE resets it):
//   third-party mode: the session token goes to Supabase as is, so 0 calls are expected;
//   template mode: each session needs a JWT-template token from POST /v1/sessions/:id/tokens/:tpl,
//                  which the app caches per session until shortly before it expires.
// And how long the middleware's token check takes: @clerk/backend verifyToken with jwtKey (the
// PEM, no JWKS fetch), in-process, next to what a whole request to the API route costs.
import { verifyToken } from '@clerk/backend';
import { loadKeys } from 'clerk-supabase-local-stack';
import { mintSessionToken } from 'clerk-supabase-local-stack';
import { jwtTemplates } from 'clerk-supabase-local-stack';
import { benchTokens, load, type StartedApp } from './app.ts';
import { benchUser } from './rls.ts';
import type { ClerkResult, ModeCalls } from './report.ts';
import { logLine, measure, round, summarize } from './stats.ts';

async function stats(env: Record<string, string>, method: 'GET' | 'DELETE' = 'GET') {
  const res = await fetch(`${env.CLERK_API_URL}/__local/stats`, { method });
  if (!res.ok) throw new Error(`Backend API stand-in stats: HTTP ${res.status}`);
  return (await res.json()) as { calls: Record<string, number>; total: number };
}

async function backend(env: Record<string, string>, method: string, path: string, body?: Record<string, unknown>) {
  const res = await fetch(`${env.CLERK_API_URL}${path}`, {
    method,
    headers: { authorization: `Bearer ${env.CLERK_SECRET_KEY}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** N requests spread over the given tokens, counting the Backend API calls they cause. */
async function countCalls(
  app: StartedApp,
  env: Record<string, string>,
  tokens: string[],
  requests: number,
): Promise<Omit<ModeCalls, 'sessions'>> {
  await stats(env, 'DELETE');
  const r = await load({ url: `${app.url}/api/tasks`, headers: {} }, tokens, { connections: 10, amount: requests });
  if (r.non2xx + r.errors > 0)
    throw new Error(`${app.mode.name} mode: ${r.non2xx} non-2xx and ${r.errors} failed requests out of ${r.requests}`);
  const s = await stats(env);
  return {
    requests: r.requests,
    seconds: r.seconds,
    backendCalls: s.total,
    callsPer1000Requests: round((s.total / r.requests) * 1000, 1),
    calls: s.calls,
  };
}

export async function benchClerk(
  apps: { thirdParty: StartedApp; template: StartedApp },
  env: Record<string, string>,
  o: { requests: number; sessions: number; verifyRepeats: number; usersInData: number; requestMedianMs: number },
): Promise<ClerkResult> {
  // Third-party mode: locally minted session tokens of many users, as clerk-js would send them.
  const thirdPartyTokens = (await benchTokens(Math.min(100, o.usersInData), o.usersInData, new URL(apps.thirdParty.url).origin)).map(
    (t) => t.token,
  );
  await load({ url: `${apps.thirdParty.url}/api/tasks`, headers: {} }, thirdPartyTokens, { connections: 5, amount: 50 });
  const thirdParty = { ...(await countCalls(apps.thirdParty, env, thirdPartyTokens, o.requests)), sessions: thirdPartyTokens.length };
  logLine('clerk', `third-party mode: ${thirdParty.backendCalls} Backend API calls for ${thirdParty.requests} requests`);

  // Template mode needs real sessions in the Clerk stand-in: the template token endpoint only
  // answers for an active session of a known user.
  const keys = await loadKeys();
  const templateTokens: string[] = [];
  for (let i = 0; i < o.sessions; i++) {
    const userId = benchUser(Math.floor((i * o.usersInData) / o.sessions));
    const created = await backend(env, 'POST', '/v1/users', {
      user_id: userId,
      email_address: [`${userId}@bench.local`],
      password: 'bench-password-1',
    });
    if (created.status !== 200 && created.status !== 422)
      throw new Error(`creating ${userId} in the Clerk stand-in: HTTP ${created.status} ${JSON.stringify(created.body)}`);
    const session = await backend(env, 'POST', '/v1/sessions', { user_id: userId });
    if (session.status !== 200) throw new Error(`creating a session for ${userId}: HTTP ${session.status} ${JSON.stringify(session.body)}`);
    templateTokens.push(
      await mintSessionToken(
        keys,
        { userId, sessionId: String(session.body.id), authorizedParty: new URL(apps.template.url).origin },
        { expiresInSeconds: 3600 },
      ),
    );
  }
  const template = { ...(await countCalls(apps.template, env, templateTokens, o.requests)), sessions: o.sessions };
  const lifetime = jwtTemplates[apps.template.mode.env.CLERK_SUPABASE_TEMPLATE].lifetimeSeconds;
  const allowedCalls = o.sessions * Math.max(1, Math.ceil(template.seconds / lifetime));
  logLine(
    'clerk',
    `template mode: ${template.backendCalls} Backend API calls for ${template.requests} requests over ${o.sessions} sessions (${JSON.stringify(template.calls)})`,
  );

  // The middleware's own check, in-process: what verifying one session token costs.
  const parties = env.CLERK_AUTHORIZED_PARTIES?.split(',');
  const sample = thirdPartyTokens.slice(0, 50);
  const verify = await measure(
    async (i) => {
      const claims = await verifyToken(sample[i % sample.length], { jwtKey: env.CLERK_JWT_KEY, authorizedParties: parties });
      if (!claims.sub) throw new Error('verifyToken returned no sub');
    },
    { warmup: 200, repeats: o.verifyRepeats },
  );
  const verifyToken_ = summarize(verify);
  logLine('clerk', `verifyToken (jwtKey, in-process): median ${verifyToken_.median} ms, p99 ${verifyToken_.p99} ms`);
  return {
    thirdParty,
    template: { ...template, tokenLifetimeSeconds: lifetime, allowedCalls },
    verifyToken: verifyToken_,
    requestMedianMs: o.requestMedianMs,
    verifyShareOfRequest: round(verifyToken_.median / o.requestMedianMs, 4),
  };
}
