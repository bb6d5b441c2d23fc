// Who may join which private Realtime channel, decided by the policies on realtime.messages
// (supabase/migrations/20261123120600_realtime_channels.sql). The Realtime server cannot run here, so
// tests/support/realtime-join-check.ts replays exactly what it asks Postgres on a join: as the caller's
// role, with the caller's claims and the topic set, a `select` (receive) and an `insert` (send) on
// realtime.messages per extension, rolled back. Both token kinds:
//   session  - Clerk session token v2 (org in `o`), third-party auth mode
//   template - the `supabase` JWT template (org in org_id), template mode
// The last block widens each policy in a rolled-back transaction and shows this matrix catches it.
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { mintToken, uniqueUserId, withDb, type TokenOptions } from '../support/tokens-and-db.ts';
import { policyFindings } from '../support/policy-checks.ts';
import { inRolledBackTransaction, joinCheck, NOTHING, EVERYTHING, type Caller } from '../support/realtime-join-check.ts';

const ACME = 'org_acme';
const GLOBEX = 'org_globex';
const alice = uniqueUserId('alice');
const bob = uniqueUserId('bob');
const carol = uniqueUserId('carol');

async function callerFor(kind: 'session' | 'template', o: TokenOptions, extraClaims: Record<string, unknown> = {}): Promise<Caller> {
  const token = await mintToken({ ...o, expiresInSeconds: 600, ...(kind === 'template' ? { template: 'supabase' } : {}) });
  const claims = { ...decodeJwt(token), ...extraClaims };
  return { role: String(claims.role), claims };
}

/** The publishable key's caller: what Realtime sees from a signed-out browser. */
const signedOut: Caller = { role: 'anon', claims: { role: 'anon', iss: 'supabase' } };

/** Every expectation of the matrix, as [label, caller, topic, expected]; what differs is listed. */
async function matrix(kind: 'session' | 'template') {
  const a = await callerFor(kind, { user: alice, org: ACME, orgRole: 'member' });
  const b = await callerFor(kind, { user: bob, org: ACME, orgRole: 'admin' });
  const c = await callerFor(kind, { user: carol, org: GLOBEX, orgRole: 'admin' });
  const aNoOrg = await callerFor(kind, { user: alice });
  const aPending = await callerFor(kind, { user: alice, org: ACME }, { sts: 'pending' });
  return [
    ['alice (Acme) on org:org_acme', a, `org:${ACME}`, EVERYTHING],
    ['bob (Acme admin) on org:org_acme', b, `org:${ACME}`, EVERYTHING],
    ['carol (Globex) on org:org_globex', c, `org:${GLOBEX}`, EVERYTHING],
    ['carol (Globex) on org:org_acme', c, `org:${ACME}`, NOTHING],
    ['alice (Acme) on org:org_globex', a, `org:${GLOBEX}`, NOTHING],
    ['alice with no active organisation on org:org_acme', aNoOrg, `org:${ACME}`, NOTHING],
    ['alice with no active organisation on "org:"', aNoOrg, 'org:', NOTHING],
    ['a pending session of alice on org:org_acme', aPending, `org:${ACME}`, NOTHING],
    ['a pending session of alice on her user topic', aPending, `user:${alice}`, NOTHING],
    ['signed out on org:org_acme', signedOut, `org:${ACME}`, NOTHING],
    ["signed out on alice's user topic", signedOut, `user:${alice}`, NOTHING],
    ['alice on her own user topic', a, `user:${alice}`, EVERYTHING],
    ['alice with no active organisation on her own user topic', aNoOrg, `user:${alice}`, EVERYTHING],
    ["alice on bob's user topic", a, `user:${bob}`, NOTHING],
    ["bob on alice's user topic", b, `user:${alice}`, NOTHING],
    ['alice on a topic of no known shape', a, 'lobby', NOTHING],
    ['alice on her org id without the org: prefix', a, ACME, NOTHING],
  ] as const;
}

/** The rows of the matrix whose join check did not give the expected answer. */
async function mismatches(kind: 'session' | 'template', c: import('pg').Client) {
  const found: string[] = [];
  for (const [label, caller, topic, expected] of await matrix(kind)) {
    const got = await joinCheck(c, caller, topic);
    if (JSON.stringify(got) !== JSON.stringify(expected)) found.push(`${label}: ${JSON.stringify(got)}`);
  }
  return found;
}

