'use client';
// The browser side of the integration: this count is queried by the browser straight from Supabase
// with the user's Clerk token (useSupabase), not by the server. It refreshes when the page's data
// changes, when the window regains focus and every 30 seconds. Until supabase-js has loaded (after
// the page is interactive) it shows the count the server rendered.
import { useAuth } from '@clerk/nextjs';
import { useEffect, useState } from 'react';
import { useSupabase } from '@/lib/supabase/client';

export function OpenTasksCount({ template, serverCount }: { template?: string; serverCount: number }) {
  const getSupabase = useSupabase(template);
  const { isSignedIn } = useAuth();
  const [live, setLive] = useState<{ count: number | null; failed: boolean }>({ count: null, failed: false });

  useEffect(() => {
    if (!isSignedIn) return; // clerk-js is still loading: show the server's number meanwhile
    let active = true;
    const refresh = async () => {
      try {
        const supabase = await getSupabase();
        const { count, error } = await supabase.from('tasks').select('id', { count: 'exact', head: true }).eq('done', false);
        if (active) setLive(error ? (s) => ({ ...s, failed: true }) : { count: count ?? 0, failed: false });
      } catch {
        // supabase-js could not be loaded (offline, a new deployment): keep the last count.
        if (active) setLive((s) => ({ ...s, failed: true }));
      }
    };
    void refresh();
    const timer = setInterval(refresh, 30_000);
    window.addEventListener('focus', refresh);
    return () => {
      active = false;
      clearInterval(timer);
      window.removeEventListener('focus', refresh);
    };
    // serverCount: a server action changed the tasks, so ask again.
  }, [getSupabase, isSignedIn, serverCount]);

  const count = live.count ?? serverCount;
  return (
    <p className="open-count" aria-live="polite" data-source={live.count === null ? 'server' : 'browser'}>
      <strong data-testid="open-tasks-count">{count}</strong> open {count === 1 ? 'task' : 'tasks'}
      {live.failed && <span className="muted"> (could not refresh)</span>}
    </p>
  );
}
