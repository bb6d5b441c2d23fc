// Who is online in an organisation: Supabase Realtime Presence on the private channel `org:<org id>`,
// keyed by the Clerk user id. Realtime lets a caller join only if the policies on realtime.messages
// allow its Clerk token (supabase/migrations/20261123120600_realtime_channels.sql). Plain module, no
// React, so the "Online now" component stays a thin wrapper and this loads in its own chunk.
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';

export interface OnlineMember {
  user_id: string;
  name: string;
}

export type PresenceStatus = { kind: 'joining' } | { kind: 'online'; members: OnlineMember[] } | { kind: 'unavailable'; reason: string };

export const orgTopic = (orgId: string) => `org:${orgId}`;

/** One entry per user (a user with two tabs is tracked twice under the same key), sorted by name. */
export function membersOf(state: Record<string, Array<Partial<OnlineMember>>>): OnlineMember[] {
  return Object.entries(state)
    .map(([key, metas]) => ({ user_id: key, name: metas.find((m) => m.name)?.name ?? key }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.user_id.localeCompare(b.user_id));
}

/**
 * Joins the organisation's presence channel as `me` and reports every change through `onStatus`.
 * Returns `leave`, which untracks and removes the channel (call it on unmount or organisation switch).
 * A refused or failed join is reported once and the channel removed: Realtime would otherwise retry
 * it forever with back-off, which a refused token never passes.
 */
export function joinOrgPresence(
  supabase: SupabaseClient,
  orgId: string,
  me: OnlineMember,
  onStatus: (s: PresenceStatus) => void,
): () => Promise<void> {
  let channel: RealtimeChannel | null = null;
  let left = false;
  const report = (s: PresenceStatus) => {
    if (!left) onStatus(s);
  };
  const leave = async () => {
    left = true;
    const c = channel;
    channel = null;
    if (c) await supabase.removeChannel(c);
  };

  onStatus({ kind: 'joining' });
  // The join carries the token; ask for a fresh one first, so a join after an organisation switch
  // carries the new organisation (supabase-js then refreshes it on every heartbeat by itself).
  void supabase.realtime
    .setAuth()
    .catch(() => undefined) // no token (signed out): the join below is refused and says so
    .then(() => {
      if (left) return;
      const c = supabase.channel(orgTopic(orgId), { config: { private: true, presence: { key: me.user_id } } });
      channel = c;
      c.on('presence', { event: 'sync' }, () => report({ kind: 'online', members: membersOf(c.presenceState<OnlineMember>()) }));
      c.subscribe((status, err) => {
        if (status === 'SUBSCRIBED') {
          void c.track({ user_id: me.user_id, name: me.name });
        } else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') {
          report({
            kind: 'unavailable',
            reason: err?.message ?? (status === 'TIMED_OUT' ? 'the Realtime server did not answer' : 'the channel closed'),
          });
          void leave();
        }
      });
    });
  return leave;
}
