// Unit test of "Online now" (lib/realtime/org-presence.ts, which app/(signed-in)/org/online-now.tsx
// runs): real supabase-js and realtime-js in the test, talking to a WebSocket TEST DOUBLE of the
// Realtime server (msw `ws`, tests/support/realtime-ws-double.ts), because Supabase's Realtime server
// cannot run here. Who may join is decided in the double from a stand-in token; the real decision,
// RLS on realtime.messages, is tested on Postgres in tests/db/realtime-authorization.test.ts, and the
// whole path against a hosted project in tests/e2e/live/online-now.live.spec.ts.
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { joinOrgPresence, membersOf, type PresenceStatus } from '../../lib/realtime/org-presence.ts';
import { realtimeDouble, type JoinRequest } from '../support/realtime-ws-double.ts';

// Loopback and a port nothing listens on: should interception ever fail, nothing leaves the machine.
const SUPABASE_URL = 'http://127.0.0.1:9';

// Stand-in tokens "<user>@<org>": the double admits a private join to org:<org> with a matching one.
function authorize({ topic, accessToken, config }: JoinRequest): string | null {
  if (!config.private) return 'the double only serves private channels';
  const org = accessToken?.split('@')[1];
  return topic === `org:${org}` ? null : `Unauthorized: You do not have permissions to read from this Channel topic: ${topic}`;
}

const double = realtimeDouble(SUPABASE_URL, authorize);
const server = setupServer(double.handler);
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

const clients: SupabaseClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.removeAllChannels()));
});

/** supabase-js as the app builds it: the token comes from `accessToken`, asked again when needed. */
function browserOf(token: { current: string }) {
  const calls: string[] = [];
  const client = createClient(SUPABASE_URL, 'sb_publishable_test_double', {
    accessToken: async () => (calls.push(token.current), token.current),
  });
  clients.push(client);
  return { client, calls };
}

function watch() {
  const statuses: PresenceStatus[] = [];
  return { statuses, last: () => statuses.at(-1), onStatus: (s: PresenceStatus) => statuses.push(s) };
}

const names = (s: PresenceStatus | undefined) => (s?.kind === 'online' ? s.members.map((m) => m.user_id) : s);
const DEADLINE = { timeout: 15_000, interval: 20 };

describe('Online now (unit test against a WebSocket test double of Realtime)', { timeout: 30_000 }, () => {
  it('joins org:<org id> as a private channel keyed by the Clerk user id, tracks {user_id, name}, lists who is online', async () => {
    const alice = browserOf({ current: 'user_alice@org_acme' });
    const w = watch();
    const leave = joinOrgPresence(alice.client, 'org_acme', { user_id: 'user_alice', name: 'Alice' }, w.onStatus);
    expect(w.statuses[0]).toEqual({ kind: 'joining' });
    await expect.poll(() => w.last(), DEADLINE).toEqual({ kind: 'online', members: [{ user_id: 'user_alice', name: 'Alice' }] });

    const join = double.received.find((r) => r.event === 'phx_join' && r.topic === 'realtime:org:org_acme')!;
    expect(join.payload).toMatchObject({
      access_token: 'user_alice@org_acme',
      config: { private: true, presence: { key: 'user_alice', enabled: true } },
    });
    const track = double.received.find((r) => r.event === 'presence' && r.topic === 'realtime:org:org_acme')!;
    expect(track.payload).toEqual({ type: 'presence', event: 'track', payload: { user_id: 'user_alice', name: 'Alice' } });
    await leave();
  });

  it('shows others of the organisation as they come and go, and leaves on unmount', async () => {
    const alice = browserOf({ current: 'user_alice@org_acme' });
    const bob = browserOf({ current: 'user_bob@org_acme' });
    const wa = watch();
    const wb = watch();
    const leaveAlice = joinOrgPresence(alice.client, 'org_acme', { user_id: 'user_alice', name: 'Alice' }, wa.onStatus);
    await expect.poll(() => names(wa.last()), DEADLINE).toEqual(['user_alice']);
    const leaveBob = joinOrgPresence(bob.client, 'org_acme', { user_id: 'user_bob', name: 'Bob' }, wb.onStatus);
    await expect.poll(() => names(wa.last()), DEADLINE).toEqual(['user_alice', 'user_bob']);
    await expect.poll(() => names(wb.last()), DEADLINE).toEqual(['user_alice', 'user_bob']);

    await leaveBob();
    expect(bob.client.getChannels()).toEqual([]);
    await expect.poll(() => names(wa.last()), DEADLINE).toEqual(['user_alice']);
    expect(double.trackedOn('org:org_acme')).toEqual(['user_alice']);
    // Nothing is reported to an unmounted component.
    const after = wb.statuses.length;
    await leaveAlice();
    expect(wb.statuses.length).toBe(after);
    await expect.poll(() => double.trackedOn('org:org_acme'), DEADLINE).toEqual([]);
  });

  it('on an organisation switch leaves the old channel and joins the new one with a fresh token', async () => {
    const token = { current: 'user_carol@org_acme' };
    const carol = browserOf(token);
    const w = watch();
    const leaveAcme = joinOrgPresence(carol.client, 'org_acme', { user_id: 'user_carol', name: 'Carol' }, w.onStatus);
    await expect.poll(() => double.trackedOn('org:org_acme'), DEADLINE).toContain('user_carol');

    // The switcher makes Globex active: clerk-js now hands out tokens for Globex.
    token.current = 'user_carol@org_globex';
    await leaveAcme();
    const leaveGlobex = joinOrgPresence(carol.client, 'org_globex', { user_id: 'user_carol', name: 'Carol' }, w.onStatus);
    await expect.poll(() => names(w.last()), DEADLINE).toEqual(['user_carol']);
    expect(double.trackedOn('org:org_acme')).not.toContain('user_carol');
    expect(double.tokensFor('org:org_globex')).toEqual(['user_carol@org_globex']);
    expect(carol.client.getChannels().map((c) => c.subTopic)).toEqual(['org:org_globex']);
    await leaveGlobex();
  });

  it('a refused join says why once and stops: no rejoin loop', async () => {
    const dave = browserOf({ current: 'user_dave@org_globex' });
    const w = watch();
    joinOrgPresence(dave.client, 'org_acme', { user_id: 'user_dave', name: 'Dave' }, w.onStatus);
    await expect
      .poll(() => w.last(), DEADLINE)
      .toEqual({ kind: 'unavailable', reason: expect.stringMatching(/Unauthorized: .*org:org_acme/) });
    // The channel is gone, so realtime-js has nothing left to rejoin.
    await expect.poll(() => dave.client.getChannels().length, DEADLINE).toBe(0);
    expect(w.statuses.filter((s) => s.kind === 'unavailable')).toHaveLength(1);
    expect(double.trackedOn('org:org_acme')).not.toContain('user_dave');
  });
});

describe('membersOf', () => {
  it('lists each user once (two tabs are one person), by name', () => {
    expect(
      membersOf({
        user_b: [
          { user_id: 'user_b', name: 'Zoe' },
          { user_id: 'user_b', name: 'Zoe' },
        ],
        user_a: [{ user_id: 'user_a', name: 'Adam' }],
        user_c: [{ user_id: 'user_c' }],
      }),
    ).toEqual([
      { user_id: 'user_a', name: 'Adam' },
      { user_id: 'user_c', name: 'user_c' },
      { user_id: 'user_b', name: 'Zoe' },
    ]);
  });
});
