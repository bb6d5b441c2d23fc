// The JSON shapes of Clerk's Frontend API resources, as clerk-js reads them (learned from the
// `fromJSON` methods in clerk/javascript packages/clerk-js/src/core/resources). Only what the local
// instance needs: password sign-in and sign-up, sessions, users, organisations. Timestamps are ms.
import type { LocalMembership, LocalOrg, LocalSession, LocalUser, Store } from './store.ts';

/** Per-browser state of the Frontend API stand-in, kept in `store.extra.frontendApi`. */
export interface LocalClient {
  id: string;
  signInId: string | null;
  signUpId: string | null;
  lastActiveSessionId: string | null;
  createdAt: number;
  /** Drives the `__client_uat` cookie: changes only when the set of signed-in sessions changes. */
  updatedAt: number;
}
export interface LocalSignIn {
  id: string;
  clientId: string;
  status: 'needs_identifier' | 'needs_first_factor' | 'complete';
  identifier: string | null;
  userId: string | null;
  createdSessionId: string | null;
  attempts: number;
  createdAt: number;
}
export interface LocalSignUp {
  id: string;
  clientId: string;
  status: 'missing_requirements' | 'complete';
  emailAddress: string | null;
  firstName: string | null;
  lastName: string | null;
  /** Held only until the sign-up completes; never serialised. */
  password: string | null;
  createdUserId: string | null;
  createdSessionId: string | null;
  createdAt: number;
}
export interface FrontendState {
  /** dev browser id (`__clerk_db_jwt`) -> client id */
  devBrowsers: Record<string, string>;
  clients: Record<string, LocalClient>;
  signIns: Record<string, LocalSignIn>;
  signUps: Record<string, LocalSignUp>;
}

export function frontendState(store: Store): FrontendState {
  const extra = store.extra as { frontendApi?: FrontendState };
  extra.frontendApi ??= { devBrowsers: {}, clients: {}, signIns: {}, signUps: {} };
  return extra.frontendApi;
}

const adminPermissions = [
  'org:sys_profile:manage',
  'org:sys_profile:delete',
  'org:sys_memberships:read',
  'org:sys_memberships:manage',
  'org:sys_domains:read',
  'org:sys_domains:manage',
];

export function organizationJson(store: Store, o: LocalOrg) {
  return {
    object: 'organization',
    id: o.id,
    name: o.name,
    slug: o.slug,
    image_url: '',
    has_image: false,
    members_count: store.membershipsOfOrg(o.id).length,
    pending_invitations_count: 0,
    max_allowed_memberships: 0,
    admin_delete_enabled: false,
    public_metadata: {},
    created_at: o.createdAt,
    updated_at: o.updatedAt,
  };
}

function publicUserDataJson(u: LocalUser) {
  return {
    first_name: u.firstName,
    last_name: u.lastName,
    image_url: '',
    has_image: false,
    identifier: u.email,
    user_id: u.id,
  };
}

export function membershipJson(store: Store, m: LocalMembership) {
  const org = store.org(m.orgId)!;
  const user = store.user(m.userId)!;
  return {
    object: 'organization_membership',
    id: m.id,
    organization: organizationJson(store, org),
    public_user_data: publicUserDataJson(user),
    public_metadata: {},
    role: `org:${m.role}`,
    role_name: m.role === 'admin' ? 'Admin' : 'Member',
    permissions: m.role === 'admin' ? adminPermissions : ['org:sys_memberships:read'],
    created_at: m.createdAt,
    updated_at: m.createdAt,
  };
}

export function userJson(store: Store, u: LocalUser) {
  return {
    object: 'user',
    id: u.id,
    external_id: null,
    username: null,
    first_name: u.firstName,
    last_name: u.lastName,
    image_url: '',
    has_image: false,
    primary_email_address_id: u.emailId,
    primary_phone_number_id: null,
    primary_web3_wallet_id: null,
    password_enabled: true,
    two_factor_enabled: false,
    totp_enabled: false,
    backup_code_enabled: false,
    email_addresses: [
      {
        object: 'email_address',
        id: u.emailId,
        email_address: u.email,
        reserved: false,
        linked_to: [],
        matches_sso_connection: false,
        verification: { object: 'verification', status: 'verified', strategy: 'admin', attempts: null, expire_at: null },
        created_at: u.createdAt,
        updated_at: u.updatedAt,
      },
    ],
    phone_numbers: [],
    web3_wallets: [],
    external_accounts: [],
    enterprise_accounts: [],
    saml_accounts: [],
    passkeys: [],
    organization_memberships: store.membershipsOfUser(u.id).map((m) => membershipJson(store, m)),
    public_metadata: u.publicMetadata ?? {},
    unsafe_metadata: {},
    create_organization_enabled: false,
    create_organizations_limit: null,
    delete_self_enabled: false,
    last_sign_in_at: u.lastSignInAt,
    legal_accepted_at: null,
    created_at: u.createdAt,
    updated_at: u.updatedAt,
  };
}

