// Many simulated users at once, each with its own session, doing a random mix of create, list,
// rename, toggle and delete through the JSON API and the dashboard's server actions (some users in
// organisations, adding, listing and deleting projects). Each user keeps a model of what the app
// acknowledged; every answer is checked against it as it arrives (no row of anyone else, every
// acknowledged row present), and the database is compared with the models at the end.
import { action, actionIds, api, newUser, page, rng, withDb, type ActionName, type Ctx, type SimUser } from './harness.ts';

export interface LoadOptions {
  users: number;
  /** How many of them belong to an organisation (third-party mode; see newUser). */
  orgUsers: number;
  /** The load runs at least this long, and until `until` resolves (the faults are injected meanwhile). */
  durationMs: number;
  seed: number;
}

interface TaskModel {
  id: string | null;
  /** Titles the row may have: one when the last write was acknowledged, more while it is unknown. */
  titles: Set<string>;
  done: boolean | null;
  /** 'live' acknowledged; 'gone' acknowledged deleted; 'maybe' a write whose outcome is unknown (a 503). */
  state: 'live' | 'gone' | 'maybe';
}

interface UserModel {
  user: SimUser;
  tasks: TaskModel[];
  seq: number;
}

interface OrgModel {
  id: string;
  created: Set<string>; // acknowledged project names
  deleted: Set<string>;
  maybe: Set<string>; // unknown outcome (creates and deletes)
}

export interface LoadResult {
  users: number;
  operations: Record<string, number>;
  acknowledgedWrites: number;
  leaks: string[];
  lost: string[];
  duplicated: string[];
  mismatches: string[];
  models: UserModel[];
}

const TAG = /\[user_rel_[A-Za-z0-9_]+\]/g;
const ORG_TAG = /\{org_rel_[A-Za-z0-9_]+\}/g;

/**
 * Every user tag in an answer must be the caller's own: anything else is another user's row. Org
 * answers (projects) may carry the tags of the same organisation's members, who share its projects.
 */
function findLeaks(text: string, own: SimUser, orgMates: Set<string> = new Set()): string[] {
  return [...new Set(text.match(TAG) ?? [])].filter((t) => t !== own.tag && !orgMates.has(t));
}

export async function createUsers(ctx: Ctx, o: LoadOptions): Promise<{ models: UserModel[]; orgs: OrgModel[] }> {
  const runId = Math.random().toString(36).slice(2, 6);
  const orgs: OrgModel[] = [0, 1].map((i) => ({ id: `org_rel_${runId}_${i}`, created: new Set(), deleted: new Set(), maybe: new Set() }));
  const models: UserModel[] = [];
  for (let i = 0; i < o.users; i++) {
    const inOrg = i < o.orgUsers;
    // Org users: third-party mode (their tokens carry any org); the rest alternate between modes.
    const mode = inOrg || i % 2 === 0 ? 'third-party' : 'template';
    const org = inOrg ? { id: orgs[i % 2].id, role: (i % 4 < 2 ? 'admin' : 'member') as 'admin' | 'member' } : undefined;
    models.push({ user: await newUser(ctx, mode, `l${i}`, org), tasks: [], seq: 0 });
  }
  return { models, orgs };
}

