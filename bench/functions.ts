// The task-report Edge Function through the local gateway (/functions/v1/task-report), on the real
// Deno process: its cold start (the stack restarts the function; from that request until the first
// report answered, which includes Deno's boot and the module load) and its per-call latency once warm,
// one call at a time, in both integration modes (the session token is verified by @clerk/backend with
// CLERK_JWT_KEY, no key fetch; the template token by the data API, one more round trip).
import { loadKeys } from 'clerk-supabase-local-stack';
import { mintSessionToken, mintTemplateToken, type TokenSubject } from 'clerk-supabase-local-stack';
import { logLine, now, summarize, type Summary } from './stats.ts';

export interface FunctionsResult {
  function: string;
  /** Restart request to the first 200 report. */
  coldStart: Summary;
  /** Of which: Deno started and listening (the restart request's own time). */
  boot: Summary;
  warm: { sessionToken: Summary; templateToken: Summary };
  calls: number;
}

export async function benchFunctions(env: Record<string, string>, opts: { coldRuns: number; calls: number }): Promise<FunctionsResult> {
  const url = `${env.NEXT_PUBLIC_SUPABASE_URL}/functions/v1/task-report`;
  const keys = await loadKeys();
  // alice is on Pro; the app origin is one of the function's authorized parties.
  const subject: TokenSubject = {
    userId: 'user_alice',
    sessionId: 'sess_bench',
    email: 'alice@example.test',
    publicMetadata: { plan: 'pro' },
    authorizedParty: env.APP_URL,
  };
  const tokens = {
    sessionToken: await mintSessionToken(keys, subject, { expiresInSeconds: 3600 }),
    templateToken: await mintTemplateToken(keys, 'supabase', subject, { expiresInSeconds: 3600 }),
  };
  const report = async (token: string) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"format":"json"}',
    });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`task-report answered ${res.status}: ${body.slice(0, 200)}`);
  };

  const cold: number[] = [];
  const boot: number[] = [];
  for (let i = 0; i < opts.coldRuns; i++) {
    const t0 = now();
    const restart = await fetch(`${env.LOCAL_STACK_CONTROL_URL}/parts/functions/restart`, {
      method: 'POST',
      headers: { 'x-local-stack-secret': env.LOCAL_STACK_CONTROL_SECRET ?? '' },
    });
    if (!restart.ok) throw new Error(`restarting the functions failed: ${restart.status} ${await restart.text()}`);
    boot.push(now() - t0);
    // The first call may race the listener on a busy machine: retry a refused connection briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await report(tokens.sessionToken);
        break;
      } catch (e) {
        if (attempt > 100 || !/503/.test(String(e))) throw e;
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    cold.push(now() - t0);
    logLine(
      'functions',
      `cold start ${i + 1}/${opts.coldRuns}: ${Math.round(cold.at(-1)!)} ms (Deno listening after ${Math.round(boot.at(-1)!)} ms)`,
    );
  }

  const warm = { sessionToken: [] as number[], templateToken: [] as number[] };
  for (const token of Object.values(tokens)) for (let i = 0; i < 20; i++) await report(token); // warm-up
  // Interleaved, so both modes see the same machine load.
  for (let i = 0; i < opts.calls; i++) {
    for (const kind of ['sessionToken', 'templateToken'] as const) {
      const t = now();
      await report(tokens[kind]);
      warm[kind].push(now() - t);
    }
  }
  return {
    function: 'task-report',
    coldStart: summarize(cold),
    boot: summarize(boot),
    warm: { sessionToken: summarize(warm.sessionToken), templateToken: summarize(warm.templateToken) },
    calls: opts.calls,
  };
}
