// A local stand-in for Clerk's Backend API (what CLERK_API_URL points at). It answers the calls
// this app and @clerk/testing make: JWKS, users, organisation memberships, sessions, session and
// template tokens, testing tokens. Every call is counted, so the bench can prove how many Backend
// API calls each integration mode makes. It only answers requests bearing the local secret key.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { LocalKeys } from '../keys.ts';
import { clientWentAway, match, readParams, sendClerkError, sendJson, sentBodyTooLarge, standInServerOptions } from '../http.ts';
import type { LocalOrg, LocalSession, LocalUser, Store } from './store.ts';
import { mintSessionToken, mintTemplateToken, UnknownTemplateError } from './tokens.ts';
import { organizationJson, userJson } from './resources.ts';

/** The Backend API's user: the Frontend API's user resource plus the fields only the server sees. */
function backendUserJson(store: Store, u: LocalUser) {
  const user: Record<string, unknown> = userJson(store, u);
  delete user.organization_memberships; // the Backend API lists them at their own endpoint
  return {
    ...user,
    private_metadata: {},
    banned: false,
    locked: false,
    lockout_expires_in_seconds: null,
    verification_attempts_remaining: 100,
    last_active_at: u.lastSignInAt,
  };
}

/** The Backend API's organisation: the Frontend API's resource plus the server-only metadata. */
function backendOrgJson(store: Store, o: LocalOrg) {
  return { ...organizationJson(store, o), private_metadata: {} };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sessionJson(s: LocalSession) {
  return {
    object: 'session',
    id: s.id,
    client_id: s.clientId ?? 'client_local_backend',
    user_id: s.userId,
    status: s.status,
    last_active_organization_id: s.activeOrgId,
    last_active_at: s.lastActiveAt,
    expire_at: s.expireAt,
    abandon_at: s.expireAt,
    created_at: s.createdAt,
    updated_at: s.lastActiveAt,
  };
}

export interface BackendApi {
  server: http.Server;
  /** Calls per "METHOD /pattern" since start or the last reset. */
  counts: Map<string, number>;
}

export function createBackendApi(keys: LocalKeys, store: Store): BackendApi {
  const counts = new Map<string, number>();
  const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

  const server = http.createServer(standInServerOptions, async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    try {
      // The stack's own introspection, for the bench and the tests (not part of Clerk's API).
      if (path === '/__local/stats') {
        if (method === 'DELETE') counts.clear();
        return sendJson(res, 200, { calls: Object.fromEntries(counts), total: [...counts.values()].reduce((a, b) => a + b, 0) });
      }
      if (path === '/v1/jwks') {
        count('GET /v1/jwks');
        return sendJson(res, 200, { keys: [keys.publicJwk] });
      }
      if (req.headers.authorization !== `Bearer ${keys.clerkSecretKey}`) {
        return sendClerkError(
          res,
          401,
          'authentication_invalid',
          'The local Clerk Backend API only answers the local secret key (CLERK_SECRET_KEY from .local/stack.env).',
        );
      }
      let m: Record<string, string> | null;
      if ((m = match('/v1/users/:id', path)) && method === 'GET') {
        count('GET /v1/users/:id');
        const user = store.user(m.id);
        return user
          ? sendJson(res, 200, backendUserJson(store, user))
          : sendClerkError(res, 404, 'resource_not_found', `User ${m.id} not found`);
      }
      if (path === '/v1/users' && method === 'GET') {
        count('GET /v1/users');
        const ids = url.searchParams.getAll('user_id');
        const emails = url.searchParams.getAll('email_address').map((e) => e.toLowerCase());
        const users = store
          .users()
          .filter((u) => (!ids.length || ids.includes(u.id)) && (!emails.length || emails.includes(u.email.toLowerCase())));
        return sendJson(
          res,
          200,
          users.map((u) => backendUserJson(store, u)),
        );
      }
      if (path === '/v1/users' && method === 'POST') {
        count('POST /v1/users');
        const p = await readParams(req);
        const email = (Array.isArray(p.email_address) ? p.email_address[0] : p.email_address) as string | undefined;
        if (!email || typeof p.password !== 'string')
          return sendClerkError(res, 422, 'form_param_missing', 'email_address and password are required');
        if (store.userByEmail(email)) return sendClerkError(res, 422, 'form_identifier_exists', 'That email address is taken.');
        const user = store.createUser({
          email,
          password: p.password,
          firstName: (p.first_name as string) ?? null,
          lastName: (p.last_name as string) ?? null,
          id: p.user_id as string | undefined,
          publicMetadata: isObject(p.public_metadata) ? p.public_metadata : undefined,
        });
        return sendJson(res, 200, backendUserJson(store, user));
      }
      // clerkClient.users.updateUserMetadata(): merges into the existing metadata; a null value removes a key.
      if ((m = match('/v1/users/:id/metadata', path)) && method === 'PATCH') {
        count('PATCH /v1/users/:id/metadata');
        const user = store.user(m.id);
        if (!user) return sendClerkError(res, 404, 'resource_not_found', `User ${m.id} not found`);
        const p = await readParams(req);
        if (p.public_metadata !== undefined && !isObject(p.public_metadata))
          return sendClerkError(res, 422, 'form_param_format_invalid', 'public_metadata must be an object');
        const merged: Record<string, unknown> = { ...user.publicMetadata, ...(p.public_metadata as Record<string, unknown> | undefined) };
        for (const [k, v] of Object.entries(merged)) if (v === null) delete merged[k];
        return sendJson(res, 200, backendUserJson(store, store.updateUser(user.id, { publicMetadata: merged })!));
      }
      if ((m = match('/v1/users/:id/organization_memberships', path)) && method === 'GET') {
        count('GET /v1/users/:id/organization_memberships');
        const data = store.membershipsOfUser(m.id).map((mem) => {
          const org = store.org(mem.orgId)!;
          return {
            object: 'organization_membership',
            id: mem.id,
            role: `org:${mem.role}`,
            role_name: mem.role === 'admin' ? 'Admin' : 'Member',
            permissions: [],
            public_metadata: {},
            private_metadata: {},
            organization: backendOrgJson(store, org),
            public_user_data: {
              user_id: m!.id,
              identifier: store.user(m!.id)?.email ?? '',
              first_name: null,
              last_name: null,
              image_url: '',
              has_image: false,
            },
            created_at: mem.createdAt,
            updated_at: mem.createdAt,
          };
        });
        return sendJson(res, 200, { data, total_count: data.length });
      }
      if ((m = match('/v1/organizations/:id', path)) && method === 'GET') {
        count('GET /v1/organizations/:id');
        const org = store.org(m.id) ?? store.orgs().find((o) => o.slug === m!.id);
        return org
          ? sendJson(res, 200, backendOrgJson(store, org))
          : sendClerkError(res, 404, 'resource_not_found', 'Organization not found');
      }
      if (path === '/v1/sessions' && method === 'POST') {
        count('POST /v1/sessions');
        const p = await readParams(req);
        const user = typeof p.user_id === 'string' ? store.user(p.user_id) : null;
        if (!user) return sendClerkError(res, 404, 'resource_not_found', `User ${String(p.user_id)} not found`);
        // active_organization_id is a local extension so `npm run local:token -- --org` can pick one.
        const orgId = typeof p.active_organization_id === 'string' ? p.active_organization_id : null;
        if (orgId && !store.membership(user.id, orgId))
          return sendClerkError(res, 422, 'not_a_member', `${user.id} is not a member of ${orgId}`);
        return sendJson(res, 200, sessionJson(store.createSession(user.id, { activeOrgId: orgId })));
      }
      if ((m = match('/v1/sessions/:id', path)) && method === 'GET') {
        count('GET /v1/sessions/:id');
        const s = store.session(m.id);
        return s ? sendJson(res, 200, sessionJson(s)) : sendClerkError(res, 404, 'resource_not_found', 'Session not found');
      }
      if ((m = match('/v1/sessions/:id/revoke', path)) && method === 'POST') {
        count('POST /v1/sessions/:id/revoke');
        const s = store.updateSession(m.id, { status: 'revoked' });
        return s ? sendJson(res, 200, sessionJson(s)) : sendClerkError(res, 404, 'resource_not_found', 'Session not found');
      }
      if ((m = match('/v1/sessions/:id/tokens', path) ?? match('/v1/sessions/:id/tokens/:template', path)) && method === 'POST') {
        count(m.template ? 'POST /v1/sessions/:id/tokens/:template' : 'POST /v1/sessions/:id/tokens');
        const s = store.session(m.id);
        if (!s || s.status !== 'active') return sendClerkError(res, 404, 'resource_not_found', 'Session not found or not active');
        const p = await readParams(req);
        const expiresInSeconds = p.expires_in_seconds ? Number(p.expires_in_seconds) : undefined;
        const subject = store.tokenSubject(s, typeof p.azp === 'string' ? p.azp : undefined);
        if (!subject) return sendClerkError(res, 404, 'resource_not_found', 'User not found');
        const jwt = m.template
          ? await mintTemplateToken(keys, m.template, subject, { expiresInSeconds })
          : await mintSessionToken(keys, subject, { expiresInSeconds });
        return sendJson(res, 200, { object: 'token', jwt });
      }
      if (path === '/v1/testing_tokens' && method === 'POST') {
        count('POST /v1/testing_tokens');
        return sendJson(res, 200, {
          object: 'testing_token',
          token: `local_testing_${randomBytes(8).toString('hex')}`,
          expires_at: Math.floor(Date.now() / 1000) + 3600,
        });
      }
      return sendClerkError(res, 404, 'resource_not_found', `The local Backend API stand-in has no ${method} ${path}`);
    } catch (e) {
      if (e instanceof UnknownTemplateError) return sendClerkError(res, 404, 'resource_not_found', e.message);
      if (sentBodyTooLarge(res, e) || clientWentAway(e)) return;
      return sendClerkError(res, 500, 'internal_error', e instanceof Error ? e.message : String(e));
    }
  });
  return { server, counts };
}
