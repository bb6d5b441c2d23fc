// Parts of the stack fail while the load runs: PostgREST stopped, Postgres stopped and started again,
// the Clerk Backend API stopped (it matters in template mode, where the server exchanges sessions for
// template tokens), and a query held past the statement timeout. While a part is down the API must
// answer 503 JSON with a clear message, pages must show an error state, and once the part is back
// the app must recover by itself, without a restart (polled with one generous deadline; how long it
// took is reported, not judged: a busy machine is slower, not broken). Probe users do the probing; the load's users keep going
// and their final comparison (load.ts) proves no acknowledged write was lost or applied twice.
import { deliverWebhook } from './webhooks.ts';
import {
  action,
  actionIds,
  api,
  check,
  control,
  newUser,
  page,
  sleep,
  timeUntil,
  withDb,
  type CheckResult,
  type Ctx,
  type SimUser,
} from './harness.ts';

/** How long a recovery may take before it counts as "did not recover by itself". */
const RECOVERY_DEADLINE_MS = 120_000;

export interface FaultReport {
  checks: CheckResult[];
  injected: string[];
  recoveryMs: Record<string, number | null>;
}

const ERROR_STATE = /role="alert"[^>]*>[^<]*(Could not load|unreachable|try again)/i;

/** A 503 or 504 with a JSON { error } that says what is wrong (not a generic "something went wrong"). */
function clearOutage(a: { status: number; json: Record<string, unknown> | null }, mentions: RegExp) {
  const msg = typeof a.json?.error === 'string' ? a.json.error : '';
  return { ok: (a.status === 503 || a.status === 504) && mentions.test(msg), seen: `${a.status} ${JSON.stringify(a.json)}` };
}

export async function prepareProbes(ctx: Ctx) {
  const probe = await newUser(ctx, 'third-party', 'probe');
  const cachedTemplate = await newUser(ctx, 'template', 'probecached');
  // A template-mode session the app has never seen: its first request needs the Backend API.
  const freshTemplate = await newUser(ctx, 'template', 'probefresh');
  const warm = await api(ctx, cachedTemplate, 'GET', '/api/tasks');
  if (warm.status !== 200) throw new Error(`template probe user could not list tasks: ${warm.status} ${warm.text}`);
  return { probe, cachedTemplate, freshTemplate };
}

async function recovery(ctx: Ctx, u: SimUser, name: string, report: FaultReport) {
  const ms = await timeUntil(
    async () => (await api(ctx, u, 'GET', '/api/tasks', undefined, 'api GET /api/tasks (recovery probe)')).status === 200,
    RECOVERY_DEADLINE_MS,
    100,
  );
  report.recoveryMs[name] = ms;
  report.checks.push(
    check(
      `${name}: recovers without a restart`,
      ms !== null,
      ms === null ? `still failing after ${RECOVERY_DEADLINE_MS / 1000} s` : `first 200 after ${ms} ms`,
    ),
  );
  // And writes work again.
  const post = await api(ctx, u, 'POST', '/api/tasks', { title: `${u.tag} after ${name}` });
  report.checks.push(check(`${name}: writes work again after recovery`, post.status === 201, `POST /api/tasks -> ${post.status}`));
}

/**
 * Polls until the app answers normally again for every probe user (both modes): the API lists tasks and
 * /dashboard renders without an error state. Only then does the fault's window end, so that a 503 after it
 * counts as a failure, however long a busy machine took to get there.
 */
async function settled(ctx: Ctx, name: string, users: SimUser[], report: FaultReport) {
  const normal = async () => {
    for (const u of users) {
      if ((await api(ctx, u, 'GET', '/api/tasks', undefined, 'api GET /api/tasks (settle probe)')).status !== 200) return false;
      const html = await page(ctx, u, '/dashboard');
      if (html.status !== 200 || ERROR_STATE.test(html.text)) return false;
    }
    return true;
  };
  const ms = await timeUntil(normal, RECOVERY_DEADLINE_MS, 250);
  report.checks.push(
    check(
      `${name}: both modes answer normally again`,
      ms !== null,
      ms === null ? `not within ${RECOVERY_DEADLINE_MS / 1000} s` : `after ${ms} ms more`,
    ),
  );
}

