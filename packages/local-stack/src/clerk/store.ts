// The local Clerk instance's state: users, organisations, memberships and sessions, kept in memory
// and persisted to `.local/<profile>/clerk.json` so that sign-ups survive a restart. The Backend API
// and Frontend API stand-ins share one Store inside the stack process.
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import { writePrivateFile } from '../private-files.ts';

export const LOCAL_PASSWORD = 'clerk-local-password';

export interface LocalUser {
  id: string;
  emailId: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  passwordHash: string;
  createdAt: number;
  updatedAt: number;
  lastSignInAt: number | null;
  /** Clerk's public metadata: readable by the user, set only by the backend (e.g. `{ plan: "pro" }`). */
  publicMetadata?: Record<string, unknown>;
}
export interface LocalOrg {
  id: string;
  name: string;
  slug: string;
  createdAt: number;
  updatedAt: number;
}
export interface LocalMembership {
  id: string;
  orgId: string;
  userId: string;
  role: 'admin' | 'member';
  createdAt: number;
}
export interface LocalSession {
  id: string;
  userId: string;
  clientId: string | null;
  activeOrgId: string | null;
  status: 'active' | 'ended' | 'removed' | 'revoked';
  createdAt: number;
  lastActiveAt: number;
  expireAt: number;
}
interface State {
  users: LocalUser[];
  orgs: LocalOrg[];
  memberships: LocalMembership[];
  sessions: LocalSession[];
  /** Room for the Frontend API stand-in's own records (clients, sign-ins, sign-ups). */
  extra: Record<string, unknown>;
}

const SESSION_LIFETIME_MS = 7 * 24 * 3600 * 1000;

export function newId(prefix: string) {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64')}$${scryptSync(password, salt, 32).toString('base64')}`;
}

