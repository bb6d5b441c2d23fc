'use client';
// "Online now": who of this organisation has /org open, live, through Supabase Realtime Presence on
// the private channel org:<org id> (lib/realtime/org-presence.ts), joined with the user's Clerk token.
// supabase-js and the presence code load after the page is interactive, in their own chunks. Where the
// project runs no Realtime server (SUPABASE_REALTIME=off) it says so in one line and never connects.
import { useAuth, useUser } from '@clerk/nextjs';
import { useEffect, useState } from 'react';
import type { PresenceStatus } from '@/lib/realtime/org-presence';
import { useSupabase } from '@/lib/supabase/client';

export function OnlineNow({ orgId, template, realtime }: { orgId: string; template?: string; realtime: boolean }) {
  const getSupabase = useSupabase(template);
  const { userId } = useAuth();
  const { user } = useUser();
  const name = user ? (user.fullName ?? user.username ?? user.primaryEmailAddress?.emailAddress ?? user.id) : null;
  const [status, setStatus] = useState<PresenceStatus>({ kind: 'joining' });

  useEffect(() => {
    if (!realtime || !userId || !name) return; // clerk-js is still loading
    let leave: (() => Promise<void>) | null = null;
    let active = true;
    Promise.all([getSupabase(), import('@/lib/realtime/org-presence')])
      .then(([supabase, { joinOrgPresence }]) => {
        if (active) leave = joinOrgPresence(supabase, orgId, { user_id: userId, name }, setStatus);
      })
      .catch(() => active && setStatus({ kind: 'unavailable', reason: 'the Realtime client could not be loaded' }));
    // Unmount or another organisation (the page passes its id): leave this channel.
    return () => {
      active = false;
      void leave?.();
    };
  }, [realtime, getSupabase, orgId, userId, name]);

  return (
    <section className="online-now" aria-labelledby="online-now">
      <h2 id="online-now">Online now</h2>
      {!realtime ? (
        <p className="muted" data-testid="online-now-status">
          No Realtime server here, so presence is off.
        </p>
      ) : status.kind === 'joining' ? (
        <p className="muted" data-testid="online-now-status">
          Joining…
        </p>
      ) : status.kind === 'unavailable' ? (
        <p className="muted" data-testid="online-now-status">
          Presence is unavailable: {status.reason}.
        </p>
      ) : (
        <ul aria-label="Online now">
          {status.members.map((m) => (
            <li key={m.user_id}>
              {m.name}
              {m.user_id === userId && <span className="muted"> (you)</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