export async function runFaults(ctx: Ctx, probes: Awaited<ReturnType<typeof prepareProbes>>, o: { pauseMs: number }): Promise<FaultReport> {
  const report: FaultReport = { checks: [], injected: [], recoveryMs: {} };
  const ids = actionIds(ctx.distDir);
  const { probe, cachedTemplate, freshTemplate } = probes;
  const push = (name: string, ok: boolean, detail: string) => report.checks.push(check(name, ok, detail));

  // --- PostgREST stopped ---------------------------------------------------------------------------
  await sleep(o.pauseMs);
  {
    const hookId = `msg_fault_${Date.now()}`;
    const hookUser = {
      id: `user_relfault_${Date.now()}`,
      object: 'user',
      first_name: 'Retry',
      last_name: 'Me',
      updated_at: Date.now(),
      email_addresses: [],
    };
    const name = 'PostgREST stopped';
    const end = ctx.faults.begin(name);
    report.injected.push(name);
    await control(ctx, 'postgrest', 'stop');
    try {
      const post = clearOutage(
        await api(ctx, probe, 'POST', '/api/tasks', { title: `${probe.tag} during outage` }),
        /database|data API|unreachable/i,
      );
      push(`${name}: POST /api/tasks answers 503 JSON with a clear message`, post.ok, post.seen);
      const list = clearOutage(await api(ctx, probe, 'GET', '/api/tasks'), /database|data API|unreachable/i);
      push(`${name}: GET /api/tasks answers 503 JSON with a clear message`, list.ok, list.seen);
      const html = await page(ctx, probe, '/dashboard');
      push(
        `${name}: /dashboard shows an error state`,
        html.status === 200 && ERROR_STATE.test(html.text),
        `${html.status} ${(ERROR_STATE.exec(html.text) ?? ['no error message'])[0]}`,
      );
      const act = await action(ctx, probe, ids, 'addTask', { title: `${probe.tag} action during outage` });
      push(
        `${name}: the addTask action answers with an error message`,
        act.status === 200 && typeof act.result?.error === 'string',
        `${act.status} ${JSON.stringify(act.result)}`,
      );
      const hook = await deliverWebhook(ctx, 'user.created', hookUser, hookId);
      push(`${name}: a Clerk webhook gets a 503 (so Svix retries it)`, hook.status === 503, `${hook.status} ${hook.error ?? hook.result}`);
    } finally {
      await control(ctx, 'postgrest', 'start');
    }
    await recovery(ctx, probe, name, report);
    // Svix's retry after the outage: applied once, and a second retry is a duplicate.
    const retry = await deliverWebhook(ctx, 'user.created', hookUser, hookId);
    const again = await deliverWebhook(ctx, 'user.created', hookUser, hookId);
    push(
      `${name}: the webhook's retry after recovery is applied exactly once`,
      retry.result === 'applied' && again.result === 'duplicate',
      `${retry.status} ${retry.result}, then ${again.result}`,
    );
    await settled(ctx, name, [probe, cachedTemplate], report);
    end();
  }

  // --- Postgres stopped, then started ------------------------------------------------------------------
  await sleep(o.pauseMs);
  {
    const name = 'Postgres restarted';
    const end = ctx.faults.begin(name);
    report.injected.push(name);
    // Writes in flight as Postgres shuts down (eight writers, back to back, until the stop has returned):
    // each is created (201) or refused as an outage (503), never a 500. PostgREST 12.0 answers a few such
    // requests with a bare 400 (lib/errors.ts connectionLost); the load's random writes met one in CI.
    let stopped = false;
    const answered: Awaited<ReturnType<typeof api>>[] = [];
    const writer = async (w: number) => {
      for (let i = 0; !stopped; i++)
        answered.push(await api(ctx, probe, 'POST', '/api/tasks', { title: `${probe.tag} in flight ${w}.${i}` }));
    };
    const writers = Array.from({ length: 8 }, (_, w) => writer(w));
    await sleep(300);
    await control(ctx, 'postgres', 'stop');
    stopped = true;
    await Promise.all(writers);
    const created = answered.filter((a) => a.status === 201).length;
    const odd = answered.filter((a) => a.status !== 201 && !clearOutage(a, /database|unreachable/i).ok);
    push(
      `${name}: writes in flight as it stops are created (201) or answered 503 JSON`,
      odd.length === 0,
      odd.length
        ? odd.map((a) => `${a.status} ${a.text.slice(0, 120)}`).join('; ')
        : `${created} created, ${answered.length - created} answered 503`,
    );
    try {
      const post = clearOutage(
        await api(ctx, probe, 'POST', '/api/tasks', { title: `${probe.tag} during db outage` }),
        /database|unreachable/i,
      );
      push(`${name}: POST /api/tasks answers 503 JSON while Postgres is down`, post.ok, post.seen);
      const html = await page(ctx, probe, '/dashboard');
      push(
        `${name}: /dashboard shows an error state while Postgres is down`,
        html.status === 200 && ERROR_STATE.test(html.text),
        `${html.status} ${(ERROR_STATE.exec(html.text) ?? ['no error message'])[0]}`,
      );
    } finally {
      await control(ctx, 'postgres', 'start');
    }
    await recovery(ctx, probe, name, report);
    await settled(ctx, name, [probe, cachedTemplate], report);
    end();
  }

  // --- Clerk Backend API stopped (template mode) --------------------------------------------------------
  await sleep(o.pauseMs);
  {
    const name = 'Clerk Backend API stopped (template mode)';
    // Template tokens live 60 s and the app uses a cached one until 10 s before its exp. A session whose
    // first request is this one gets a token fetched now (the probes' own may be most of a minute old),
    // and its check runs first, right after the stop: 50 s of margin on a busy machine.
    const cached = await newUser(ctx, 'template', 'probewarm');
    const warm = await api(ctx, cached, 'GET', '/api/tasks');
    if (warm.status !== 200) throw new Error(`template probe user could not list tasks: ${warm.status} ${warm.text}`);
    const end = ctx.faults.begin(name);
    report.injected.push(name);
    await control(ctx, 'clerk-backend', 'stop');
    try {
      const kept = await api(ctx, cached, 'GET', '/api/tasks');
      push(`${name}: a session with a cached template token keeps working`, kept.status === 200, `${kept.status}`);
      const fresh = clearOutage(await api(ctx, freshTemplate, 'GET', '/api/tasks'), /clerk/i);
      push(`${name}: a new session gets 503 JSON with a clear message`, fresh.ok, fresh.seen);
      const html = await page(ctx, freshTemplate, '/dashboard');
      push(
        `${name}: /dashboard shows an error state naming Clerk for a new session`,
        html.status === 200 && /Could not load your tasks: (<!-- -->)?Clerk[^<]*unreachable/.test(html.text),
        `${html.status} ${(ERROR_STATE.exec(html.text) ?? ['no error message'])[0]}`,
      );
    } finally {
      await control(ctx, 'clerk-backend', 'start');
    }
    await recovery(ctx, freshTemplate, name, report);
    await settled(ctx, name, [probe, cachedTemplate], report);
    end();
  }

  // --- A query slower than the statement timeout ---------------------------------------------------------
  await sleep(o.pauseMs);
  {
    const name = 'query past the statement timeout';
    const created = await api(ctx, probe, 'POST', '/api/tasks', { title: `${probe.tag} to be locked` });
    const taskId = (created.json?.task as { id: string } | undefined)?.id;
    if (!taskId) throw new Error(`could not create the probe task: ${created.status} ${created.text}`);
    const canaryRow = await api(ctx, probe, 'POST', '/api/tasks', { title: `${probe.tag} canary` });
    const canaryId = (canaryRow.json?.task as { id: string } | undefined)?.id;
    if (!canaryId) throw new Error(`could not create the canary task: ${canaryRow.status} ${canaryRow.text}`);
    // PostgREST applies the lowered timeout once it has reloaded its config: poll for that state with a
    // locked canary row (answered 503/504 once the timeout applies; a probe still waiting is abandoned).
    const timeoutApplies = async () => {
      const res = await fetch(`${probe.appUrl}/api/tasks/${canaryId}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${probe.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: `${probe.tag} canary` }),
        signal: AbortSignal.timeout(10_000),
      });
      return res.status === 503 || res.status === 504;
    };
    const end = ctx.faults.begin(name);
    report.injected.push(name);
    await withDb(ctx, async (db) => {
      const { rows } = await db.query<{ setting: string | null }>(
        `select (select s from unnest(setconfig) s where s like 'statement_timeout=%') as setting
           from pg_db_role_setting where setrole = 'authenticated'::regrole and setdatabase = 0`,
      );
      const original = rows[0]?.setting?.split('=')[1] ?? null;
      // PostgREST applies the impersonated role's settings per request; lower it for this test only.
      await db.query(`alter role authenticated set statement_timeout = '1500ms'`);
      await db.query(`notify pgrst, 'reload config'`);
      await db.query(`notify pgrst, 'reload schema'`);
      // A superuser transaction holds the rows: the API's UPDATE waits on them past the timeout.
      await db.query('begin');
      await db.query('select id from public.tasks where id = any($1) for update', [[taskId, canaryId]]);
      try {
        const applied = await timeUntil(timeoutApplies, 120_000, 250);
        if (applied === null) throw new Error('PostgREST did not apply the lowered statement_timeout within 120 s');
        const started = Date.now();
        const patch = await api(ctx, probe, 'PATCH', `/api/tasks/${taskId}`, { title: `${probe.tag} never applied` });
        const took = Date.now() - started;
        const answer = clearOutage(patch, /took too long|timed out|timeout/i);
        // The row stays locked until the rollback below: only the statement timeout can end this PATCH.
        push(`${name}: PATCH answers 503/504 JSON with a clear message, not a hang`, answer.ok, `${answer.seen} after ${took} ms`);
        const act = await action(ctx, probe, ids, 'renameTask', { id: taskId, title: `${probe.tag} never applied either` });
        push(
          `${name}: the renameTask action answers with an error message`,
          act.status === 200 && typeof act.result?.error === 'string',
          `${act.status} ${JSON.stringify(act.result)}`,
        );
      } finally {
        await db.query('rollback');
        await db.query(
          original === null
            ? `alter role authenticated reset statement_timeout`
            : `alter role authenticated set statement_timeout = '${original}'`,
        );
        await db.query(`notify pgrst, 'reload config'`);
        await db.query(`notify pgrst, 'reload schema'`);
      }
      const { rows: after } = await db.query<{ title: string }>('select title from public.tasks where id = $1', [taskId]);
      push(
        `${name}: the timed-out writes were not applied`,
        after[0]?.title === `${probe.tag} to be locked`,
        `title is now ${JSON.stringify(after[0]?.title)}`,
      );
    });
    const again = await api(ctx, probe, 'PATCH', `/api/tasks/${taskId}`, { done: true });
    push(`${name}: the same row can be written once the lock is gone`, again.status === 200, `${again.status}`);
    await settled(ctx, name, [probe, cachedTemplate], report);
    end();
  }
  return report;
}
