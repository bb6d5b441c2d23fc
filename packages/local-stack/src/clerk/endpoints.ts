// What the local Frontend API stand-in was written against: the clerk-js / @clerk/ui versions, and
// every Frontend API path found in that clerk-js bundle with what the stand-in does about it (the
// endpoints themselves, with their handlers, are the one table in frontend-api.ts). tests/unit/clerk-frontend-api.test.ts re-reads the installed bundle and
// fails when the versions or the set of paths change, so an upgrade cannot silently break sign-in.

/** Bump only after re-running `npm run test:e2e` against the new bundles and reviewing the path list. */
export const FRONTEND_API_WRITTEN_FOR = { clerkJs: '6.40.0', clerkUi: '1.36.0' } as const;

export type FapiMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

const answered = 'answered';
const offlineOnly = "not offered by the local instance (email/phone/OAuth/SSO/passkeys/2FA/billing need Clerk's servers)";
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
