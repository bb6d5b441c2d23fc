// apply_clerk_user_event(): the Clerk webhook's transaction, at the SQL level (as service_role, the
// only role allowed to run it) and through the Data API (who may call it at all).
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clientFor, mintToken, restUrl, uniqueUserId, withDb } from '../support/tokens-and-db.ts';

const svixId = () => `msg_${randomBytes(10).toString('hex')}`;

/** A Clerk user.created / user.updated payload (`data`), as Clerk sends it. */
function userData(id: string, updatedAt: number, first = 'Ada', email = `${id}@example.test`) {
  return {
    object: 'user',
    id,
    first_name: first,
    last_name: 'Lovelace',
    username: null,
    image_url: `https://img.example.test/${id}.png`,
    primary_email_address_id: 'idn_primary',
    email_addresses: [
      { id: 'idn_other', email_address: `old-${email}` },
      { id: 'idn_primary', email_address: email },
    ],
    created_at: 1_700_000_000_000,
    updated_at: updatedAt,
  };
}

/** Runs the function as service_role, exactly as the webhook's admin client does. */
async function apply(c: pg.Client, eventId: string, type: string, data: unknown): Promise<string> {
  await c.query('set role service_role');
  try {
    const r = await c.query<{ result: string }>('select public.apply_clerk_user_event($1, $2, $3) as result', [
      eventId,
      type,
      JSON.stringify(data),
    ]);
    return r.rows[0].result;
  } finally {
    await c.query('reset role');
  }
}

const profile = (c: pg.Client, id: string) =>
  c.query('select display_name, email, image_url from public.profiles where id = $1', [id]).then((r) => r.rows[0] ?? null);

