// The task-report Edge Function's CSV export past one PostgREST page (1,000 rows on Supabase): built
// page by page, it holds every one of the caller's rows exactly once, none of anybody else's; and an
// export larger than its limit is refused with 413 rather than cut short.
import { describe, expect, it } from 'vitest';
import { mintToken, uniqueUserId, withDb } from '../support/tokens-and-db.ts';

const fnUrl = () => `${process.env.NEXT_PUBLIC_SUPABASE_URL}/functions/v1/task-report`;
const csvOf = async (user: string) =>
  fetch(fnUrl(), {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await mintToken({ user, plan: 'pro', azp: process.env.APP_URL })}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ format: 'csv' }),
  });

/** Inserts `n` tasks for `user`, many with the same created_at (the page order must still be total). */
const addTasks = (user: string, n: number) =>
  withDb(async (c) =>
    (
      await c.query<{ id: string }>(
        `insert into public.tasks (user_id, title, created_at)
       select $1, 'bulk ' || i, now() - make_interval(secs => i / 10) from generate_series(1, $2) i returning id`,
        [user, n],
      )
    ).rows.map((r) => r.id),
  );

describe('task-report CSV export', () => {
  it("2,345 tasks: every row once, across three pages, and no other user's", { timeout: 120_000 }, async () => {
    const user = uniqueUserId('csv_many');
    const other = uniqueUserId('csv_other');
    const ids = await addTasks(user, 2345);
    const [otherId] = await addTasks(other, 1);
    const res = await csvOf(user);
    expect(
      res.status,
      await res
        .clone()
        .text()
        .then((t) => t.slice(0, 300)),
    ).toBe(200);
    const [header, ...rows] = (await res.text()).trimEnd().split('\r\n');
    expect(header).toBe('id,title,done,created_at,updated_at');
    const got = rows.map((r) => r.split(',')[0]);
    expect(got.length).toBe(2345);
    expect(new Set(got).size).toBe(2345); // none twice
    expect([...got].sort()).toEqual([...ids].sort()); // none missing
    expect(got).not.toContain(otherId);
  });

  it('more rows than one export holds is a 413 that says so, not a truncated file', { timeout: 120_000 }, async () => {
    const user = uniqueUserId('csv_huge');
    await addTasks(user, 10_001);
    const res = await csvOf(user);
    const body = (await res.json()) as { error: string; message: string };
    expect(res.status).toBe(413);
    expect(body.error).toBe('export_too_large');
    expect(body.message).toMatch(/10001 tasks; one export holds at most 10000/);
  });
});
