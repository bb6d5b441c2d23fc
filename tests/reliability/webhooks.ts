// The Clerk webhook under the conditions Svix really produces and an attacker can: forged and stale
// signatures, modified bodies, the same event twice and concurrently, events out of order, deletes of
// users never seen, and signed events with hostile data. Rejected deliveries must write nothing; the
// final state must be what Clerk's newest event says.
import { randomBytes } from 'node:crypto';
import { clerkUserData, signedDelivery } from '../support/clerk-webhook.ts';
import { check, request, withDb, type CheckResult, type Ctx } from './harness.ts';

/** One signed delivery to the app's webhook, as Svix sends it. */
export async function deliverWebhook(ctx: Ctx, type: string, data: unknown, id = `msg_${randomBytes(8).toString('hex')}`) {
  const { headers, body } = signedDelivery(ctx.env.CLERK_WEBHOOK_SIGNING_SECRET, type, data, { id });
  const a = await request(ctx, 'webhook', `${ctx.urls['third-party']}/api/webhooks/clerk`, { method: 'POST', headers, body });
  return { status: a.status, result: a.json?.result, error: a.json?.error };
}

export async function runWebhooks(ctx: Ctx): Promise<{ checks: CheckResult[]; deliveries: number }> {
  const checks: CheckResult[] = [];
  const push = (name: string, ok: boolean, detail: string) => checks.push(check(`webhook: ${name}`, ok, detail));
  const secret = ctx.env.CLERK_WEBHOOK_SIGNING_SECRET;
  const url = `${ctx.urls['third-party']}/api/webhooks/clerk`;
  let deliveries = 0;

  const userData = clerkUserData;
  interface Delivery {
    id?: string;
    timestamp?: Date;
    secret?: string;
    tamper?: (body: string) => string;
  }
  async function deliver(type: string, data: unknown, o: Delivery = {}) {
    deliveries++;
    const { id, headers, body } = signedDelivery(o.secret ?? secret, type, data, o);
    const a = await request(ctx, 'webhook', url, { method: 'POST', headers, body: o.tamper ? o.tamper(body) : body });
    return { status: a.status, result: a.json?.result, error: a.json?.error, id };
  }
  const db = <T>(fn: Parameters<typeof withDb<T>>[1]) => withDb(ctx, fn);
  const profile = (id: string) =>
    db(
      async (c) =>
        (await c.query<{ display_name: string; email: string }>('select display_name, email from public.profiles where id = $1', [id]))
          .rows[0] ?? null,
    );
  const traces = (id: string, eventIds: string[]) =>
    db(async (c) => {
      const p = await c.query(
        'select 1 from public.profiles where id = $1 union all select 1 from private.clerk_users where user_id = $1',
        [id],
      );
      const e = await c.query('select 1 from private.clerk_webhook_events where event_id = any($1)', [eventIds]);
      return p.rowCount! + e.rowCount!;
    });
  const newId = (label: string) => `user_relhook_${label}_${randomBytes(4).toString('hex')}`;

  // Rejected deliveries: 400, and not a row written anywhere (profile, user state, dedupe table).
  {
    const id = newId('rejected');
    const now = Date.now();
    const cases: [string, Delivery][] = [
      ['a timestamp 10 minutes old', { timestamp: new Date(now - 10 * 60_000) }],
      ['a timestamp 10 minutes ahead', { timestamp: new Date(now + 10 * 60_000) }],
      ['a wrong secret', { secret: `whsec_${randomBytes(24).toString('base64')}` }],
      ['a modified body', { tamper: (b) => b.replace('Wendy', 'Mallory') }],
      ['a body with one byte appended', { tamper: (b) => `${b} ` }],
    ];
    const eventIds: string[] = [];
    for (const [label, o] of cases) {
      const r = await deliver('user.created', userData(id, now), o);
      eventIds.push(r.id);
      push(
        `${label} is refused with 400 and a message`,
        r.status === 400 && typeof r.error === 'string',
        `${r.status} ${r.error ?? r.result}`,
      );
    }
    const missing = await request(ctx, 'webhook', url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'user.created', data: userData(id, now) }),
    });
    deliveries++;
    push('a delivery without svix headers is refused with 400', missing.status === 400, `${missing.status}`);
    push('nothing is written for a rejected delivery', (await traces(id, eventIds)) === 0, `${await traces(id, eventIds)} rows`);
  }

  // The same event twice, then the same event 8 times at once: applied exactly once.
  {
    const id = newId('dup');
    const t = Date.now();
    const first = await deliver('user.created', userData(id, t), { id: `msg_${id}_1` });
    const again = await deliver('user.created', userData(id, t), { id: `msg_${id}_1` });
    push(
      'a redelivered event is acknowledged as a duplicate',
      first.result === 'applied' && again.status === 200 && again.result === 'duplicate',
      `${first.result}, then ${again.status} ${again.result}`,
    );
    const burst = await Promise.all(
      Array.from({ length: 8 }, () => deliver('user.updated', userData(id, t + 1000, 'Concurrent'), { id: `msg_${id}_2` })),
    );
    const applied = burst.filter((r) => r.result === 'applied').length;
    const dups = burst.filter((r) => r.result === 'duplicate').length;
    push(
      'the same event delivered 8 times concurrently is applied exactly once',
      applied === 1 && dups === 7,
      `${applied} applied, ${dups} duplicate, statuses ${[...new Set(burst.map((r) => r.status))]}`,
    );
    const stored = await db(
      async (c) =>
        (await c.query('select count(*)::int as n from private.clerk_webhook_events where event_id = $1', [`msg_${id}_2`])).rows[0]
          .n as number,
    );
    push('a concurrently delivered event is recorded once', stored === 1, `${stored} rows`);
    push(
      'the profile holds the newest event after the burst',
      (await profile(id))?.display_name === 'Concurrent Hook',
      JSON.stringify(await profile(id)),
    );
  }

  // Different events of one user concurrently, in random order: the newest updated_at wins.
  {
    const id = newId('race');
    const t = Date.now();
    const events = Array.from({ length: 8 }, (_, i) => ({
      type: i === 0 ? 'user.created' : 'user.updated',
      at: t + i * 1000,
      name: `V${i}`,
    }));
    const shuffled = events
      .map((e) => [Math.random(), e] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, e]) => e);
    const rs = await Promise.all(shuffled.map((e) => deliver(e.type, userData(id, e.at, e.name))));
    push(
      '8 different events of one user delivered concurrently all answer 200',
      rs.every((r) => r.status === 200),
      rs.map((r) => `${r.status}:${r.result}`).join(' '),
    );
    push(
      'after events out of order, the newest one wins',
      (await profile(id))?.display_name === 'V7 Hook',
      JSON.stringify(await profile(id)),
    );
  }

  // user.updated before user.created.
  {
    const id = newId('order');
    const t = Date.now();
    const updated = await deliver('user.updated', userData(id, t + 5000, 'Newer'));
    const created = await deliver('user.created', userData(id, t, 'Older'));
    push(
      'user.updated before user.created: the update applies, the late create is stale',
      updated.result === 'applied' && created.result === 'stale',
      `${updated.result}, ${created.result}`,
    );
    push(
      'user.updated before user.created: the profile keeps the newer name',
      (await profile(id))?.display_name === 'Newer Hook',
      JSON.stringify(await profile(id)),
    );
  }

  // user.deleted for a user never seen, then a late create must not resurrect it.
  {
    const id = newId('ghost');
    const profileCount = () => db(async (c) => (await c.query('select count(*)::int as n from public.profiles')).rows[0].n as number);
    const before = await profileCount();
    const deleted = await deliver('user.deleted', { id, object: 'user', deleted: true });
    // Counted right after the delete: the late create below may add the ghost, nothing else runs here.
    const afterDelete = await profileCount();
    push(
      'user.deleted for an unknown user is acknowledged (200)',
      deleted.status === 200 && typeof deleted.result === 'string',
      `${deleted.status} ${deleted.result ?? deleted.error}`,
    );
    const late = await deliver('user.created', userData(id, Date.now()));
    push(
      'a user.created after user.deleted does not bring the user back',
      late.status === 200 && late.result === 'deleted_user' && (await profile(id)) === null,
      `${late.result}, profile ${JSON.stringify(await profile(id))}`,
    );
    push('a delete of an unknown user touches no other profile', afterDelete === before, `${before} profiles before, ${afterDelete} after`);
  }

  // Signed but hostile data: 2xx or 4xx with a message, never 5xx, and verbatim when stored.
  {
    const hostile: [string, unknown][] = [
      ['no id', { object: 'user', updated_at: Date.now() }],
      ['id not a Clerk id', { ...userData('x', Date.now()), id: '1; drop table public.profiles; --' }],
      ['id a number', { ...userData('x', Date.now()), id: 42 }],
      ['updated_at a string', { ...userData(newId('str'), 0), updated_at: 'yesterday' }],
      ['data null', null],
      ['data an array', [1, 2, 3]],
      ['NUL bytes in the name', userData(newId('nul'), Date.now(), 'Nul\u0000Byte')],
      ['a 20k-character name', userData(newId('long'), Date.now(), 'x'.repeat(20_000))],
      ['HTML and SQL in the name', userData(newId('html'), Date.now(), `<script>alert(1)</script>'); drop table tasks; --`)],
    ];
    for (const [label, data] of hostile) {
      const r = await deliver('user.created', data);
      push(
        `signed event with ${label}: ${r.status < 500 ? 'no 5xx' : 'a 5xx'}`,
        r.status >= 200 && r.status < 500 && (r.status < 300 || typeof r.error === 'string'),
        `${r.status} ${r.result ?? r.error}`,
      );
    }
    const unknownType = await deliver('session.created', { id: 'sess_x' });
    push(
      'an event type the app does not handle is acknowledged and ignored',
      unknownType.status === 200 && unknownType.result === 'ignored',
      `${unknownType.status} ${unknownType.result}`,
    );
  }
  return { checks, deliveries };
}
