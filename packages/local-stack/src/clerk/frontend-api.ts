// A local stand-in for Clerk's Frontend API (FAPI): what clerk-js and Clerk's prebuilt components
// (<SignIn/>, <SignUp/>, <UserButton/>, <OrganizationSwitcher/>) talk to in the browser. The app
// reaches it same-origin through `/__clerk` (Clerk's Frontend API proxy, as a route handler or as
// clerkMiddleware's `frontendApiProxy`: it forwards to CLERK_FAPI_URL and adds the `Clerk-Secret-Key`
// header). It also serves the pinned clerk-js and @clerk/ui bundles from node_modules, so nothing is
// loaded from Clerk's CDN.
//
// FAPI is private and versioned: this stand-in was written against the clerk-js/@clerk/ui versions in
// FRONTEND_API_WRITTEN_FOR. tests/unit/clerk-frontend-api.test.ts fails when the installed versions
// differ or when the bundle calls a path that is neither answered here nor listed as not needed, and
// the e2e suite asserts that no call reached an unknown path (GET /__local/unknown).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import type { LocalKeys } from '../keys.ts';
import { installedPath, type StackLayout } from '../paths.ts';
import { PRIVATE_FILE } from '../private-files.ts';
import { clientWentAway, match, readParams, sendClerkError, sendJson, sentBodyTooLarge, standInServerOptions } from '../http.ts';
import { newId, type LocalSession, type Store } from './store.ts';
import { mintSessionToken, mintTemplateToken, SESSION_TOKEN_LIFETIME_S, UnknownTemplateError } from './tokens.ts';
import {
  environmentJson,
  frontendState,
  membershipJson,
  organizationJson,
  sessionJson,
  signInJson,
  signUpJson,
  userJson,
  type LocalClient,
  type LocalSignIn,
  type LocalSignUp,
} from './resources.ts';

import { FRONTEND_API_WRITTEN_FOR, type FapiMethod as Method } from './endpoints.ts';
import { appOriginOf, handshakeTarget } from './app-origin.ts';

interface Ctx {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  url: URL;
  params: Record<string, string>;
  body: Record<string, unknown>;
  /** The app's origin (the page clerk-js runs in, checked by appOriginOf): `azp` and the environment's URLs. */
  appOrigin: string;
}

interface Endpoint {
  method: Method;
  /** As the stand-in sees it, after the app's /__clerk proxy. clerk-js sends PATCH/PUT/DELETE as POST with ?_method=. */
  path: string;
  /** What it does, for people reading the table (and the tests that compare it with the clerk-js bundle). */
  what: string;
  handle: (ctx: Ctx) => Promise<void> | void;
}

class FapiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly meta?: Record<string, unknown>;
  constructor(status: number, code: string, message: string, meta?: Record<string, unknown>) {
    super(message);
    this.status = status;
    this.code = code;
    this.meta = meta;
  }
}

const SESSION_COOKIE_MAX_AGE = 365 * 24 * 3600;