export function sessionJson(store: Store, s: LocalSession, lastActiveToken: string | null) {
  const user = store.user(s.userId)!;
  return {
    object: 'session',
    id: s.id,
    status: s.status,
    expire_at: s.expireAt,
    abandon_at: s.expireAt,
    last_active_at: s.lastActiveAt,
    last_active_organization_id: s.activeOrgId,
    factor_verification_age: [0, -1],
    actor: null,
    tasks: null,
    user: userJson(store, user),
    public_user_data: publicUserDataJson(user),
    last_active_token: lastActiveToken ? { object: 'token', jwt: lastActiveToken } : null,
    created_at: s.createdAt,
    updated_at: s.lastActiveAt,
  };
}

const passwordFactor = { strategy: 'password' };

export function signInJson(si: LocalSignIn, store: Store) {
  const user = si.userId ? store.user(si.userId) : null;
  return {
    object: 'sign_in_attempt',
    id: si.id,
    status: si.status,
    supported_identifiers: ['email_address'],
    identifier: si.identifier,
    supported_first_factors: si.status === 'needs_identifier' ? [] : [passwordFactor],
    supported_second_factors: null,
    first_factor_verification:
      si.status === 'complete'
        ? { object: 'verification', status: 'verified', strategy: 'password', attempts: si.attempts, expire_at: null }
        : null,
    second_factor_verification: null,
    user_data: user ? { first_name: user.firstName, last_name: user.lastName, image_url: '', has_image: false } : null,
    created_session_id: si.createdSessionId,
    abandon_at: si.createdAt + 24 * 3600 * 1000,
  };
}

export function signUpJson(su: LocalSignUp) {
  const missing = [...(su.emailAddress ? [] : ['email_address']), ...(su.password || su.createdUserId ? [] : ['password'])];
  return {
    object: 'sign_up_attempt',
    id: su.id,
    status: su.status,
    required_fields: ['email_address', 'password'],
    optional_fields: ['first_name', 'last_name'],
    missing_fields: su.status === 'complete' ? [] : missing,
    unverified_fields: [],
    verifications: {
      email_address: su.emailAddress
        ? {
            object: 'verification',
            status: 'verified',
            strategy: 'admin',
            attempts: null,
            expire_at: null,
            next_action: '',
            supported_strategies: [],
          }
        : null,
      phone_number: null,
      web3_wallet: null,
      external_account: null,
    },
    username: null,
    email_address: su.emailAddress,
    phone_number: null,
    web3_wallet: null,
    first_name: su.firstName,
    last_name: su.lastName,
    has_password: Boolean(su.password || su.createdUserId),
    unsafe_metadata: {},
    public_metadata: {},
    custom_action: false,
    external_id: null,
    created_session_id: su.createdSessionId,
    created_user_id: su.createdUserId,
    abandon_at: su.createdAt + 24 * 3600 * 1000,
    legal_accepted_at: null,
  };
}

/**
 * The instance settings clerk-js renders from: email + password only, no verification at sign-up
 * (nothing can send mail offline), organisations on, no self-serve creation, no captcha.
 */
