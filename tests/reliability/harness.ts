// What every part of the reliability suite shares: simulated users (each with its own Clerk session),
// HTTP calls to the app's API, pages and server actions (sent the way a browser sends them), and the
// bookkeeping of every response: status classes, latency, and the moments a part of the stack was
// down on purpose, so that a 503 is only accepted while a fault is injected.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';
import { mintToken } from '../support/tokens-and-db.ts';

const require = createRequire(import.meta.url);
// React's own encoder for server action arguments: the body a browser sends to a server action.
const { encodeReply } = require('next/dist/compiled/react-server-dom-turbopack/client.node.js') as {
  encodeReply: (args: unknown[]) => Promise<string | FormData>;
};

export type Mode = 'third-party' | 'template';

/** One named check of the suite: PASS or FAIL, with what was seen. */
export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}
export const check = (name: string, ok: boolean, detail: string): CheckResult => ({ name, ok, detail });

export interface SimUser {
  id: string;
  mode: Mode;
  appUrl: string;
  token: string;
  org?: { id: string; role: 'admin' | 'member' };
  /** Marks every title this user writes, so a row in another user's answer is recognisable. */
  tag: string;
}

export interface Ctx {
  env: Record<string, string>;
  urls: Record<Mode, string>;
  distDir: string;
  logsDir: string;
  stats: Stats;
  faults: FaultLog;
  /** Every token sent to the app, for the log check at the end. */
  tokens: Set<string>;
  log: (line: string) => void;
}

// ---------------------------------------------------------------------------------------------------
// Bookkeeping

export class FaultLog {
  // A window ends when the fault's block has seen the app answer normally again in both modes (faults.ts
  // settled(), polled): a 503 that starts after that is a failure, with no grace period.
  windows: { name: string; start: number; end: number | null }[] = [];
  begin(name: string) {
    const w = { name, start: Date.now(), end: null as number | null };
    this.windows.push(w);
    return () => void (w.end = Date.now());
  }
  /** Where a request stood relative to the faults, for failure messages. */
  describe(start: number) {
    const w = this.windows.filter((x) => x.start <= start).at(-1);
    if (!w) return ' [before any fault]';
    return ` [${((start - w.start) / 1000).toFixed(1)} s after "${w.name}" began${w.end ? `, ${((start - w.end) / 1000).toFixed(1)} s after it ended` : ''}]`;
  }
  /** Was a fault active (not yet settled) when a request that started at `start` and took `ms` ran? */
  covers(start: number, ms: number) {
    return this.windows.some((w) => start + ms >= w.start && start <= (w.end ?? Infinity));
  }
}

export interface Sample {
  kind: string;
  status: number;
  ms: number;
  start: number;
  body: string;
}

export class Stats {
  samples: Sample[] = [];
  /** Responses that broke a rule (an unexpected 5xx, a leak, ...), with what was wrong. */
  violations: string[] = [];
  add(s: Sample) {
    this.samples.push(s);
  }
  violation(msg: string) {
    if (this.violations.length < 200) this.violations.push(msg);
  }
  summary(filter: (s: Sample) => boolean = () => true) {
    const xs = this.samples.filter(filter);
    const lat = xs.map((s) => s.ms).sort((a, b) => a - b);
    const pct = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] : 0);
    const byClass: Record<string, number> = {};
    for (const s of xs) {
      const c = s.status === 0 ? 'network' : s.status < 400 ? '2xx/3xx' : String(s.status);
      byClass[c] = (byClass[c] ?? 0) + 1;
    }
    return { requests: xs.length, byClass, p50: pct(50), p95: pct(95), p99: pct(99), max: lat.at(-1) ?? 0 };
  }
}

// ---------------------------------------------------------------------------------------------------
// Users