/** The stand-in's server; `endpoints` is its table (method, path, what), for the tests. */
export function createFrontendApi({
  keys,
  store,
  layout,
}: {
  keys: LocalKeys;
  store: Store;
  layout: StackLayout;
}): http.Server & { endpoints: readonly Omit<Endpoint, 'handle'>[] } {
  const state = frontendState(store);
  const unknownCalls = new Map<string, number>();
  const cookieSuffix = createHash('sha1')
    .update(keys.clerkPublishableKey)
    .digest('base64')
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .slice(0, 8);
  const logFile = path.join(layout.logs, 'clerk-frontend.log');
  // Direct calls (no proxy, no browser): the stack's default app.
  const defaultAppOrigin = `http://localhost:${layout.ports.app}`;
  const log = (line: string) => fs.appendFile(logFile, `${new Date().toISOString()} ${line}\n`, { mode: PRIVATE_FILE }, () => {});
  // Clerk's session tokens live 60 s. Tests of a page left open for several lifetimes shorten it
  // (PUT /__local/session-token-lifetime, local secret key only) rather than wait minutes, for every
  // user or, with user_id, for one user (so other tests can run beside them); DELETE puts Clerk's 60 s
  // back (for that user, or for everyone). Template tokens the browser gets follow a shortened lifetime too.
  let sessionTokenLifetime = SESSION_TOKEN_LIFETIME_S;
  const userTokenLifetimes = new Map<string, number>();
  const tokenLifetimeOf = (userId: string) => userTokenLifetimes.get(userId) ?? sessionTokenLifetime;

  // ---- clients (one per dev browser) -------------------------------------------------------
  const devBrowserOf = (ctx: Ctx): string | null => {
    const fromQuery = ctx.url.searchParams.get('__clerk_db_jwt');
    if (fromQuery) return fromQuery;
    const cookies = parseCookies(ctx.req.headers.cookie);
    return cookies[`__clerk_db_jwt_${cookieSuffix}`] ?? cookies.__clerk_db_jwt ?? null;
  };
  const createDevBrowser = () => {
    const dvb = `dvb_${randomBytes(16).toString('hex')}`;
    const now = Date.now();
    const client: LocalClient = {
      id: newId('client'),
      signInId: null,
      signUpId: null,
      lastActiveSessionId: null,
      createdAt: now,
      updatedAt: now,
    };
    state.clients[client.id] = client;
    state.devBrowsers[dvb] = client.id;
    store.save();
    return { dvb, client };
  };
  const clientOf = (ctx: Ctx): LocalClient => {
    const dvb = devBrowserOf(ctx);
    if (!dvb)
      throw new FapiError(
        401,
        'dev_browser_unauthenticated',
        'No dev browser: clerk-js sends __clerk_db_jwt with every request to a development instance.',
      );
    const clientId = state.devBrowsers[dvb];
    if (clientId && state.clients[clientId]) return state.clients[clientId];
    // An unknown dev browser (e.g. after `npm run db:reset`): start a fresh, signed-out client for it.
    const now = Date.now();
    const client: LocalClient = {
      id: newId('client'),
      signInId: null,
      signUpId: null,
      lastActiveSessionId: null,
      createdAt: now,
      updatedAt: now,
    };
    state.clients[client.id] = client;
    state.devBrowsers[dvb] = client.id;
    store.save();
    return client;
  };
  const liveSessions = (client: LocalClient) => store.sessionsOfClient(client.id).filter((s) => s.expireAt > Date.now());
  const sessionOfClient = (client: LocalClient, id: string): LocalSession => {
    const s = store.session(id);
    if (!s || s.clientId !== client.id) throw new FapiError(404, 'resource_not_found', `No session ${id} on this client.`);
    return s;
  };
  const activeSessionOf = (ctx: Ctx, client: LocalClient): LocalSession => {
    const wanted = ctx.url.searchParams.get('_clerk_session_id') ?? client.lastActiveSessionId;
    const s = liveSessions(client).find((x) => x.id === wanted) ?? liveSessions(client)[0];
    if (!s) throw new FapiError(401, 'signed_out', 'You are signed out.');
    return s;
  };
  const endSessions = (client: LocalClient, sessions: LocalSession[], status: 'ended' | 'removed') => {
    for (const s of sessions) store.updateSession(s.id, { status });
    if (sessions.some((s) => s.id === client.lastActiveSessionId)) client.lastActiveSessionId = liveSessions(client)[0]?.id ?? null;
    client.updatedAt = Date.now();
    store.save();
  };
  const startSession = (client: LocalClient, userId: string) => {
    // single_session_mode: signing in replaces whatever this browser had.
    endSessions(client, liveSessions(client), 'removed');
    const session = store.createSession(userId, { clientId: client.id });
    client.lastActiveSessionId = session.id;
    client.signInId = null;
    client.signUpId = null;
    client.updatedAt = Date.now();
    store.save();
    return session;
  };

  // ---- tokens --------------------------------------------------------------------------------
  const sessionToken = (ctx: Ctx, s: LocalSession, orgOverride?: string | null) => {
    const subject = store.tokenSubject(orgOverride === undefined ? s : { ...s, activeOrgId: orgOverride || null }, ctx.appOrigin);
    if (!subject) throw new FapiError(404, 'resource_not_found', `The user of session ${s.id} no longer exists.`);
    return mintSessionToken(keys, subject, { expiresInSeconds: tokenLifetimeOf(s.userId) });
  };
  const clientJson = async (ctx: Ctx, client: LocalClient) => {
    const sessions = liveSessions(client);
    const signIn = client.signInId ? state.signIns[client.signInId] : null;
    const signUp = client.signUpId ? state.signUps[client.signUpId] : null;
    return {
      object: 'client',
      id: client.id,
      sessions: await Promise.all(sessions.map(async (s) => sessionJson(store, s, await sessionToken(ctx, s)))),
      sign_in: signIn ? signInJson(signIn, store) : null,
      sign_up: signUp ? signUpJson(signUp) : null,
      last_active_session_id: sessions.some((s) => s.id === client.lastActiveSessionId) ? client.lastActiveSessionId : null,
      captcha_bypass: false,
      cookie_expires_at: null,
      last_authentication_strategy: null,
      created_at: client.createdAt,
      updated_at: client.updatedAt,
    };
  };
  /** Clerk's envelope for everything under /v1/client and /v1/me: the resource plus the client. */
  const respond = async (ctx: Ctx, client: LocalClient, response: unknown, status = 200) =>
    sendJson(ctx.res, status, { response, client: await clientJson(ctx, client) });
  const paginated = <T>(ctx: Ctx, all: T[]) => {
    const limit = Math.min(Number(ctx.url.searchParams.get('limit') ?? 10) || 10, 500);
    const offset = Number(ctx.url.searchParams.get('offset') ?? 0) || 0;
    return { data: all.slice(offset, offset + limit), total_count: all.length };
  };

  // ---- sign-in / sign-up ------------------------------------------------------------------------
  const signInStep = async (ctx: Ctx, client: LocalClient, si: LocalSignIn) => {
    const b = ctx.body;
    if (typeof b.strategy === 'string' && b.strategy !== 'password') {
      throw new FapiError(
        422,
        'strategy_for_user_invalid',
        `The local Clerk instance only supports password sign-in (got "${b.strategy}").`,
        { param_name: 'strategy' },
      );
    }
    if (typeof b.identifier === 'string' && b.identifier.trim()) {
      const user = store.userByEmail(b.identifier);
      if (!user) throw new FapiError(422, 'form_identifier_not_found', "Couldn't find your account.", { param_name: 'identifier' });
      si.identifier = user.email;
      si.userId = user.id;
      si.status = 'needs_first_factor';
    }
    if (typeof b.password === 'string') {
      const user = si.userId ? store.user(si.userId) : null;
      if (!user) throw new FapiError(422, 'form_param_missing', 'Enter your email address first.', { param_name: 'identifier' });
      si.attempts += 1;
      if (!store.verifyPassword(user, b.password)) {
        store.save();
        throw new FapiError(422, 'form_password_incorrect', 'Password is incorrect. Try again, or use another method.', {
          param_name: 'password',
        });
      }
      si.status = 'complete';
      si.createdSessionId = startSession(client, user.id).id;
    }
    client.signInId = si.status === 'complete' ? null : si.id;
    store.save();
    return respond(ctx, client, signInJson(si, store));
  };

  const signUpStep = async (ctx: Ctx, client: LocalClient, su: LocalSignUp) => {
    const b = ctx.body;
    if (typeof b.strategy === 'string' && b.strategy !== 'password') {
      throw new FapiError(
        422,
        'strategy_for_user_invalid',
        `The local Clerk instance only supports sign-up with email and password (got "${b.strategy}").`,
        { param_name: 'strategy' },
      );
    }
    if (typeof b.email_address === 'string') {
      const email = b.email_address.trim();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
        throw new FapiError(422, 'form_param_format_invalid', 'Email address must be a valid email address.', {
          param_name: 'email_address',
        });
      if (store.userByEmail(email))
        throw new FapiError(422, 'form_identifier_exists', 'That email address is taken. Please try another.', {
          param_name: 'email_address',
        });
      su.emailAddress = email;
    }
    if (typeof b.password === 'string') {
      if (b.password.length < 8)
        throw new FapiError(422, 'form_password_length_too_short', 'Passwords must be 8 characters or more.', { param_name: 'password' });
      if (b.password.length > 72)
        throw new FapiError(422, 'form_password_length_too_long', 'Passwords must be 72 characters or fewer.', { param_name: 'password' });
      su.password = b.password;
    }
    if (typeof b.first_name === 'string') su.firstName = b.first_name.trim() || null;
    if (typeof b.last_name === 'string') su.lastName = b.last_name.trim() || null;
    if (su.emailAddress && su.password && su.status !== 'complete') {
      const user = store.createUser({ email: su.emailAddress, password: su.password, firstName: su.firstName, lastName: su.lastName });
      su.password = null;
      su.status = 'complete';
      su.createdUserId = user.id;
      su.createdSessionId = startSession(client, user.id).id;
      log(`sign-up ${user.id} ${user.email}`);
    }
    client.signUpId = su.status === 'complete' ? null : su.id;
    store.save();
    return respond(ctx, client, signUpJson(su));
  };

  // ---- handshake ---------------------------------------------------------------------------------
  // clerkMiddleware redirects a page request here when it cannot tell the auth state from the cookies
  // (no dev browser yet, expired session token, ...). We answer like Clerk's FAPI for a development
  // instance: back to redirect_url with `__clerk_handshake`, a JWT signed by the instance key whose
  // `handshake` claim lists the Set-Cookie directives the middleware must apply.
  let signingKey: CryptoKey | null = null;
  const handshake = async (ctx: Ctx) => {
    // The redirect carries the session cookies: only ever back to the app the request came through.
    const target = handshakeTarget(ctx.url.searchParams.get('redirect_url'), ctx.appOrigin);
    if (!target)
      throw new FapiError(400, 'form_param_format_invalid', `redirect_url must be an absolute URL of the app (${ctx.appOrigin}).`, {
        param_name: 'redirect_url',
      });
    let dvb = devBrowserOf(ctx);
    if (!dvb || !state.devBrowsers[dvb]) dvb = createDevBrowser().dvb;
    const client = clientOf({ ...ctx, url: new URL(`http://local/?__clerk_db_jwt=${dvb}`) });
    const suffixed = ctx.url.searchParams.get('suffixed_cookies') === 'true';
    const cookie = (name: string, value: string, attrs: string) => [
      `${name}=${value}; Path=/; SameSite=Lax${attrs}`,
      ...(suffixed ? [`${name}_${cookieSuffix}=${value}; Path=/; SameSite=Lax${attrs}`] : []),
    ];
    const directives = [...cookie('__clerk_db_jwt', dvb, `; Max-Age=${SESSION_COOKIE_MAX_AGE}`)];
    const orgParam = ctx.url.searchParams.get('organization_id');
    const session = liveSessions(client).find((s) => s.id === client.lastActiveSessionId) ?? liveSessions(client)[0];
    if (session) {
      if (orgParam !== null && (orgParam === '' || store.membership(session.userId, orgParam)))
        store.updateSession(session.id, { activeOrgId: orgParam || null });
      const token = await sessionToken(ctx, session);
      directives.push(
        ...cookie('__session', token, ''),
        ...cookie('__client_uat', String(Math.floor(client.updatedAt / 1000)), `; Max-Age=${SESSION_COOKIE_MAX_AGE}`),
      );
    } else {
      directives.push(...cookie('__session', '', '; Max-Age=0'), ...cookie('__client_uat', '0', `; Max-Age=${SESSION_COOKIE_MAX_AGE}`));
    }
    signingKey ??= await importPKCS8(keys.privateKeyPem, 'RS256');
    const now = Math.floor(Date.now() / 1000);
    const jwt = await new SignJWT({ handshake: directives })
      .setProtectedHeader({ alg: 'RS256', kid: keys.kid, typ: 'JWT' })
      .setIssuedAt(now)
      .setNotBefore(now - 10)
      .setExpirationTime(now + 60)
      .sign(signingKey);
    target.searchParams.set('__clerk_handshake', jwt);
    target.searchParams.set('__clerk_db_jwt', dvb);
    ctx.res.writeHead(307, { Location: target.toString(), 'Cache-Control': 'no-store' });
    ctx.res.end();
  };

  // ---- bundles ------------------------------------------------------------------------------------
  const serveBundle = (ctx: Ctx) => {
    const pkg = ctx.params.pkg === 'clerk-js' ? '@clerk/clerk-js' : '@clerk/ui';
    const dist = path.join(installedPath(pkg), 'dist');
    const installed = (JSON.parse(fs.readFileSync(path.join(installedPath(pkg), 'package.json'), 'utf8')) as { version: string }).version;
    if (ctx.params.version !== installed && ctx.params.version !== installed.split('.')[0]) {
      throw new FapiError(
        404,
        'resource_not_found',
        `${pkg}@${ctx.params.version} is not installed here (node_modules has ${installed}); NEXT_PUBLIC_CLERK_JS_URL / NEXT_PUBLIC_CLERK_UI_URL come from the stack env.`,
      );
    }
    const file = path.resolve(dist, ctx.params.file);
    if (!file.startsWith(dist + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      throw new FapiError(404, 'resource_not_found', `${pkg}@${installed} has no dist/${ctx.params.file}`);
    }
    const body = fs.readFileSync(file);
    ctx.res.writeHead(200, {
      'Content-Type':
        file.endsWith('.js') || file.endsWith('.mjs')
          ? 'application/javascript; charset=utf-8'
          : file.endsWith('.css')
            ? 'text/css'
            : 'application/octet-stream',
      'Content-Length': body.length,
      'Cache-Control': 'public, max-age=31536000, immutable',
    });
    ctx.res.end(body);
  };

  // ---- the endpoint table -----------------------------------------------------------------------
  const mine = (ctx: Ctx) => {
    const client = clientOf(ctx);
    const session = activeSessionOf(ctx, client);
    return { client, session, user: store.user(session.userId)! };
  };
  const orgOfMember = (ctx: Ctx, userId: string) => {
    const org = store.org(ctx.params.org);
    if (!org || !store.membership(userId, org.id))
      throw new FapiError(404, 'resource_not_found', `Organization ${ctx.params.org} not found.`);
    return org;
  };

  const endpoints: Endpoint[] = [
    {
      method: 'GET',
      path: '/npm/@clerk/:pkg@:version/dist/:file',
      what: 'pinned clerk-js / @clerk/ui bundles from node_modules',
      handle: serveBundle,
    },
    {
      method: 'POST',
      path: '/v1/dev_browser',
      what: 'a new dev browser (development instances identify the browser by __clerk_db_jwt)',
      handle: (ctx) => sendJson(ctx.res, 200, { object: 'dev_browser', id: createDevBrowser().dvb }),
    },
    {
      method: 'GET',
      path: '/v1/environment',
      what: 'instance settings',
      handle: (ctx) => sendJson(ctx.res, 200, environmentJson(ctx.appOrigin)),
    },
    {
      method: 'PATCH',
      path: '/v1/environment',
      what: 'instance settings (dev "touch")',
      handle: (ctx) => sendJson(ctx.res, 200, environmentJson(ctx.appOrigin)),
    },
    {
      method: 'GET',
      path: '/v1/client/handshake',
      what: 'handshake: cookies for the middleware, signed by the instance key',
      handle: handshake,
    },
    {
      method: 'GET',
      path: '/v1/client',
      what: "the browser's client: sessions, sign-in, sign-up",
      handle: async (ctx) => {
        const c = clientOf(ctx);
        const json = await clientJson(ctx, c);
        sendJson(ctx.res, 200, { response: json, client: json });
      },
    },
    {
      method: 'PUT',
      path: '/v1/client',
      what: 'create the client',
      handle: async (ctx) => {
        const c = clientOf(ctx);
        return respond(ctx, c, await clientJson(ctx, c));
      },
    },
    {
      method: 'POST',
      path: '/v1/client/touch',
      what: 'touch the client',
      handle: async (ctx) => {
        const c = clientOf(ctx);
        return respond(ctx, c, await clientJson(ctx, c));
      },
    },
    {
      method: 'DELETE',
      path: '/v1/client',
      what: 'sign out everywhere in this browser',
      handle: async (ctx) => {
        const c = clientOf(ctx);
        endSessions(c, liveSessions(c), 'removed');
        c.signInId = c.signUpId = null;
        return respond(ctx, c, await clientJson(ctx, c));
      },
    },
    {
      method: 'POST',
      path: '/v1/client/sign_ins',
      what: 'password sign-in: identifier, then password (or both at once)',
      handle: (ctx) => {
        const c = clientOf(ctx);
        const si: LocalSignIn = {
          id: newId('sia'),
          clientId: c.id,
          status: 'needs_identifier',
          identifier: null,
          userId: null,
          createdSessionId: null,
          attempts: 0,
          createdAt: Date.now(),
        };
        state.signIns[si.id] = si;
        c.signInId = si.id;
        return signInStep(ctx, c, si);
      },
    },
    {
      method: 'GET',
      path: '/v1/client/sign_ins/:id',
      what: 'a sign-in attempt',
      handle: (ctx) => {
        const c = clientOf(ctx);
        return respond(ctx, c, signInJson(signInOf(c, ctx.params.id), store));
      },
    },
    {
      method: 'POST',
      path: '/v1/client/sign_ins/:id/prepare_first_factor',
      what: 'prepare the password factor (nothing to send)',
      handle: (ctx) => {
        const c = clientOf(ctx);
        return respond(ctx, c, signInJson(signInOf(c, ctx.params.id), store));
      },
    },
    {
      method: 'POST',
      path: '/v1/client/sign_ins/:id/attempt_first_factor',
      what: 'check the password (wrong: 422 form_password_incorrect)',
      handle: (ctx) => {
        const c = clientOf(ctx);
        return signInStep(ctx, c, signInOf(c, ctx.params.id));
      },
    },
    {
      method: 'POST',
      path: '/v1/client/sign_ups',
      what: 'sign-up with email + password (no verification offline)',
      handle: (ctx) => {
        const c = clientOf(ctx);
        const su: LocalSignUp = {
          id: newId('sua'),
          clientId: c.id,
          status: 'missing_requirements',
          emailAddress: null,
          firstName: null,
          lastName: null,
          password: null,
          createdUserId: null,
          createdSessionId: null,
          createdAt: Date.now(),
        };
        state.signUps[su.id] = su;
        c.signUpId = su.id;
        return signUpStep(ctx, c, su);
      },
    },
    {
      method: 'GET',
      path: '/v1/client/sign_ups/:id',
      what: 'a sign-up attempt',
      handle: (ctx) => {
        const c = clientOf(ctx);
        return respond(ctx, c, signUpJson(signUpOf(c, ctx.params.id)));
      },
    },
    {
      method: 'PATCH',
      path: '/v1/client/sign_ups/:id',
      what: 'add fields to a sign-up',
      handle: (ctx) => {
        const c = clientOf(ctx);
        return signUpStep(ctx, c, signUpOf(c, ctx.params.id));
      },
    },
    {
      method: 'GET',
      path: '/v1/client/sessions/:id',
      what: 'a session',
      handle: async (ctx) => {
        const c = clientOf(ctx);
        const s = sessionOfClient(c, ctx.params.id);
        return respond(ctx, c, sessionJson(store, s, await sessionToken(ctx, s)));
      },
    },
    {
      method: 'POST',
      path: '/v1/client/sessions/:id/touch',
      what: 'mark the session active; switch the active organisation (active_organization_id, "" = personal)',
      handle: async (ctx) => {
        const c = clientOf(ctx);
        const s = sessionOfClient(c, ctx.params.id);
        if (s.status !== 'active') throw new FapiError(401, 'signed_out', 'This session has ended.');
        const org = ctx.body.active_organization_id;
        if (typeof org === 'string') {
          if (org && !store.membership(s.userId, org))
            throw new FapiError(404, 'organization_not_found_or_unauthorized', `You are not a member of ${org}.`, {
              param_name: 'active_organization_id',
            });
          store.updateSession(s.id, { activeOrgId: org || null });
        }
        store.updateSession(s.id, { lastActiveAt: Date.now() });
        c.lastActiveSessionId = s.id;
        return respond(ctx, c, sessionJson(store, s, await sessionToken(ctx, s)));
      },
    },
    {
      method: 'POST',
      path: '/v1/client/sessions/:id/tokens',
      what: 'a fresh session token (RS256, role "authenticated", o.id/o.rol/o.slg)',
      handle: async (ctx) => {
        const c = clientOf(ctx);
        const s = sessionOfClient(c, ctx.params.id);
        if (s.status !== 'active' || s.expireAt <= Date.now()) throw new FapiError(401, 'signed_out', 'This session has ended.');
        const org = ctx.body.organization_id;
        if (typeof org === 'string' && org && !store.membership(s.userId, org))
          throw new FapiError(404, 'organization_not_found_or_unauthorized', `You are not a member of ${org}.`);
        sendJson(ctx.res, 200, { object: 'token', jwt: await sessionToken(ctx, s, typeof org === 'string' ? org : undefined) });
      },
    },
    {
      method: 'POST',
      path: '/v1/client/sessions/:id/tokens/:template',
      what: 'a JWT-template token (HS256, claims from local/clerk/templates.ts)',
      handle: async (ctx) => {
        const c = clientOf(ctx);
        const s = sessionOfClient(c, ctx.params.id);
        if (s.status !== 'active' || s.expireAt <= Date.now()) throw new FapiError(401, 'signed_out', 'This session has ended.');
        const subject = store.tokenSubject(s, ctx.appOrigin);
        if (!subject) throw new FapiError(404, 'resource_not_found', 'User not found');
        // A shortened lifetime (below) shortens the browser's template tokens too, so that template mode's
        // browser queries meet expired tokens in the same tests.
        const lifetime = tokenLifetimeOf(s.userId);
        const expiresInSeconds = lifetime < SESSION_TOKEN_LIFETIME_S ? lifetime : undefined;
        sendJson(ctx.res, 200, { object: 'token', jwt: await mintTemplateToken(keys, ctx.params.template, subject, { expiresInSeconds }) });
      },
    },
    {
      method: 'POST',
      path: '/v1/client/sessions/:id/end',
      what: 'sign out of one session',
      handle: async (ctx) => {
        const c = clientOf(ctx);
        const s = sessionOfClient(c, ctx.params.id);
        endSessions(c, [s], 'ended');
        return respond(ctx, c, sessionJson(store, s, null));
      },
    },
    {
      method: 'POST',
      path: '/v1/client/sessions/:id/remove',
      what: 'sign out of one session and forget it',
      handle: async (ctx) => {
        const c = clientOf(ctx);
        const s = sessionOfClient(c, ctx.params.id);
        endSessions(c, [s], 'removed');
        return respond(ctx, c, sessionJson(store, s, null));
      },
    },
    {
      method: 'DELETE',
      path: '/v1/client/sessions',
      what: 'sign out (all sessions of this browser)',
      handle: async (ctx) => {
        const c = clientOf(ctx);
        endSessions(c, liveSessions(c), 'removed');
        return respond(ctx, c, await clientJson(ctx, c));
      },
    },
    {
      method: 'GET',
      path: '/v1/me',
      what: 'the signed-in user',
      handle: (ctx) => {
        const m = mine(ctx);
        return respond(ctx, m.client, userJson(store, m.user));
      },
    },
    {
      method: 'GET',
      path: '/v1/me/organization_memberships',
      what: "the user's organisations (OrganizationSwitcher)",
      handle: (ctx) => {
        const m = mine(ctx);
        return respond(
          ctx,
          m.client,
          paginated(
            ctx,
            store.membershipsOfUser(m.user.id).map((x) => membershipJson(store, x)),
          ),
        );
      },
    },
    {
      method: 'GET',
      path: '/v1/me/organization_invitations',
      what: 'pending invitations (none offline)',
      handle: (ctx) => {
        const m = mine(ctx);
        return respond(ctx, m.client, paginated(ctx, []));
      },
    },
    {
      method: 'GET',
      path: '/v1/me/organization_suggestions',
      what: 'organisation suggestions (none offline)',
      handle: (ctx) => {
        const m = mine(ctx);
        return respond(ctx, m.client, paginated(ctx, []));
      },
    },
    {
      method: 'GET',
      path: '/v1/me/sessions/active',
      what: "the user's active sessions (UserProfile > Security)",
      handle: (ctx) => {
        const m = mine(ctx);
        const sessions = Object.values(state.clients)
          .flatMap((c) => liveSessions(c))
          .filter((s) => s.userId === m.user.id);
        return respond(
          ctx,
          m.client,
          sessions.map((s) => ({
            object: 'session',
            id: s.id,
            status: s.status,
            expire_at: s.expireAt,
            abandon_at: s.expireAt,
            last_active_at: s.lastActiveAt,
            latest_activity: {
              object: 'session_activity',
              id: `sess_act_${s.id}`,
              is_mobile: false,
              browser_name: 'Local browser',
              device_type: 'Desktop',
              ip_address: '127.0.0.1',
              city: null,
              country: null,
            },
          })),
        );
      },
    },
    {
      method: 'GET',
      path: '/v1/organizations/:org',
      what: 'an organisation the user belongs to',
      handle: (ctx) => {
        const m = mine(ctx);
        return respond(ctx, m.client, organizationJson(store, orgOfMember(ctx, m.user.id)));
      },
    },
    {
      method: 'GET',
      path: '/v1/organizations/:org/memberships',
      what: 'members of an organisation (OrganizationProfile)',
      handle: (ctx) => {
        const m = mine(ctx);
        const org = orgOfMember(ctx, m.user.id);
        return respond(
          ctx,
          m.client,
          paginated(
            ctx,
            store.membershipsOfOrg(org.id).map((x) => membershipJson(store, x)),
          ),
        );
      },
    },
    {
      method: 'GET',
      path: '/v1/organizations/:org/roles',
      what: 'the organisation roles (admin, member)',
      handle: (ctx) => {
        const m = mine(ctx);
        orgOfMember(ctx, m.user.id);
        const role = (key: 'admin' | 'member') => ({
          object: 'role',
          id: `role_${key}`,
          key: `org:${key}`,
          name: key === 'admin' ? 'Admin' : 'Member',
          description: '',
          permissions: [],
          is_creator_eligible: key === 'admin',
          created_at: 0,
          updated_at: 0,
        });
        return respond(ctx, m.client, { ...paginated(ctx, [role('admin'), role('member')]), has_role_set_migration: false });
      },
    },
  ];
  const signInOf = (c: LocalClient, id: string) => {
    const si = state.signIns[id];
    if (!si || si.clientId !== c.id) throw new FapiError(404, 'resource_not_found', `No sign-in ${id} on this client.`);
    return si;
  };
  const signUpOf = (c: LocalClient, id: string) => {
    const su = state.signUps[id];
    if (!su || su.clientId !== c.id) throw new FapiError(404, 'resource_not_found', `No sign-up ${id} on this client.`);
    return su;
  };

  const server = http.createServer(standInServerOptions, async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const override = url.searchParams.get('_method')?.toUpperCase();
    const method = (req.method === 'POST' && override ? override : (req.method ?? 'GET')) as Method;
    try {
      // Public on Clerk's Frontend API as well: the keys any backend (here the Edge Function) verifies
      // session tokens with. It holds only the public key.
      if (url.pathname === '/.well-known/jwks.json' && method === 'GET') return sendJson(res, 200, { keys: [keys.publicJwk] });
      // Guard rail: only the app's proxy holding the local secret key gets answers.
      const secret = req.headers['clerk-secret-key'];
      if (secret !== keys.clerkSecretKey) {
        return sendClerkError(
          res,
          401,
          secret ? 'authentication_invalid' : 'local_proxy_required',
          secret
            ? 'This is the local Clerk Frontend API stand-in: it only answers the local instance. CLERK_SECRET_KEY is not the local key (use the keys from .local/stack.env, or point the app at your real Clerk instance).'
            : "This is the local Clerk Frontend API stand-in: reach it through the app's /__clerk proxy (Clerk's Frontend API proxy), which sends the local Clerk-Secret-Key.",
        );
      }
      if (url.pathname === '/__local/session-token-lifetime') {
        const params: Record<string, unknown> = method === 'GET' ? Object.fromEntries(url.searchParams) : await readParams(req);
        const userId = typeof params.user_id === 'string' && params.user_id ? params.user_id : null;
        if (userId && !store.user(userId)) throw new FapiError(404, 'resource_not_found', `No user ${userId}.`, { param_name: 'user_id' });
        const whose = userId ? `of ${userId}` : 'of every user';
        if (method === 'PUT') {
          const seconds = Number(params.seconds);
          if (!Number.isInteger(seconds) || seconds < 5 || seconds > 3600)
            throw new FapiError(400, 'form_param_format_invalid', 'seconds: a whole number from 5 to 3600.', { param_name: 'seconds' });
          if (userId) userTokenLifetimes.set(userId, seconds);
          else sessionTokenLifetime = seconds;
          log(`session token lifetime ${whose} ${seconds}s`);
        } else if (method === 'DELETE') {
          if (userId) userTokenLifetimes.delete(userId);
          else {
            sessionTokenLifetime = SESSION_TOKEN_LIFETIME_S;
            userTokenLifetimes.clear();
          }
          log(`session token lifetime ${whose} reset to ${SESSION_TOKEN_LIFETIME_S}s`);
        }
        return sendJson(res, 200, { seconds: userId ? tokenLifetimeOf(userId) : sessionTokenLifetime });
      }
      if (url.pathname === '/__local/unknown') {
        if (method === 'DELETE') unknownCalls.clear();
        return sendJson(res, 200, { unknown: Object.fromEntries(unknownCalls) });
      }
      for (const e of endpoints) {
        if (e.method !== method) continue;
        const params = matchEndpoint(e.path, url.pathname);
        if (!params) continue;
        const app = appOriginOf(req, defaultAppOrigin);
        if ('refused' in app) throw new FapiError(403, 'origin_invalid', app.refused);
        const body = method === 'GET' ? {} : await readParams(req);
        const ctx: Ctx = { req, res, url, params, body, appOrigin: app.origin };
        return await e.handle(ctx);
      }
      const key = `${method} ${url.pathname}`;
      unknownCalls.set(key, (unknownCalls.get(key) ?? 0) + 1);
      log(`UNKNOWN ${key}`);
      return sendClerkError(
        res,
        404,
        'resource_not_found',
        `The local Clerk Frontend API stand-in (written for clerk-js ${FRONTEND_API_WRITTEN_FOR.clerkJs}) has no ${key}. See the endpoint table in local/clerk/frontend-api.ts.`,
      );
    } catch (e) {
      if (e instanceof FapiError) return sendClerkError(res, e.status, e.code, e.message, e.meta);
      if (e instanceof UnknownTemplateError) return sendClerkError(res, 404, 'resource_not_found', e.message);
      if (sentBodyTooLarge(res, e) || clientWentAway(e)) return;
      log(`ERROR ${method} ${url.pathname}: ${e instanceof Error ? e.stack : String(e)}`);
      return sendClerkError(
        res,
        500,
        'internal_error',
        `The local Frontend API failed on ${method} ${url.pathname}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  });
  return Object.assign(server, { endpoints: endpoints.map(({ method, path, what }) => ({ method, path, what })) });
}

/** `match` plus `@`-separated parts (`/npm/@clerk/:pkg@:version/...`) and a trailing file path. */
function matchEndpoint(pattern: string, pathname: string): Record<string, string> | null {
  if (!pattern.includes('@:')) return match(pattern, pathname);
  const m = /^\/npm\/@clerk\/([a-z-]+)@([0-9A-Za-z.-]+)\/dist\/(.+)$/.exec(pathname);
  if (!m || (m[1] !== 'clerk-js' && m[1] !== 'ui')) return null;
  return { pkg: m[1], version: m[2], file: decodeURIComponent(m[3]) };
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}