export function environmentJson(appOrigin: string) {
  const off = {
    enabled: false,
    required: false,
    used_for_first_factor: false,
    first_factors: [],
    used_for_second_factor: false,
    second_factors: [],
    verifications: [],
    verify_at_sign_up: false,
  };
  return {
    object: 'environment',
    id: 'env_local',
    auth_config: { object: 'auth_config', id: 'aac_local', single_session_mode: true, reverification: false, claimed_at: null },
    display_config: {
      object: 'display_config',
      id: 'display_config_local',
      instance_environment_type: 'development',
      application_name: 'Clerk + Supabase (local)',
      theme: {
        buttons: { font_color: '#ffffff', font_family: '', font_weight: '' },
        general: {
          color: '#6c47ff',
          background_color: '#ffffff',
          font_color: '#151515',
          font_family: '',
          label_font_weight: '',
          padding: '',
          border_radius: '',
          box_shadow: '',
        },
        accounts: { background_color: '#ffffff' },
      },
      preferred_sign_in_strategy: 'password',
      logo_image_url: '',
      favicon_image_url: '',
      home_url: `${appOrigin}/`,
      sign_in_url: `${appOrigin}/sign-in`,
      sign_up_url: `${appOrigin}/sign-up`,
      user_profile_url: `${appOrigin}/user`,
      waitlist_url: `${appOrigin}/`,
      after_sign_in_url: `${appOrigin}/dashboard`,
      after_sign_up_url: `${appOrigin}/dashboard`,
      after_sign_out_one_url: `${appOrigin}/`,
      after_sign_out_all_url: `${appOrigin}/`,
      after_switch_session_url: `${appOrigin}/dashboard`,
      after_join_waitlist_url: `${appOrigin}/`,
      organization_profile_url: `${appOrigin}/org`,
      create_organization_url: `${appOrigin}/org`,
      after_leave_organization_url: `${appOrigin}/dashboard`,
      after_create_organization_url: `${appOrigin}/org`,
      support_email: null,
      branded: false,
      experimental_force_oauth_first: false,
      clerk_js_version: null,
      show_devmode_warning: false,
      google_one_tap_client_id: null,
      help_url: null,
      privacy_policy_url: null,
      terms_url: null,
      captcha_public_key: null,
      captcha_widget_type: null,
      captcha_public_key_invisible: null,
      captcha_provider: null,
      captcha_oauth_bypass: [],
    },
    user_settings: {
      attributes: {
        email_address: {
          enabled: true,
          required: true,
          used_for_first_factor: true,
          first_factors: [],
          used_for_second_factor: false,
          second_factors: [],
          verifications: [],
          verify_at_sign_up: false,
        },
        password: {
          enabled: true,
          required: true,
          used_for_first_factor: false,
          first_factors: [],
          used_for_second_factor: false,
          second_factors: [],
          verifications: [],
          verify_at_sign_up: false,
        },
        phone_number: off,
        username: off,
        first_name: off,
        last_name: off,
        web3_wallet: off,
        authenticator_app: off,
        backup_code: off,
        passkey: off,
      },
      sign_in: { second_factor: { required: false, enabled: false } },
      sign_up: {
        mode: 'public',
        captcha_enabled: false,
        captcha_widget_type: null,
        custom_action_required: false,
        progressive: true,
        legal_consent_enabled: false,
      },
      restrictions: { allowlist: { enabled: false }, blocklist: { enabled: false } },
      social: {},
      enterprise_sso: { enabled: false },
      saml: { enabled: false },
      actions: { delete_self: false, create_organization: false },
      attack_protection: { enumeration_protection: { enabled: false } },
      passkey_settings: { allow_autofill: false, show_sign_in_button: false },
      password_settings: {
        disable_hibp: true,
        min_length: 8,
        max_length: 72,
        require_special_char: false,
        require_numbers: false,
        require_uppercase: false,
        require_lowercase: false,
        show_zxcvbn: false,
        min_zxcvbn_strength: 0,
        enforce_hibp_on_sign_in: false,
        allowed_special_characters: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
      },
      username_settings: { min_length: 4, max_length: 64 },
    },
    organization_settings: {
      enabled: true,
      max_allowed_memberships: 0,
      force_organization_selection: false,
      actions: { admin_delete: false },
      domains: { enabled: false, enrollment_modes: [], default_role: null },
      slug: { disabled: false },
      organization_creation_defaults: { enabled: false },
    },
    commerce_settings: {
      billing: {
        enabled: false,
        has_paid_user_plans: false,
        has_paid_org_plans: false,
        user: { enabled: false, has_paid_plans: false },
        organization: { enabled: false, has_paid_plans: false },
      },
    },
    api_keys_settings: { enabled: false, user_api_keys_enabled: false, orgs_api_keys_enabled: false },
    maintenance_mode: false,
    client_debug_mode: false,
    partitioned_cookies: false,
  };
}
