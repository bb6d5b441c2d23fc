'use client';
// Calls the task-report Edge Function from the browser with supabase-js (`functions.invoke`), which
// sends the Clerk token the app's Supabase client hands out: the session token in third-party mode,
// the template token in template mode. The function answers 403 for a plan without reports; this
// shows its message rather than guessing the plan rules here.
import { useAuth } from '@clerk/nextjs';
import { useCallback, useEffect, useState } from 'react';
import { useSupabase } from '@/lib/supabase/client';

interface Summary {
  total: number;
  open: number;
  done: number;
  stale: number;
  staleAfterDays: number;
  oldestOpen: { title: string; ageDays: number } | null;
}
/** What the function answers for format json. */
interface Report {
  user: string;
  plan: string;
  summary: Summary;
}
type State =
  | { status: 'loading' }
  | { status: 'ready'; summary: Summary }
  | { status: 'plan'; message: string }
  | { status: 'error'; message: string };

/** The function's own answer for a refused call: supabase-js keeps the Response in `error.context`. */
async function refusal(error: { message: string; context?: unknown }): Promise<{ status: number; message: string }> {
  const res = error.context;
  if (!(res instanceof Response)) return { status: 0, message: 'The report service could not be reached. Try again shortly.' };
  const body = (await res.json().catch(() => null)) as { message?: string } | null;
  return { status: res.status, message: body?.message ?? `The report service answered ${res.status}.` };
}

export function TaskReport({ template }: { template?: string }) {
  const getSupabase = useSupabase(template);
  const { isSignedIn } = useAuth();
  const [state, setState] = useState<State>({ status: 'loading' });
  const [exporting, setExporting] = useState(false);

  const invoke = useCallback(
    async (body: { format: 'json' | 'csv' }) => {
      const supabase = await getSupabase();
      return supabase.functions.invoke<Report | string>('task-report', { body });
    },
    [getSupabase],
  );

  const show = useCallback(async (error: { message: string; context?: unknown }) => {
    const r = await refusal(error);
    setState(r.status === 403 ? { status: 'plan', message: r.message } : { status: 'error', message: r.message });
  }, []);

  useEffect(() => {
    if (!isSignedIn) return; // clerk-js is still loading
    let active = true;
    invoke({ format: 'json' })
      .then(async ({ data, error }) => {
        if (!active) return;
        if (error) return show(error);
        setState({ status: 'ready', summary: (data as Report).summary });
      })
      .catch(() => active && setState({ status: 'error', message: 'The report service could not be reached. Try again shortly.' }));
    return () => {
      active = false;
    };
  }, [invoke, isSignedIn, show]);

  const downloadCsv = async () => {
    setExporting(true);
    try {
      const { data, error } = await invoke({ format: 'csv' });
      if (error) return void (await show(error));
      const url = URL.createObjectURL(new Blob([data as string], { type: 'text/csv' }));
      const link = Object.assign(document.createElement('a'), { href: url, download: 'tasks.csv' });
      link.click();
      URL.revokeObjectURL(url);
    } finally {
      setExporting(false);
    }
  };

  if (state.status === 'loading') return <p aria-live="polite">Building your report…</p>;
  if (state.status === 'plan') {
    return (
      <section className="card" aria-labelledby="upgrade">
        <h2 id="upgrade">Reports are a Pro feature</h2>
        <p role="alert">{state.message}</p>
      </section>
    );
  }
  if (state.status === 'error')
    return (
      <p className="error" role="alert">
        {state.message}
      </p>
    );
  const s = state.summary;
  return (
    <section className="card" aria-labelledby="summary">
      <h2 id="summary">Your tasks</h2>
      <dl className="report">
        <dt>Total</dt>
        <dd data-testid="report-total">{s.total}</dd>
        <dt>Open</dt>
        <dd data-testid="report-open">{s.open}</dd>
        <dt>Done</dt>
        <dd data-testid="report-done">{s.done}</dd>
        <dt>Open for more than {s.staleAfterDays} days</dt>
        <dd data-testid="report-stale">{s.stale}</dd>
        <dt>Oldest open task</dt>
        <dd>{s.oldestOpen ? `${s.oldestOpen.title} (${s.oldestOpen.ageDays} days)` : 'none'}</dd>
      </dl>
      <button type="button" className="secondary" onClick={downloadCsv} disabled={exporting}>
        {exporting ? 'Exporting…' : 'Download CSV'}
      </button>
    </section>
  );
}