describe.each(['session', 'template'] as const)('private channel joins with %s tokens', (kind) => {
  it('members join their organisation, each user only their own topic, nobody else anything', async () => {
    await withDb((c) => inRolledBackTransaction(c, async () => expect(await mismatches(kind, c)).toEqual([])));
  });

  it('a member may receive and send both presence and broadcast (Realtime asks per extension)', async () => {
    const a = await callerFor(kind, { user: alice, org: ACME });
    const got = await withDb((c) => inRolledBackTransaction(c, () => joinCheck(c, a, `org:${ACME}`)));
    expect(got).toEqual({ presence: { read: true, write: true }, broadcast: { read: true, write: true } });
  });

  it('the join check leaves nothing behind', async () => {
    const a = await callerFor(kind, { user: alice, org: ACME });
    await withDb(async (c) => {
      await inRolledBackTransaction(c, () => joinCheck(c, a, `org:${ACME}`));
      expect((await c.query(`select count(*)::int as n from realtime.messages where topic = $1`, [`org:${ACME}`])).rows[0].n).toBe(0);
    });
  });
});

describe("the policies on realtime.messages follow the project's SQL style", () => {
  it('one per command, to authenticated, every claim lookup in (select ...)', async () => {
    const policies = await withDb((c) =>
      c.query<{ cmd: string; roles: string[] }>(
        `select cmd, roles::text[] as roles from pg_policies where schemaname = 'realtime' and tablename = 'messages' order by cmd`,
      ),
    );
    expect(policies.rows).toEqual([
      { cmd: 'INSERT', roles: ['authenticated'] },
      { cmd: 'SELECT', roles: ['authenticated'] },
    ]);
    // The project's own checks (tests/support/policy-checks.ts), on the realtime schema. Realtime's own
    // design (grants to anon, an unindexed extension column, the partition) is not ours to report.
    const findings = await withDb((c) => policyFindings(c, ['realtime']));
    expect(findings.filter((f) => ['claim-call-per-row', 'policy-not-authenticated'].includes(f.rule))).toEqual([]);
  });

  it('those checks report a policy that asks for the topic once per row (rolled back)', async () => {
    await withDb((c) =>
      inRolledBackTransaction(c, async () => {
        await c.query(
          `create policy "per row" on realtime.messages for select to authenticated using (realtime.topic() = 'org:' || (select public.requesting_org_id()))`,
        );
        const found = (await policyFindings(c, ['realtime'])).map((f) => `${f.rule} ${f.object}`);
        expect(found).toContain('claim-call-per-row realtime.messages "per row"');
      }),
    );
  });
});

describe('a widened policy is caught (rolled back, on the real database)', () => {
  const widen = async (c: import('pg').Client, command: 'select' | 'insert', to: string, clause: string) => {
    const name = (
      await c.query<{ policyname: string }>(
        `select policyname from pg_policies where schemaname = 'realtime' and tablename = 'messages' and cmd = $1`,
        [command.toUpperCase()],
      )
    ).rows;
    expect(name).toHaveLength(1);
    await c.query(`drop policy "${name[0].policyname}" on realtime.messages`);
    await c.query(
      `create policy widened on realtime.messages for ${command} to ${to} ${command === 'select' ? 'using' : 'with check'} (${clause})`,
    );
  };

  it.each([
    [
      'any org: topic (no membership check)',
      'select',
      'authenticated',
      `(select realtime.topic()) like 'org:%'`,
      /carol \(Globex\) on org:org_acme: \{"presence":\{"read":true,"write":false\}/,
    ],
    [
      'any user: topic',
      'select',
      'authenticated',
      `(select realtime.topic()) like 'user:%'`,
      /alice on bob's user topic: \{"presence":\{"read":true/,
    ],
    [
      'sending open to anon',
      'insert',
      'anon, authenticated',
      'true',
      /signed out on org:org_acme: \{"presence":\{"read":false,"write":true\}/,
    ],
  ] as const)('%s', async (_label, command, to, clause, caught) => {
    await withDb((c) =>
      inRolledBackTransaction(c, async () => {
        await widen(c, command, to, clause);
        const found = await mismatches('session', c);
        expect(found.join('\n')).toMatch(caught);
      }),
    );
  });
});
