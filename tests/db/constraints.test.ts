// Bad data is refused by the database itself (check constraints with clear names), so every client
// (the app, a script, the SQL editor) gets the same rules. PostgREST returns 400 with code 23514.
import { beforeAll, describe, expect, it } from 'vitest';
import { clientFor, mintToken, uniqueUserId } from '../support/tokens-and-db.ts';

let tasksDb: ReturnType<typeof clientFor>;
let projectsDb: ReturnType<typeof clientFor>;
beforeAll(async () => {
  tasksDb = clientFor(await mintToken({ user: uniqueUserId('constraints'), expiresInSeconds: 600 }));
  projectsDb = clientFor(
    await mintToken({ user: uniqueUserId('constraints'), org: `org_constraints_${Date.now()}`, orgRole: 'member', expiresInSeconds: 600 }),
  );
});

describe('tasks.title (constraint tasks_title_length: 1..200 characters, not just whitespace)', () => {
  it.each([
    ['empty', ''],
    ['only whitespace', ' \t\n '],
    ['201 characters', 'x'.repeat(201)],
    ['200 characters padded with spaces', ` ${'x'.repeat(200)} `],
  ])('refuses %s', async (_name, title) => {
    const r = await tasksDb.from('tasks').insert({ title });
    expect(r.status).toBe(400);
    expect(r.error?.code).toBe('23514');
    expect(r.error?.message).toContain('tasks_title_length');
  });

  it('accepts 1 and 200 characters, and refuses an update to an empty title', async () => {
    const ok = await tasksDb
      .from('tasks')
      .insert([{ title: 'x' }, { title: 'y'.repeat(200) }])
      .select('id');
    expect(ok.status).toBe(201);
    const upd = await tasksDb.from('tasks').update({ title: '' }).eq('id', ok.data![0].id);
    expect(upd.error?.code).toBe('23514');
  });

  it('a missing title is a not-null violation (23502)', async () => {
    const r = await tasksDb.from('tasks').insert({ done: true } as never);
    expect(r.error?.code).toBe('23502');
  });
});

describe('projects.name (constraint projects_name_length: 1..100 characters)', () => {
  it.each([
    ['empty', ''],
    ['only whitespace', '   '],
    ['101 characters', 'p'.repeat(101)],
  ])('refuses %s', async (_name, name) => {
    const r = await projectsDb.from('projects').insert({ name });
    expect(r.status).toBe(400);
    expect(r.error?.code).toBe('23514');
    expect(r.error?.message).toContain('projects_name_length');
  });

  it('accepts 100 characters', async () => {
    expect((await projectsDb.from('projects').insert({ name: 'p'.repeat(100) })).status).toBe(201);
  });
});
