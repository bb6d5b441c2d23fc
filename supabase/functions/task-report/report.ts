// The report itself: counts the database answers exactly (whatever PostgREST's row limit), and a CSV
// export built page by page. Every query runs with the caller's token, so row-level security decides
// which tasks exist at all: there is no user filter here to get wrong.
import type { SupabaseClient } from '@supabase/supabase-js';
import { HttpError } from '../_shared/http.ts';

export interface TaskSummary {
  total: number;
  open: number;
  done: number;
  /** Open tasks created more than `staleAfterDays` days ago. */
  stale: number;
  staleAfterDays: number;
  oldestOpen: { title: string; createdAt: string; ageDays: number } | null;
}

const DAY_MS = 86_400_000;
/** One export holds at most this many rows; a larger one is refused rather than cut short. */
export const MAX_EXPORT_ROWS = 10_000;
const PAGE = 1000; // PostgREST's max_rows on Supabase by default

interface Answer<T> {
  data: T | null;
  count?: number | null;
  error: { message: string } | null;
  status: number;
}

/** A failed query as the function's answer: the token refused (401) or the data API unavailable (503). */
function checked<T>(what: string, r: Answer<T>): Answer<T> {
  if (!r.error) return r;
  if (r.status === 401 || r.status === 403)
    throw new HttpError(401, 'token_refused', `The data API refused the token while reading ${what}: ${r.error.message}`);
  console.error(`Reading ${what} failed (${r.status}): ${r.error.message}`);
  throw new HttpError(
    503,
    'data_api_unavailable',
    `The data API did not answer the ${what} query (${r.status || 'no answer'}). Try again shortly.`,
    { 'Retry-After': '5' },
  );
}

export async function taskSummary(db: SupabaseClient, staleAfterDays: number, now = new Date()): Promise<TaskSummary> {
  const tasks = () => db.from('tasks').select('id', { count: 'exact', head: true });
  const staleBefore = new Date(now.getTime() - staleAfterDays * DAY_MS).toISOString();
  const [total, open, stale, oldest] = await Promise.all([
    tasks(),
    tasks().eq('done', false),
    tasks().eq('done', false).lt('created_at', staleBefore),
    db.from('tasks').select('title, created_at').eq('done', false).order('created_at').limit(1),
  ]);
  const totalCount = checked('the task count', total).count ?? 0;
  const openCount = checked('the open task count', open).count ?? 0;
  const first = (checked('the oldest open task', oldest).data as { title: string; created_at: string }[] | null)?.[0];
  return {
    total: totalCount,
    open: openCount,
    done: totalCount - openCount,
    stale: checked('the stale task count', stale).count ?? 0,
    staleAfterDays,
    oldestOpen: first
      ? { title: first.title, createdAt: first.created_at, ageDays: Math.floor((now.getTime() - Date.parse(first.created_at)) / DAY_MS) }
      : null,
  };
}

interface TaskRow {
  id: string;
  title: string;
  done: boolean;
  created_at: string;
  updated_at: string;
}

export async function taskCsv(db: SupabaseClient): Promise<string> {
  const { count } = checked('the task count', await db.from('tasks').select('id', { count: 'exact', head: true }));
  if ((count ?? 0) > MAX_EXPORT_ROWS) {
    throw new HttpError(413, 'export_too_large', `You have ${count} tasks; one export holds at most ${MAX_EXPORT_ROWS}.`);
  }
  const lines = ['id,title,done,created_at,updated_at'];
  for (let from = 0; ; from += PAGE) {
    const page = checked(
      'your tasks',
      await db
        .from('tasks')
        .select('id, title, done, created_at, updated_at')
        .order('created_at')
        .order('id')
        .range(from, from + PAGE - 1),
    );
    const rows = (page.data ?? []) as TaskRow[];
    for (const t of rows) lines.push([t.id, t.title, String(t.done), t.created_at, t.updated_at].map(csvCell).join(','));
    if (rows.length < PAGE) break;
  }
  return lines.join('\r\n') + '\r\n';
}

/**
 * RFC 4180 quoting, and no formulas: a spreadsheet runs a cell starting with = + - @ (or a tab/CR) as
 * one, so such a title is prefixed with an apostrophe (OWASP's advice against CSV injection).
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
