// The local Frontend API stand-in in one table: every endpoint it answers, the clerk-js / @clerk/ui
// versions it was written for, and every Frontend API path found in that clerk-js bundle with what the
// stand-in does about it. tests/unit/clerk-frontend-api.test.ts re-reads the installed bundle and
// fails when the versions or the set of paths change, so an upgrade cannot silently break sign-in.

/** Bump only after re-running `npm run test:e2e` against the new bundles and reviewing the path list. */
export const FRONTEND_API_WRITTEN_FOR = { clerkJs: '6.40.0', clerkUi: '1.36.0' } as const;

export type FapiMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * What the stand-in answers (paths as the stand-in sees them, after the app's `/__clerk` proxy).
 * clerk-js sends PATCH/PUT/DELETE as POST with `?_method=`; the stand-in honours that.
 */
export const frontendApiEndpoints: readonly { method: FapiMethod; path: string; what: string }[] = [
  { method: 'GET', path: '/npm/@clerk/:pkg@:version/dist/:file', what: 'pinned clerk-js / @clerk/ui bundles from node_modules' },
  { method: 'POST', path: '/v1/dev_browser', what: 'a new dev browser (development instances identify the browser by __clerk_db_jwt)' },
  { method: 'GET', path: '/v1/environment', what: 'instance settings' },
  { method: 'PATCH', path: '/v1/environment', what: 'instance settings (dev "touch")' },
  { method: 'GET', path: '/v1/client/handshake', what: 'handshake: cookies for the middleware, signed by the instance key' },
  { method: 'GET', path: '/v1/client', what: "the browser's client: sessions, sign-in, sign-up" },
  { method: 'PUT', path: '/v1/client', what: 'create the client' },
  { method: 'POST', path: '/v1/client/touch', what: 'touch the client' },
  { method: 'DELETE', path: '/v1/client', what: 'sign out everywhere in this browser' },
  { method: 'POST', path: '/v1/client/sign_ins', what: 'password sign-in: identifier, then password (or both at once)' },
  { method: 'GET', path: '/v1/client/sign_ins/:id', what: 'a sign-in attempt' },
  { method: 'POST', path: '/v1/client/sign_ins/:id/prepare_first_factor', what: 'prepare the password factor (nothing to send)' },
  { method: 'POST', path: '/v1/client/sign_ins/:id/attempt_first_factor', what: 'check the password (wrong: 422 form_password_incorrect)' },
  { method: 'POST', path: '/v1/client/sign_ups', what: 'sign-up with email + password (no verification offline)' },
  { method: 'GET', path: '/v1/client/sign_ups/:id', what: 'a sign-up attempt' },
  { method: 'PATCH', path: '/v1/client/sign_ups/:id', what: 'add fields to a sign-up' },
  { method: 'GET', path: '/v1/client/sessions/:id', what: 'a session' },
  { method: 'POST', path: '/v1/client/sessions/:id/touch', what: 'mark the session active; switch the active organisation (active_organization_id, "" = personal)' },
  { method: 'POST', path: '/v1/client/sessions/:id/tokens', what: 'a fresh session token (RS256, role "authenticated", o.id/o.rol/o.slg)' },
  { method: 'POST', path: '/v1/client/sessions/:id/tokens/:template', what: 'a JWT-template token (HS256, claims from local/clerk/templates.ts)' },
  { method: 'POST', path: '/v1/client/sessions/:id/end', what: 'sign out of one session' },
  { method: 'POST', path: '/v1/client/sessions/:id/remove', what: 'sign out of one session and forget it' },
  { method: 'DELETE', path: '/v1/client/sessions', what: 'sign out (all sessions of this browser)' },
  { method: 'GET', path: '/v1/me', what: 'the signed-in user' },
  { method: 'GET', path: '/v1/me/organization_memberships', what: "the user's organisations (OrganizationSwitcher)" },
  { method: 'GET', path: '/v1/me/organization_invitations', what: 'pending invitations (none offline)' },
  { method: 'GET', path: '/v1/me/organization_suggestions', what: 'organisation suggestions (none offline)' },
  { method: 'GET', path: '/v1/me/sessions/active', what: "the user's active sessions (UserProfile > Security)" },
  { method: 'GET', path: '/v1/organizations/:org', what: 'an organisation the user belongs to' },
  { method: 'GET', path: '/v1/organizations/:org/memberships', what: 'members of an organisation (OrganizationProfile)' },
  { method: 'GET', path: '/v1/organizations/:org/roles', what: 'the organisation roles (admin, member)' },
];

const answered = 'answered';
const offlineOnly = 'not offered by the local instance (email/phone/OAuth/SSO/passkeys/2FA/billing need Clerk\'s servers)';
const noSelfServe = 'organisation management is done with seeds / the Backend API, not from the browser';

/**
 * Every Frontend API path fingerprint in the clerk-js 6.40.0 browser bundle (see clerkJsFapiPaths):
 * `answered` or why the stand-in leaves it out. A call to a path left out is answered with a Clerk
 * 404 and recorded (GET /__local/unknown), and the e2e suite fails on it.
 */
export const clerkJsPathsReviewed: Record<string, string> = {
  '/': 'resource base path (environment/client reloads), answered through the concrete paths',
  '/api_keys': offlineOnly,
  '/client': answered,
  '/client/sessions': answered,
  '/client/sessions/:param/verify': 'reverification is off (auth_config.reverification=false)',
  '/client/sessions/:param/verify/attempt_first_factor': 'reverification is off',
  '/client/sessions/:param/verify/attempt_second_factor': 'reverification is off',
  '/client/sessions/:param/verify/prepare_first_factor': 'reverification is off',
  '/client/sessions/:param/verify/prepare_second_factor': 'reverification is off',
  '/client/sign_ins': answered,
  '/client/sign_ups': answered,
  '/client/sign_ups/:param/enterprise_connections': offlineOnly,
  '/client/touch': answered,
  '/dev_browser': answered,
  '/dev_tools/enable_environment_setting': 'keyless/dev tools prompt, not shown (show_devmode_warning=false)',
  '/environment': answered,
  '/me': answered,
  '/me/enterprise_connections': offlineOnly,
  '/me/external_accounts': offlineOnly,
  '/me/oauth/consent/:param': offlineOnly,
  '/me/oauth/device': offlineOnly,
  '/me/oauth/device/lookup': offlineOnly,
  '/me/organization_creation_defaults': noSelfServe,
  '/me/organization_invitations': answered,
  '/me/organization_invitations/:param/accept': noSelfServe,
  '/me/organization_memberships': answered,
  '/me/organization_suggestions': answered,
  '/me/organization_suggestions/:param/accept': noSelfServe,
  '/me/passkeys': offlineOnly,
  '/me/passkeys/:param/attempt_verification': offlineOnly,
  '/me/sessions/active': answered,
  '/me/totp': offlineOnly,
  '/me/totp/attempt_verification': offlineOnly,
  '/organizations': noSelfServe,
  '/organizations/:param': answered,
  '/organizations/:param/domains': noSelfServe,
  '/organizations/:param/domains/:param': noSelfServe,
  '/organizations/:param/domains/:param/attempt_affiliation_verification': noSelfServe,
  '/organizations/:param/domains/:param/bulk': noSelfServe,
  '/organizations/:param/domains/:param/prepare_affiliation_verification': noSelfServe,
  '/organizations/:param/domains/:param/update_enrollment_mode': noSelfServe,
  '/organizations/:param/enterprise_connections': offlineOnly,
  '/organizations/:param/enterprise_connections/:param': offlineOnly,
  '/organizations/:param/enterprise_connections/:param/directory': offlineOnly,
  '/organizations/:param/enterprise_connections/:param/test_runs': offlineOnly,
  '/organizations/:param/invitations': noSelfServe,
  '/organizations/:param/invitations/:param/revoke': noSelfServe,
  '/organizations/:param/invitations/bulk': noSelfServe,
  '/organizations/:param/logo': noSelfServe,
  '/organizations/:param/membership_requests': noSelfServe,
  '/organizations/:param/membership_requests/:param/accept': noSelfServe,
  '/organizations/:param/membership_requests/:param/reject': noSelfServe,
  '/organizations/:param/memberships': answered,
  '/organizations/:param/memberships/:param': noSelfServe,
  '/organizations/:param/roles': answered,
  '/v1/client/sync': 'satellite domains only',
  '/v1/event': 'telemetry (disabled by CLERK_TELEMETRY_DISABLED)',
  '/v1/logs': 'debug logging transport, off',
  '/v1/tickets/accept': 'ticket (invitation) links, not offered offline',
  '/v1/verify': 'email links, not offered offline',
  '/waitlist': 'sign_up.mode is public',
  ':resource/backup_codes/': offlineOnly,
  ':resource/email_addresses': 'user profile edits are not offered offline',
  ':resource/email_addresses/': 'user profile edits are not offered offline',
  ':resource/enterprise_accounts': offlineOnly,
  ':resource/external_accounts': offlineOnly,
  ':resource/phone_numbers': offlineOnly,
  ':resource/phone_numbers/': offlineOnly,
  ':resource/sessions': 'answered for the client (DELETE /v1/client/sessions)',
  ':resource/verify': 'reverification is off',
  ':resource/web3_wallets': offlineOnly,
  ':resource/web3_wallets/': offlineOnly,
  'action:attempt_first_factor': 'answered for sign-ins (password)',
  'action:attempt_second_factor': offlineOnly,
  'action:attempt_verification': 'sign-up verification is off (verify_at_sign_up=false)',
  'action:end': answered,
  'action:heartbeat': 'captcha heartbeat, captcha is off',
  'action:prepare_first_factor': 'answered for sign-ins (no-op for password)',
  'action:prepare_second_factor': offlineOnly,
  'action:prepare_verification': 'sign-up verification is off',
  'action:protect_check': 'bot protection is off',
  'action:reauthorize': offlineOnly,
  'action:remove': answered,
  'action:reset_password': 'password reset needs email',
  'action:revoke': offlineOnly,
  'action:signin': 'captcha actions, captcha is off',
  'action:signup': 'captcha actions, captcha is off',
  'action:touch': answered,
  'action:verify': 'reverification is off',
};

/**
 * Fingerprints of the Frontend API paths a clerk-js bundle can call: literal `path:` values
 * (template parts become `:param`), resource roots, sub-resources and resource actions.
 */
export function clerkJsFapiPaths(bundle: string): string[] {
  const out = new Set<string>();
  const norm = (s: string) => s.replace(/\$\{[^}]*\}+/g, ':param');
  for (const m of bundle.matchAll(/path:(?:"(\/[^"]*)"|`(\/[^`]*)`)/g)) out.add(norm(m[1] ?? m[2]));
  for (const m of bundle.matchAll(/pathRoot="(\/[^"]*)"/g)) out.add(m[1]);
  for (const m of bundle.matchAll(/action:"([a-z_]+)"/g)) out.add(`action:${m[1]}`);
  for (const m of bundle.matchAll(/path\("([a-z_]+)"\)/g)) out.add(`action:${m[1]}`);
  for (const m of bundle.matchAll(/path\(\)\+"([^"]+)"/g)) out.add(`:resource${m[1]}`);
  for (const m of bundle.matchAll(/"(\/v1\/[a-z_/]+)"/g)) out.add(m[1]);
  return [...out].sort();
}