export async function runLoad(
  ctx: Ctx,
  o: LoadOptions,
  prepared: { models: UserModel[]; orgs: OrgModel[] },
  until: Promise<unknown> = Promise.resolve(),
): Promise<LoadResult> {
  const ids = actionIds(ctx.distDir);
  const { models, orgs } = prepared;
  const operations: Record<string, number> = {};
  const leaks: string[] = [];
  const mismatches: string[] = [];
  let acknowledgedWrites = 0;
  const deadline = Date.now() + o.durationMs;
  let released = false;
  void until.finally(() => (released = true));
  const count = (op: string) => (operations[op] = (operations[op] ?? 0) + 1);
  const mates = new Map(orgs.map((org) => [org.id, new Set(models.filter((x) => x.user.org?.id === org.id).map((x) => x.user.tag))]));
  const leakCheck = (m: UserModel, what: string, text: string, orgAnswer = false) => {
    const allowed = orgAnswer && m.user.org ? mates.get(m.user.org.id) : undefined;
    for (const t of findLeaks(text, m.user, allowed)) leaks.push(`${m.user.id} saw ${t} in ${what}`);
    if (m.user.org)
      for (const t of new Set(text.match(ORG_TAG) ?? []))
        if (t !== `{${m.user.org.id}}`) leaks.push(`${m.user.id} (${m.user.org.id}) saw ${t} in ${what}`);
  };
  /** A write that failed on purpose-injected faults leaves its outcome unknown; anything else must be 2xx. */
  const acked = (status: number) => status >= 200 && status < 300;

  async function userLoop(m: UserModel, random: () => number) {
    const u = m.user;
    const viaAction = () => random() < 0.5;
    const pick = () => {
      const live = m.tasks.filter((t) => t.state === 'live' && t.id);
      return live.length ? live[Math.floor(random() * live.length)] : null;
    };
    const title = () => `${u.tag} #${++m.seq} ${random() < 0.2 ? "<b>it's</b> ünïcødé ✓ 'quoted'" : 'task'}`;

    async function list() {
      count('list');
      const a = await api(ctx, u, 'GET', '/api/tasks');
      leakCheck(m, 'GET /api/tasks', a.text);
      if (a.status !== 200) return;
      const rows = (a.json?.tasks ?? []) as { id: string; title: string; done: boolean }[];
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const t of m.tasks) {
        if (!t.id) {
          // Created by a server action (which returns no id): find it by its unique title.
          const row = rows.find((r) => t.titles.has(r.title));
          if (row) t.id = row.id;
          else if (t.state === 'live') mismatches.push(`${u.id}: acknowledged task "${[...t.titles][0]}" missing from the list`);
          if (row && t.state === 'maybe') Object.assign(t, { state: 'live', titles: new Set([row.title]), done: row.done });
          continue;
        }
        const row = byId.get(t.id);
        if (t.state === 'live') {
          if (!row) mismatches.push(`${u.id}: acknowledged task ${t.id} missing from the list`);
          else if (!t.titles.has(row.title) || (t.done !== null && row.done !== t.done))
            mismatches.push(`${u.id}: task ${t.id} is ${JSON.stringify(row)}, expected title ${[...t.titles][0]} done ${t.done}`);
        } else if (t.state === 'gone' && row) mismatches.push(`${u.id}: deleted task ${t.id} is listed again`);
        else if (t.state === 'maybe') {
          // Settle an unknown outcome with what the database says now.
          if (row && t.titles.has(row.title)) Object.assign(t, { state: 'live', titles: new Set([row.title]), done: row.done });
          else if (!row) t.state = 'gone';
        }
      }
      const known = new Set(m.tasks.map((t) => t.id).filter(Boolean));
      for (const r of rows)
        if (!known.has(r.id) && !m.tasks.some((t) => !t.id && t.titles.has(r.title)))
          mismatches.push(`${u.id}: listed a task nobody created: ${JSON.stringify(r)}`);
    }

    async function create() {
      const t = title();
      if (viaAction()) {
        count('create (action)');
        const a = await action(ctx, u, ids, 'addTask', { title: t });
        leakCheck(m, 'addTask answer', a.text);
        const ok = acked(a.status) && a.result !== null && !a.result.error;
        m.tasks.push({ id: null, titles: new Set([t]), done: false, state: ok ? 'live' : 'maybe' });
        if (ok) acknowledgedWrites++;
      } else {
        count('create (api)');
        const a = await api(ctx, u, 'POST', '/api/tasks', { title: t });
        leakCheck(m, 'POST /api/tasks', a.text);
        const task = a.json?.task as { id: string; title: string; done: boolean } | undefined;
        if (a.status === 201 && task) {
          if (task.title !== t) mismatches.push(`${u.id}: created "${t}" but the API answered "${task.title}"`);
          m.tasks.push({ id: task.id, titles: new Set([t]), done: false, state: 'live' });
          acknowledgedWrites++;
        } else m.tasks.push({ id: null, titles: new Set([t]), done: false, state: 'maybe' });
      }
    }

    async function update(kind: 'rename' | 'toggle') {
      const t = pick();
      if (!t) return create();
      const changes = kind === 'rename' ? { title: title() } : { done: !t.done };
      let ok: boolean;
      if (viaAction()) {
        count(`${kind} (action)`);
        const name: ActionName = kind === 'rename' ? 'renameTask' : 'toggleTask';
        const fields: Record<string, string> =
          kind === 'rename' ? { id: t.id!, title: changes.title! } : { id: t.id!, done: String(changes.done) };
        const a = await action(ctx, u, ids, name, fields);
        leakCheck(m, `${name} answer`, a.text);
        ok = acked(a.status) && a.result !== null && !a.result.error;
      } else {
        count(`${kind} (api)`);
        const a = await api(ctx, u, 'PATCH', `/api/tasks/${t.id}`, changes);
        leakCheck(m, 'PATCH /api/tasks/:id', a.text);
        ok = a.status === 200;
        if (a.status === 404) mismatches.push(`${u.id}: own live task ${t.id} answered 404 to ${kind}`);
      }
      if (ok) {
        acknowledgedWrites++;
        if (changes.title) t.titles = new Set([changes.title]);
        if (changes.done !== undefined) t.done = changes.done;
      } else {
        t.state = 'maybe';
        if (changes.title) t.titles.add(changes.title);
        if (changes.done !== undefined) t.done = null;
      }
    }

    async function remove() {
      const t = pick();
      if (!t) return create();
      let ok: boolean;
      if (viaAction()) {
        count('delete (action)');
        const a = await action(ctx, u, ids, 'deleteTask', { id: t.id! });
        leakCheck(m, 'deleteTask answer', a.text);
        ok = acked(a.status) && a.result !== null && !a.result.error;
      } else {
        count('delete (api)');
        const a = await api(ctx, u, 'DELETE', `/api/tasks/${t.id}`);
        ok = a.status === 204;
      }
      t.state = ok ? 'gone' : 'maybe';
      if (ok) acknowledgedWrites++;
    }

    async function viewPage() {
      count('page /dashboard');
      const a = await page(ctx, u, '/dashboard');
      leakCheck(m, 'GET /dashboard', a.text);
      // While a part is down on purpose the page shows an error state instead of the list (faults.ts checks it).
      if (a.status === 200 && !a.text.includes('Could not load your tasks'))
        for (const t of m.tasks)
          if (t.state === 'live' && t.titles.size === 1) {
            const html = [...t.titles][0].replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
            if (!a.text.includes(html) && !a.text.includes(html.replace(/'/g, '&#x27;')))
              mismatches.push(`${u.id}: /dashboard does not show acknowledged task "${[...t.titles][0]}"`);
          }
    }

    async function orgOp() {
      const org = orgs.find((x) => x.id === u.org!.id)!;
      const r = random();
      if (r < 0.4) {
        count('projects list (api)');
        const a = await api(ctx, u, 'GET', '/api/projects');
        leakCheck(m, 'GET /api/projects', a.text, true);
        for (const p of (a.json?.projects ?? []) as { org_id: string; name: string }[]) {
          if (p.org_id !== org.id) leaks.push(`${u.id} (${org.id}) got a project of ${p.org_id}`);
          if (org.deleted.has(p.name)) mismatches.push(`${org.id}: deleted project "${p.name}" listed again`);
        }
      } else if (r < 0.8) {
        count('project create (action)');
        const name = `{${org.id}} ${u.tag} p${++m.seq}`;
        const a = await action(ctx, u, ids, 'addProject', { name });
        leakCheck(m, 'addProject answer', a.text, true);
        if (acked(a.status) && a.result && !a.result.error) {
          org.created.add(name);
          acknowledgedWrites++;
        } else org.maybe.add(name);
      } else {
        count('project delete (action)');
        const list = await api(ctx, u, 'GET', '/api/projects');
        const mine = ((list.json?.projects ?? []) as { id: string; name: string }[]).filter((p) => p.name.includes(u.tag));
        const target = mine[0];
        if (!target) return;
        const a = await action(ctx, u, ids, 'deleteProject', { id: target.id });
        leakCheck(m, 'deleteProject answer', a.text, true);
        const ok = acked(a.status) && a.result !== null && !a.result.error;
        if (u.org!.role === 'member') {
          // Members may not delete: the action refuses and the row stays.
          if (ok) mismatches.push(`${u.id}: a member deleted project ${target.id}`);
        } else if (ok) {
          org.deleted.add(target.name);
          acknowledgedWrites++;
        } else org.maybe.add(target.name);
      }
    }

    while (Date.now() < deadline || !released) {
      const r = random();
      if (u.org && r < 0.15) await orgOp();
      else if (r < 0.4) await create();
      else if (r < 0.6) await list();
      else if (r < 0.72) await update('rename');
      else if (r < 0.84) await update('toggle');
      else if (r < 0.95) await remove();
      else await viewPage();
    }
    await list(); // settles unknown outcomes before the final comparison
  }

  await Promise.all(models.map((m, i) => userLoop(m, rng(o.seed * 1000 + i))));

  // The database, read as superuser, against every model.
  const lost: string[] = [];
  const duplicated: string[] = [];
  await withDb(ctx, async (db) => {
    for (const m of models) {
      const { rows } = await db.query<{ id: string; user_id: string; title: string; done: boolean }>(
        'select id, user_id, title, done from public.tasks where user_id = $1',
        [m.user.id],
      );
      const titles = rows.map((r) => r.title);
      for (const t of new Set(titles))
        if (titles.filter((x) => x === t).length > 1)
          duplicated.push(`${m.user.id}: "${t}" stored ${titles.filter((x) => x === t).length} times`);
      for (const t of m.tasks) {
        const row = rows.find((r) => (t.id ? r.id === t.id : t.titles.has(r.title)));
        if (t.state === 'live') {
          if (!row) lost.push(`${m.user.id}: acknowledged task "${[...t.titles].join('|')}" is not in the database`);
          else if (!t.titles.has(row.title) || (t.done !== null && t.done !== row.done))
            mismatches.push(
              `${m.user.id}: task ${row.id} is ${row.title}/${row.done} in the database, expected ${[...t.titles][0]}/${t.done}`,
            );
        }
        if (t.state === 'gone' && row) mismatches.push(`${m.user.id}: task ${row.id} acknowledged deleted is still in the database`);
      }
      for (const r of rows)
        if (!m.tasks.some((t) => (t.id ? t.id === r.id : t.titles.has(r.title))))
          mismatches.push(`${m.user.id}: unexpected row in the database ${JSON.stringify(r)}`);
      // What the API lists is what the database holds.
      const a = await api(ctx, m.user, 'GET', '/api/tasks', undefined, 'api GET /api/tasks (final)');
      const listed = ((a.json?.tasks ?? []) as unknown[]).length;
      if (a.status !== 200 || listed !== rows.length)
        mismatches.push(`${m.user.id}: the API lists ${listed} tasks (status ${a.status}), the database holds ${rows.length}`);
    }
    // Every tagged row belongs to the user its tag names: no write landed under someone else's id.
    const { rows: tagged } = await db.query<{ user_id: string; title: string }>(
      `select user_id, title from public.tasks where title like '%[user_rel_%'`,
    );
    for (const r of tagged)
      for (const t of r.title.match(TAG) ?? []) if (t !== `[${r.user_id}]`) leaks.push(`row of ${r.user_id} carries ${t}: "${r.title}"`);
    for (const org of orgs) {
      const { rows } = await db.query<{ name: string; org_id: string }>('select name, org_id from public.projects where name like $1', [
        `{${org.id}}%`,
      ]);
      const names = rows.map((r) => r.name);
      for (const r of rows) if (r.org_id !== org.id) leaks.push(`project "${r.name}" stored in ${r.org_id}`);
      for (const n of org.created)
        if (!org.deleted.has(n) && !org.maybe.has(n) && !names.includes(n))
          lost.push(`${org.id}: acknowledged project "${n}" is not in the database`);
      for (const n of org.deleted) if (names.includes(n)) mismatches.push(`${org.id}: project "${n}" acknowledged deleted is still there`);
      for (const n of new Set(names))
        if (names.filter((x) => x === n).length > 1) duplicated.push(`${org.id}: project "${n}" stored twice`);
      for (const n of names) if (!org.created.has(n) && !org.maybe.has(n)) mismatches.push(`${org.id}: unexpected project "${n}"`);
    }
  });
  return { users: models.length, operations, acknowledgedWrites, leaks, lost, duplicated, mismatches, models };
}
