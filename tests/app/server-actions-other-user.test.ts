// Server actions are public HTTP endpoints: a signed-in user can post any action with any id. Each
// call here is a valid session aimed at someone else's row (a task of another user, a project of an
// organisation where the caller is only a member) or without the organisation the action needs. Each
// answers the action's error and leaves the other user's row exactly as it was. Both modes.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { newClerkUser } from '../support/app.ts';
import { builtApp } from '../support/route-walk.ts';
import { createSession, withDb } from '../support/tokens-and-db.ts';

const require = createRequire(import.meta.url);
const { encodeReply } = require('next/dist/compiled/react-server-dom-turbopack/client.node.js') as {
  encodeReply: (args: unknown[]) => Promise<string | FormData>;
};
const app = builtApp(process.env.APP_DIST_DIR ?? '.next');
const action = (name: string, page: string) => {
  const found = app.actions.find((a) => a.name === name && a.page === page);
  if (!found) throw new Error(`no server action ${name} on ${page} in the build`);
  return found;
};

/** What the browser sends with every request once signed in (the session cookie and its companions). */
function sessionCookies(token: string) {
  const { iat } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { iat: number };
  return `__session=${token}; __client_uat=${iat}; __clerk_db_jwt=dvb_local_test`;
}

/** Posts a server action as the page does, and returns its answer (the RSC payload, as text). */
async function callAction(appUrl: string, token: string, name: string, page: string, fields: Record<string, string>, withState: boolean) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(new URL(page, appUrl), {
    method: 'POST',
    headers: {
      'next-action': action(name, page).id,
      accept: 'text/x-component',
      cookie: sessionCookies(token),
      origin: new URL(appUrl).origin,
    },
    body: await encodeReply(withState ? [{}, form] : [form]),
    redirect: 'manual',
  });
  const text = await res.text();
  expect(res.status, text.slice(0, 300)).toBe(200);
  return text;
}

const taskRow = (id: string) =>
  withDb(async (c) => (await c.query('select user_id, title, done from public.tasks where id = $1', [id])).rows[0] ?? null);
const projectRow = (id: string) =>
  withDb(async (c) => (await c.query('select org_id, name from public.projects where id = $1', [id])).rows[0] ?? null);

describe.each([
  ['third-party', process.env.APP_URL_THIRD_PARTY ?? 'http://localhost:3100'],
  ['template', process.env.APP_URL_TEMPLATE ?? 'http://localhost:3101'],
] as const)("%s mode: server actions with a valid session, aimed at another user's rows", (_mode, appUrl) => {
  const origin = new URL(appUrl).origin;

  it("rename, toggle and delete of another user's task answer 'no longer exists' and change nothing", async () => {
    const [owner, other] = [await newClerkUser('sa', 'owner'), await newClerkUser('sa', 'other')];
    const id = await withDb(
      async (c) =>
        (await c.query<{ id: string }>("insert into public.tasks (user_id, title) values ($1, 'owner only') returning id", [owner])).rows[0]
          .id,
    );
    const before = await taskRow(id);
    const { token } = await createSession({ user: other, azp: origin });
    const gone = JSON.stringify('That task no longer exists. Reload the page.');
    expect(await callAction(appUrl, token, 'renameTask', '/dashboard', { id, title: 'taken over' }, false)).toContain(gone);
    expect(await callAction(appUrl, token, 'toggleTask', '/dashboard', { id, done: 'true' }, false)).toContain(gone);
    expect(await callAction(appUrl, token, 'deleteTask', '/dashboard', { id }, false)).toContain(gone);
    expect(await taskRow(id)).toEqual(before);
    expect(before).toEqual({ user_id: owner, title: 'owner only', done: false });

    // The same session on its own task works: the refusals above are about the row, not the caller.
    const own = await withDb(
      async (c) =>
        (await c.query<{ id: string }>("insert into public.tasks (user_id, title) values ($1, 'mine') returning id", [other])).rows[0].id,
    );
    expect(await callAction(appUrl, token, 'renameTask', '/dashboard', { id: own, title: 'renamed' }, false)).not.toContain(gone);
    expect((await taskRow(own))?.title).toBe('renamed');
  });

  it('a member deleting an organisation project is refused; the project stays', async () => {
    // A project of the seeded Acme (bob is a member there), removed again afterwards: the browser tests
    // list Acme's projects by name.
    const name = `admins only ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const id = await withDb(
      async (c) =>
        (
          await c.query<{ id: string }>(
            "insert into public.projects (org_id, created_by, name) values ('org_acme', 'user_alice', $1) returning id",
            [name],
          )
        ).rows[0].id,
    );
    try {
      const before = await projectRow(id);
      const { token } = await createSession({ user: 'user_bob', org: 'org_acme', azp: origin });
      expect(await callAction(appUrl, token, 'deleteProject', '/org', { id }, true)).toContain(
        JSON.stringify('Only organisation admins can delete projects.'),
      );
      expect(await projectRow(id)).toEqual(before);
      expect(before).toEqual({ org_id: 'org_acme', name });
    } finally {
      await withDb((c) => c.query('delete from public.projects where id = $1', [id]));
    }
  });

  it("adding a project with no active organisation answers 'Choose an organisation first.' and stores nothing", async () => {
    const user = await newClerkUser('sa', 'noorg');
    const name = `no org ${Date.now()}`;
    const { token } = await createSession({ user, azp: origin });
    expect(await callAction(appUrl, token, 'addProject', '/org', { name }, true)).toContain(
      JSON.stringify('Choose an organisation first.'),
    );
    expect(await withDb(async (c) => (await c.query('select 1 from public.projects where name = $1', [name])).rowCount)).toBe(0);
  });
});