async function clerkApi(ctx: Ctx, p: string, body: unknown) {
  const res = await fetch(`${ctx.env.CLERK_API_URL}${p}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ctx.env.CLERK_SECRET_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`Clerk Backend API ${p}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * A new user with a session token valid for an hour. Template mode needs a session the local Clerk
 * knows (the app exchanges it for a template token at the Backend API); third-party mode only needs a
 * token signed with the instance key, which also lets it carry any organisation.
 */
export async function newUser(ctx: Ctx, mode: Mode, label: string, org?: SimUser['org']): Promise<SimUser> {
  const id = `user_rel_${label}_${randomBytes(4).toString('hex')}`;
  const appUrl = ctx.urls[mode];
  const azp = new URL(appUrl).origin;
  let token: string;
  if (mode === 'template') {
    if (org) throw new Error('the local Clerk Backend API cannot create organisation memberships: org users run in third-party mode');
    await clerkApi(ctx, '/v1/users', { user_id: id, email_address: `${id}@example.test`, password: 'clerk-local-password' });
    const session = (await clerkApi(ctx, '/v1/sessions', { user_id: id })) as { id: string };
    token = ((await clerkApi(ctx, `/v1/sessions/${session.id}/tokens`, { azp, expires_in_seconds: 3600 })) as { jwt: string }).jwt;
  } else {
    token = await mintToken({ user: id, org: org?.id, orgRole: org?.role, azp, expiresInSeconds: 3600 });
  }
  ctx.tokens.add(token);
  return { id, mode, appUrl, token, org, tag: `[${id}]` };
}

// ---------------------------------------------------------------------------------------------------
// Requests

export interface Answer {
  status: number;
  ms: number;
  text: string;
  json: Record<string, unknown> | null;
  headers: Headers;
}

/** Any request to the app, timed and recorded; network failures come back as status 0. */
export async function request(ctx: Ctx, kind: string, url: string, init: RequestInit = {}, timeoutMs = 30_000): Promise<Answer> {
  const start = Date.now();
  let status = 0;
  let text = '';
  let headers = new Headers();
  try {
    const res = await fetch(url, { redirect: 'manual', ...init, signal: AbortSignal.timeout(timeoutMs) });
    status = res.status;
    headers = res.headers;
    text = await res.text();
  } catch (e) {
    text = `network error: ${e instanceof Error ? e.message : String(e)}`;
  }
  const ms = Date.now() - start;
  ctx.stats.add({ kind, status, ms, start, body: text.slice(0, 300) });
  let json: Record<string, unknown> | null = null;
  if ((headers.get('content-type') ?? '').includes('json')) {
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      /* left null: checked by the caller */
    }
  }
  checkAnswer(ctx, kind, { status, ms, text, json, headers }, start);
  return { status, ms, text, json, headers };
}

const STACK_TRACE = /\n\s+at [^\n]+\(?[^\n]*:\d+:\d+\)?|node_modules\/|webpack-internal:|\.next[^/]*\/server\//;

/** Rules every answer obeys: no 500, no stack trace, a 503 only during a fault and with a JSON error. */
function checkAnswer(ctx: Ctx, kind: string, a: Answer, start: number) {
  const where = `${kind} -> ${a.status} after ${a.ms} ms${ctx.faults.describe(start)}`;
  if (STACK_TRACE.test(a.text))
    ctx.stats.violation(`${where}: the answer contains a stack trace or a server path: ${a.text.slice(0, 200)}`);
  if (a.status === 0) {
    ctx.stats.violation(`${where}: no answer (${a.text.slice(0, 120)})`);
  } else if (a.status >= 500) {
    if (a.status !== 503 && a.status !== 504) ctx.stats.violation(`${where}: ${a.text.slice(0, 200)}`);
    else if (!ctx.faults.covers(start, a.ms)) ctx.stats.violation(`${where} with no fault injected: ${a.text.slice(0, 200)}`);
    else if (kind.startsWith('api') && typeof a.json?.error !== 'string')
      ctx.stats.violation(`${where}: not a JSON { error } body: ${a.text.slice(0, 200)}`);
  }
}

/** The JSON API with the user's token as a Bearer header (how an API client calls it). */
export function api(
  ctx: Ctx,
  u: SimUser,
  method: string,
  p: string,
  body?: unknown,
  kind = `api ${method} ${p.replace(/[0-9a-f-]{36}/, ':id')}`,
) {
  return request(ctx, kind, `${u.appUrl}${p}`, {
    method,
    headers: { authorization: `Bearer ${u.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Clerk's browser cookies for a session token (what a signed-in browser sends with a page request). */
export function sessionCookies(token: string) {
  let iat = Math.floor(Date.now() / 1000);
  try {
    iat = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { iat: number }).iat;
  } catch {
    /* not a JWT (a forged cookie): any __client_uat will do */
  }
  return `__session=${token}; __client_uat=${iat}; __clerk_db_jwt=dvb_local_reliability`;
}

export function page(ctx: Ctx, u: SimUser, p: string) {
  return request(ctx, `page GET ${p}`, `${u.appUrl}${p}`, { headers: { cookie: sessionCookies(u.token), accept: 'text/html' } });
}

// ---------------------------------------------------------------------------------------------------
// Server actions, called as the browser calls them: POST to the page with the Next-Action header and
// the arguments encoded by React's encodeReply (a multipart body for FormData arguments).

export type ActionName = 'addTask' | 'renameTask' | 'toggleTask' | 'deleteTask' | 'addProject' | 'deleteProject';
const ACTION_PAGES: Record<ActionName, string> = {
  addTask: '/dashboard',
  renameTask: '/dashboard',
  toggleTask: '/dashboard',
  deleteTask: '/dashboard',
  addProject: '/org',
  deleteProject: '/org',
};
/** useActionState actions get (previousState, formData); the task item's direct calls only formData. */
const WITH_PREVIOUS_STATE = new Set<ActionName>(['addTask', 'addProject', 'deleteProject']);

/** Action ids by export name, from the build's server-reference manifest. */
export function actionIds(distDir: string): Record<ActionName, string> {
  const manifest = JSON.parse(fs.readFileSync(path.join(distDir, 'server/server-reference-manifest.json'), 'utf8')) as {
    node: Record<string, { exportedName?: string; filename?: string; workers?: Record<string, unknown> }>;
  };
  const ids: Partial<Record<ActionName, string>> = {};
  for (const [id, entry] of Object.entries(manifest.node)) {
    const name = entry.exportedName as ActionName | undefined;
    if (name && name in ACTION_PAGES) {
      const page = ACTION_PAGES[name].slice(1);
      const file = entry.filename ?? Object.keys(entry.workers ?? {}).join(' ');
      if (file.includes(page)) ids[name] = id;
    }
  }
  const missing = Object.keys(ACTION_PAGES).filter((n) => !ids[n as ActionName]);
  if (missing.length)
    throw new Error(`server actions not found in ${distDir}/server/server-reference-manifest.json: ${missing.join(', ')}`);
  return ids as Record<ActionName, string>;
}

export interface ActionAnswer extends Answer {
  /** The action's return value ({} on success, { error } on a refusal), when the answer carried one. */
  result: Record<string, unknown> | null;
}

export async function action(
  ctx: Ctx,
  u: SimUser,
  ids: Record<ActionName, string>,
  name: ActionName,
  fields: Record<string, string | Blob>,
  extraHeaders: Record<string, string> = {},
): Promise<ActionAnswer> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const body = await encodeReply(WITH_PREVIOUS_STATE.has(name) ? [{}, form] : [form]);
  const origin = new URL(u.appUrl).origin;
  const a = await request(ctx, `action ${name}`, `${u.appUrl}${ACTION_PAGES[name]}`, {
    method: 'POST',
    headers: { 'next-action': ids[name], accept: 'text/x-component', origin, cookie: sessionCookies(u.token), ...extraHeaders },
    body,
  });
  return { ...a, result: actionResult(a.text) };
}

/** The RSC answer of an action starts with `0:{"a":"$@1",...}`; the value is in row 1 (or inline). */
function actionResult(flight: string): Record<string, unknown> | null {
  const rows = new Map<string, string>();
  for (const line of flight.split('\n')) {
    const m = /^([0-9a-f]+):(.*)$/.exec(line);
    if (m) rows.set(m[1], m[2]);
  }
  try {
    const root = JSON.parse(rows.get('0') ?? 'null') as { a?: unknown } | null;
    if (!root || !('a' in root)) return null;
    let value = root.a;
    if (typeof value === 'string' && /^\$@[0-9a-f]+$/.test(value)) value = JSON.parse(rows.get(value.slice(2)) ?? 'null');
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------
// Stack control and the database

export async function control(ctx: Ctx, part: string, verb: 'stop' | 'start' | 'restart') {
  const res = await fetch(`${ctx.env.LOCAL_STACK_CONTROL_URL}/parts/${part}/${verb}`, {
    method: 'POST',
    headers: { 'x-local-stack-secret': ctx.env.LOCAL_STACK_CONTROL_SECRET ?? '' },
  });
  if (!res.ok) throw new Error(`control ${part}/${verb}: ${res.status} ${await res.text()}`);
}

export async function withDb<T>(ctx: Ctx, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ctx.env.SUPABASE_DB_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `probe` is true; returns the milliseconds it took, or null after `timeoutMs`. */
export async function timeUntil(probe: () => Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<number | null> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (await probe().catch(() => false)) return Date.now() - start;
    await sleep(everyMs);
  }
  return null;
}

/** A small seeded PRNG, so a failing load run can be replayed with the same seed. */
export function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}
