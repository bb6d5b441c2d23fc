// Supabase Realtime's own authorisation of a private channel join, replayed on real Postgres (its
// server is Elixir and cannot run here). Realtime.Tenants.Authorization does, per join:
//   read:  insert one broadcast and one presence row for the topic (as its own database user), then
//          set role, `realtime.topic`, `request.jwt.claims` and `request.headers` for the caller and
//          select those rows back: a row that comes back means "may receive" for its extension;
//   write: with the same settings, insert a broadcast and a presence row, each in a savepoint:
//          success means "may send", 42501 (insufficient_privilege) "may not";
// and rolls everything back. Here each check runs in a savepoint, so callers wrap a series of checks
// in inRolledBackTransaction() and can change policies inside the same transaction first.
import type pg from 'pg';

export interface Caller {
  role: string;
  claims: Record<string, unknown>;
}
interface Access {
  read: boolean;
  write: boolean;
}
export interface JoinCheck {
  presence: Access;
  broadcast: Access;
}

export const EVERYTHING: JoinCheck = { presence: { read: true, write: true }, broadcast: { read: true, write: true } };
export const NOTHING: JoinCheck = { presence: { read: false, write: false }, broadcast: { read: false, write: false } };

export async function inRolledBackTransaction<T>(c: pg.Client, fn: () => Promise<T>): Promise<T> {
  await c.query('begin');
  try {
    return await fn();
  } finally {
    await c.query('rollback');
  }
}

/** Realtime's set_conn_config: transaction-local, so the savepoint's rollback undoes it. */
async function actAs(c: pg.Client, caller: Caller, topic: string) {
  await c.query(
    `select set_config('role', $1, true), set_config('realtime.topic', $2, true),
            set_config('request.jwt.claims', $3, true), set_config('request.headers', $4, true)`,
    [caller.role, topic, JSON.stringify(caller.claims), JSON.stringify({})],
  );
}

async function canRead(c: pg.Client, caller: Caller, topic: string) {
  await c.query('savepoint realtime_read');
  try {
    const ids = await c.query<{ id: string; extension: string }>(
      `insert into realtime.messages (topic, extension) values ($1, 'broadcast'), ($1, 'presence') returning id, extension`,
      [topic],
    );
    const id = (ext: string) => ids.rows.find((r) => r.extension === ext)!.id;
    await actAs(c, caller, topic);
    const seen = await c.query<{ id: string }>(
      `select id from realtime.messages where topic = $1 and ((extension = 'broadcast' and id = $2) or (extension = 'presence' and id = $3))`,
      [topic, id('broadcast'), id('presence')],
    );
    const got = new Set(seen.rows.map((r) => r.id));
    return { presence: got.has(id('presence')), broadcast: got.has(id('broadcast')) };
  } finally {
    await c.query('rollback to savepoint realtime_read');
  }
}

async function canWrite(c: pg.Client, caller: Caller, topic: string) {
  await c.query('savepoint realtime_write');
  try {
    await actAs(c, caller, topic);
    const attempt = async (extension: string) => {
      await c.query('savepoint realtime_insert');
      try {
        await c.query(`insert into realtime.messages (topic, extension) values ($1, $2)`, [topic, extension]);
        return true;
      } catch (e) {
        if ((e as { code?: string }).code === '42501') return false;
        throw e; // anything else is a broken policy, not a refusal: Realtime reports it as an error too
      } finally {
        await c.query('rollback to savepoint realtime_insert');
      }
    };
    return { broadcast: await attempt('broadcast'), presence: await attempt('presence') };
  } finally {
    await c.query('rollback to savepoint realtime_write');
  }
}

/** What Realtime would allow `caller` on the private channel `topic`. Call inside inRolledBackTransaction(). */
export async function joinCheck(c: pg.Client, caller: Caller, topic: string): Promise<JoinCheck> {
  const read = await canRead(c, caller, topic);
  const write = await canWrite(c, caller, topic);
  return { presence: { read: read.presence, write: write.presence }, broadcast: { read: read.broadcast, write: write.broadcast } };
}