describe('apply_clerk_user_event()', () => {
  it('user.created applies once; the same svix id again is a duplicate', async () => {
    const user = uniqueUserId('hook');
    const id = svixId();
    await withDb(async (c) => {
      expect(await apply(c, id, 'user.created', userData(user, 1000))).toBe('applied');
      expect(await profile(c, user)).toEqual({
        display_name: 'Ada Lovelace',
        email: `${user}@example.test`,
        image_url: `https://img.example.test/${user}.png`,
      });
      // A retry of the same delivery (even with other data) changes nothing.
      expect(await apply(c, id, 'user.created', userData(user, 5000, 'Changed'))).toBe('duplicate');
      expect((await profile(c, user)).display_name).toBe('Ada Lovelace');
    });
  });

  it('orders by Clerk updated_at: older or equal events are stale, newer ones apply', async () => {
    const user = uniqueUserId('hook');
    await withDb(async (c) => {
      expect(await apply(c, svixId(), 'user.updated', userData(user, 2000, 'Second'))).toBe('applied');
      // user.created arrives late, after the update it preceded.
      expect(await apply(c, svixId(), 'user.created', userData(user, 1000, 'First'))).toBe('stale');
      expect(await apply(c, svixId(), 'user.updated', userData(user, 2000, 'Same time'))).toBe('stale');
      expect((await profile(c, user)).display_name).toBe('Second Lovelace');
      expect(await apply(c, svixId(), 'user.updated', userData(user, 3000, 'Third', 'new@example.test'))).toBe('applied');
      expect(await profile(c, user)).toMatchObject({ display_name: 'Third Lovelace', email: 'new@example.test' });
    });
  });

  it('user.deleted removes the profile and tasks and leaves a tombstone: late events cannot resurrect the user', async () => {
    const user = uniqueUserId('hook');
    const bystander = uniqueUserId('bystander');
    await withDb(async (c) => {
      expect(await apply(c, svixId(), 'user.created', userData(user, 1000))).toBe('applied');
      await c.query(`insert into public.tasks (user_id, title) values ($1, 'one'), ($1, 'two'), ($2, 'not theirs')`, [user, bystander]);

      expect(await apply(c, svixId(), 'user.deleted', { object: 'user', id: user, deleted: true })).toBe('applied');
      expect(await profile(c, user)).toBeNull();
      expect((await c.query('select 1 from public.tasks where user_id = $1', [user])).rowCount).toBe(0);
      expect((await c.query('select 1 from public.tasks where user_id = $1', [bystander])).rowCount).toBe(1);

      // Out-of-order deliveries after the deletion, even with a newer updated_at.
      expect(await apply(c, svixId(), 'user.updated', userData(user, 9000))).toBe('deleted_user');
      expect(await apply(c, svixId(), 'user.created', userData(user, 500))).toBe('deleted_user');
      expect(await profile(c, user)).toBeNull();
    });
    // A still-valid session token of the deleted user cannot recreate the profile either.
    const r = await clientFor(await mintToken({ user })).rpc('ensure_user_profile');
    expect(r.status).toBe(403);
    expect(r.error?.code).toBe('42501');
    await withDb(async (c) => expect(await profile(c, user)).toBeNull());
  });

  it('a user.deleted that arrives before user.created also wins', async () => {
    const user = uniqueUserId('hook');
    await withDb(async (c) => {
      expect(await apply(c, svixId(), 'user.deleted', { object: 'user', id: user, deleted: true })).toBe('applied');
      expect(await apply(c, svixId(), 'user.created', userData(user, 1000))).toBe('deleted_user');
      expect(await profile(c, user)).toBeNull();
    });
  });

  it('keeps delivery ids 7 days: the next delivery prunes older ones, and a pruned one redelivered is stale', async () => {
    const user = uniqueUserId('hook');
    const [first, old, recent] = [svixId(), svixId(), svixId()];
    await withDb(async (c) => {
      expect(await apply(c, first, 'user.created', userData(user, 1000))).toBe('applied');
      await c.query(`update private.clerk_webhook_events set received_at = now() - interval '8 days' where event_id = $1`, [first]);
      await c.query(
        `insert into private.clerk_webhook_events (event_id, event_type, received_at) values ($1, 'user.updated', now() - interval '30 days'), ($2, 'user.updated', now() - interval '6 days')`,
        [old, recent],
      );

      expect(await apply(c, svixId(), 'user.updated', userData(uniqueUserId('hook'), 1000))).toBe('applied');
      const kept = await c.query<{ event_id: string }>('select event_id from private.clerk_webhook_events where event_id = any($1)', [
        [first, old, recent],
      ]);
      expect(kept.rows.map((r) => r.event_id)).toEqual([recent]);
      // Inside the window a retry is still a duplicate; past it, the user's ordering makes it harmless.
      expect(await apply(c, recent, 'user.updated', userData(user, 9000))).toBe('duplicate');
      expect(await apply(c, first, 'user.created', userData(user, 1000, 'Replayed'))).toBe('stale');
      expect((await profile(c, user)).display_name).toBe('Ada Lovelace');
    });
  });

  it('concurrent deliveries of one event apply it exactly once', async () => {
    const user = uniqueUserId('hook');
    const id = svixId();
    const results = await Promise.all(Array.from({ length: 6 }, () => withDb((c) => apply(c, id, 'user.created', userData(user, 1000)))));
    expect(results.filter((r) => r === 'applied')).toHaveLength(1);
    expect(results.filter((r) => r === 'duplicate')).toHaveLength(5);
  });

  it('concurrent events for one user end with the newest one applied', async () => {
    const user = uniqueUserId('hook');
    const stamps = [1000, 5000, 2000, 4000, 3000];
    await Promise.all(stamps.map((t) => withDb((c) => apply(c, svixId(), 'user.updated', userData(user, t, `v${t}`)))));
    await withDb(async (c) => expect((await profile(c, user)).display_name).toBe('v5000 Lovelace'));
  });

  it.each([
    ['an unsupported event type', 'session.created', { id: 'user_x', updated_at: 1 }],
    ['a data.id that is not a Clerk user id', 'user.created', { id: "x'; drop table tasks;--", updated_at: 1 }],
    ['user.updated without updated_at', 'user.updated', { id: 'user_x_no_ts' }],
  ])('refuses %s (22023) and records nothing', async (_name, type, data) => {
    const id = svixId();
    await withDb(async (c) => {
      await expect(apply(c, id, type, data)).rejects.toMatchObject({ code: '22023' });
      expect((await c.query('select 1 from private.clerk_webhook_events where event_id = $1', [id])).rowCount).toBe(0);
    });
  });

  it('only service_role may call it: authenticated 403, anon 401, the secret key 200', async () => {
    const body = JSON.stringify({ event_id: svixId(), event_type: 'user.created', data: userData(uniqueUserId('hook'), 1000) });
    const user = await fetch(restUrl('rpc/apply_clerk_user_event'), {
      method: 'POST',
      headers: {
        apikey: process.env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY!,
        authorization: `Bearer ${await mintToken({ user: uniqueUserId('hook') })}`,
        'content-type': 'application/json',
      },
      body,
    });
    expect(user.status).toBe(403);
    expect(((await user.json()) as { code: string }).code).toBe('42501');
    const anon = await fetch(restUrl('rpc/apply_clerk_user_event'), {
      method: 'POST',
      headers: { apikey: process.env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY!, 'content-type': 'application/json' },
      body,
    });
    expect(anon.status).toBe(401);
    const server = await fetch(restUrl('rpc/apply_clerk_user_event'), {
      method: 'POST',
      headers: { apikey: process.env.SUPABASE_SECRET_KEY!, 'content-type': 'application/json' },
      body,
    });
    expect(server.status).toBe(200);
    expect(await server.json()).toBe('applied');
  });
});
