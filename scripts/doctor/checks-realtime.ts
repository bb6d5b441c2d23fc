// The catalog check for private Realtime channels (when SUPABASE_DB_URL is set): realtime.messages has
// a select (receive) and an insert (send) policy for `authenticated` on the channel name
// (realtime.topic()), and none of its policies casts the Clerk id with auth.uid(). Without them every
// private join is refused ("Unauthorized"), and "Online now" on /org says Presence is unavailable.
import type pg from 'pg';
import { problem } from './causes.ts';

const FIX = 'Apply supabase/migrations/20261123120600_realtime_channels.sql (`supabase db push`); docs/realtime.md explains the policies.';

export async function checkRealtimePolicies(client: pg.Client): Promise<string> {
  const table = await client.query<{ exists: boolean }>(`select to_regclass('realtime.messages') is not null as exists`);
  if (!table.rows[0].exists) {
    throw problem(
      'realtime-policies-missing',
      'realtime.messages does not exist, so no private Realtime channel can be authorised (Realtime creates it in every hosted project).',
      'Check that Realtime is enabled for the project (Dashboard -> Realtime), then ' + FIX,
    );
  }
  const policies = await client.query<{ name: string; cmd: string; roles: string[]; expr: string }>(
    `select policyname as name, cmd, roles::text[] as roles, coalesce(qual, '') || ' ' || coalesce(with_check, '') as expr
       from pg_policies where schemaname = 'realtime' and tablename = 'messages' order by 1`,
  );
  const uid = policies.rows.find((p) => /auth\.uid\(/i.test(p.expr));
  if (uid) {
    throw problem(
      'auth-uid-cast',
      `Policy "${uid.name}" on realtime.messages calls auth.uid(), which casts sub to uuid: with Clerk ids (user_2abc…) every join it decides fails with 22P02 or is refused.`,
      "Compare with (select public.requesting_user_id()) or (select auth.jwt() ->> 'sub') instead; " + FIX,
    );
  }
  const missing = ['SELECT', 'INSERT'].filter(
    (cmd) => !policies.rows.some((p) => p.cmd === cmd && p.roles.includes('authenticated') && /realtime\.topic\(/.test(p.expr)),
  );
  if (missing.length) {
    const what = missing.map((cmd) => (cmd === 'SELECT' ? 'select (receive)' : 'insert (send)')).join(' and ');
    throw problem(
      'realtime-policies-missing',
      `realtime.messages has no ${what} policy for authenticated on the channel name (realtime.topic()): Realtime refuses every private join ("Unauthorized: You do not have permissions to read from this Channel topic").`,
      FIX,
    );
  }
  return 'private Realtime channels authorised by policies on realtime.messages';
}