function checkPassword(password: string, stored: string): boolean {
  const [, salt, hash] = stored.split('$');
  const expected = Buffer.from(hash, 'base64');
  const actual = scryptSync(password, Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(expected, actual);
}

/**
 * The seeded accounts, also shown on the local sign-in page and by `npm run stack:status`. Their
 * `plan` is public metadata, which the session token carries as a custom claim (session-claims.ts):
 * alice and carol are on Pro (task reports), bob on Free.
 */
export const seedAccounts = [
  { id: 'user_alice', email: 'alice@example.test', firstName: 'Alice', lastName: 'Anders', plan: 'pro' },
  { id: 'user_bob', email: 'bob@example.test', firstName: 'Bob', lastName: 'Brown', plan: 'free' },
  { id: 'user_carol', email: 'carol@example.test', firstName: 'Carol', lastName: 'Chen', plan: 'pro' },
] as const;
export const seedOrgs = [
  {
    id: 'org_acme',
    name: 'Acme',
    slug: 'acme',
    members: [
      ['user_alice', 'admin'],
      ['user_bob', 'member'],
    ],
  },
  { id: 'org_globex', name: 'Globex', slug: 'globex', members: [['user_carol', 'admin']] },
] as const;

/** Each seeded account's organisations, as people read them: "Acme admin". */
export function seedAccountRoles(userId: string): string[] {
  return seedOrgs.flatMap((o) => o.members.filter(([u]) => u === userId).map(([, role]) => `${o.name} ${role}`));
}

function seedState(): State {
  const now = Date.now();
  const passwordHash = hashPassword(LOCAL_PASSWORD);
  return {
    users: seedAccounts.map((a) => ({
      id: a.id,
      emailId: `idn_${a.id.slice(5)}`,
      email: a.email,
      firstName: a.firstName,
      lastName: a.lastName,
      passwordHash,
      createdAt: now,
      updatedAt: now,
      lastSignInAt: null,
      publicMetadata: { plan: a.plan },
    })),
    orgs: seedOrgs.map((o) => ({ id: o.id, name: o.name, slug: o.slug, createdAt: now, updatedAt: now })),
    memberships: seedOrgs.flatMap((o) =>
      o.members.map(([userId, role]) => ({ id: `orgmem_${o.slug}_${userId.slice(5)}`, orgId: o.id, userId, role, createdAt: now })),
    ),
    sessions: [],
    extra: {},
  };
}

export class Store {
  private state: State;
  private readonly file: string;
  private saveTimer: NodeJS.Timeout | null = null;

  constructor(file: string) {
    this.file = file;
    this.state = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as State) : seedState();
    this.state.extra ??= {};
    // A store written before plans existed: give the seeded users theirs.
    for (const a of seedAccounts) {
      const u = this.state.users.find((x) => x.id === a.id);
      if (u) u.publicMetadata ??= { plan: a.plan };
    }
    this.saveNow();
  }

  /** Batches writes; the stack calls flush() on shutdown. */
  save() {
    this.saveTimer ??= setTimeout(() => this.saveNow(), 50);
  }
  saveNow() {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    // Password hashes and live sessions: readable by this user only.
    writePrivateFile(`${this.file}.tmp`, JSON.stringify(this.state, null, 1));
    fs.renameSync(`${this.file}.tmp`, this.file);
  }

  get extra() {
    return this.state.extra;
  }

  user(id: string) {
    return this.state.users.find((u) => u.id === id) ?? null;
  }
  userByEmail(email: string) {
    const e = email.trim().toLowerCase();
    return this.state.users.find((u) => u.email.toLowerCase() === e) ?? null;
  }
  users() {
    return this.state.users;
  }
  verifyPassword(user: LocalUser, password: string) {
    return checkPassword(password, user.passwordHash);
  }
  createUser(input: {
    email: string;
    password: string;
    firstName?: string | null;
    lastName?: string | null;
    id?: string;
    publicMetadata?: Record<string, unknown>;
  }) {
    if (this.userByEmail(input.email)) throw new Error(`A user with ${input.email} exists`);
    const now = Date.now();
    const user: LocalUser = {
      id: input.id ?? newId('user'),
      emailId: newId('idn'),
      email: input.email.trim(),
      firstName: input.firstName ?? null,
      lastName: input.lastName ?? null,
      passwordHash: hashPassword(input.password),
      createdAt: now,
      updatedAt: now,
      lastSignInAt: null,
      publicMetadata: input.publicMetadata ?? {},
    };
    this.state.users.push(user);
    this.save();
    return user;
  }
  updateUser(id: string, patch: Partial<Pick<LocalUser, 'firstName' | 'lastName' | 'lastSignInAt' | 'publicMetadata'>>) {
    const user = this.user(id);
    if (!user) return null;
    Object.assign(user, patch, { updatedAt: Date.now() });
    this.save();
    return user;
  }

  org(id: string) {
    return this.state.orgs.find((o) => o.id === id) ?? null;
  }
  orgs() {
    return this.state.orgs;
  }
  createOrg(input: { name: string; slug: string; creatorId: string }) {
    const now = Date.now();
    const org: LocalOrg = { id: newId('org'), name: input.name, slug: input.slug, createdAt: now, updatedAt: now };
    this.state.orgs.push(org);
    this.state.memberships.push({ id: newId('orgmem'), orgId: org.id, userId: input.creatorId, role: 'admin', createdAt: now });
    this.save();
    return org;
  }
  membershipsOfUser(userId: string) {
    return this.state.memberships.filter((m) => m.userId === userId);
  }
  membershipsOfOrg(orgId: string) {
    return this.state.memberships.filter((m) => m.orgId === orgId);
  }
  membership(userId: string, orgId: string) {
    return this.state.memberships.find((m) => m.userId === userId && m.orgId === orgId) ?? null;
  }

  session(id: string) {
    return this.state.sessions.find((s) => s.id === id) ?? null;
  }
  sessionsOfClient(clientId: string) {
    return this.state.sessions.filter((s) => s.clientId === clientId && s.status === 'active');
  }
  createSession(userId: string, opts: { clientId?: string | null; activeOrgId?: string | null } = {}) {
    const now = Date.now();
    const session: LocalSession = {
      id: newId('sess'),
      userId,
      clientId: opts.clientId ?? null,
      activeOrgId: opts.activeOrgId ?? null,
      status: 'active',
      createdAt: now,
      lastActiveAt: now,
      expireAt: now + SESSION_LIFETIME_MS,
    };
    // Keep the file small: drop sessions that ended or expired more than a day ago.
    this.state.sessions = this.state.sessions.filter((s) => s.status === 'active' && s.expireAt > now - 86_400_000);
    this.state.sessions.push(session);
    this.updateUser(userId, { lastSignInAt: now });
    this.save();
    return session;
  }
  updateSession(id: string, patch: Partial<Pick<LocalSession, 'activeOrgId' | 'status' | 'lastActiveAt'>>) {
    const session = this.session(id);
    if (!session) return null;
    Object.assign(session, patch);
    this.save();
    return session;
  }

  /** The subject a token for this session describes: user, email, active organisation. */
  tokenSubject(session: LocalSession, authorizedParty?: string) {
    const user = this.user(session.userId);
    if (!user) return null;
    const org = session.activeOrgId ? this.org(session.activeOrgId) : null;
    const membership = org ? this.membership(user.id, org.id) : null;
    return {
      userId: user.id,
      sessionId: session.id,
      email: user.email,
      publicMetadata: user.publicMetadata ?? {},
      authorizedParty,
      org: org && membership ? { id: org.id, slug: org.slug, role: membership.role } : undefined,
    };
  }
}
