// The Clerk and Supabase dashboards' own names for the pages, buttons and settings the guide tells a
// person to use, spelled as the dashboards show them (December 2026). The one list to update when a
// dashboard changes: tests/unit/guide.test.ts checks every "<X> Dashboard -> ..." path in the guide and
// code, and every bold name in the README's steps and pitfalls, against it.
export const DASHBOARD_PAGES = {
  // Clerk links its pages directly (https://dashboard.clerk.com/last-active?path=...): no menu groups.
  Clerk: [
    'Create application',
    'Users',
    'API keys',
    'Organizations Settings',
    'Connect with Supabase',
    'Sessions',
    'JWT templates',
    'Webhooks',
    'Domains',
    'Protect',
  ],
  // Supabase pages under a menu group are named down to the page.
  Supabase: [
    'New project',
    'Connect',
    'Project Settings -> Data API',
    'Project Settings -> API Keys',
    'Project Settings -> JWT Keys',
    'Project Settings -> General',
    'Authentication -> Sign In / Providers',
    'Authentication -> Users',
    'Logs -> API',
    'Edge Functions',
  ],
};
export const SUPABASE_MENU_GROUPS = ['Project Settings', 'Authentication', 'Logs'];

/** Everything else the guide names on those pages: buttons, fields, tabs, settings and their values. */
export const DASHBOARD_SETTINGS = {
  Clerk: [
    'Email',
    'Create',
    'Development',
    'Production',
    'Publishable key',
    'Secret key',
    'JWKS Public Key',
    'Create user',
    'User ID',
    'Device Trust',
    'Enable Organizations',
    'Membership optional',
    'Membership required',
    'Activate Supabase integration',
    'Customize session token',
    'Clerk domain',
    'Add Endpoint',
    'Endpoint URL',
    'Subscribe to events',
    'Signing Secret',
    'Testing',
    'Message Attempts',
    'New template',
    'Supabase',
    'Custom signing key',
    'Save',
    'Rules',
  ],
  Supabase: [
    'Project URL',
    'Create new API keys',
    'Publishable key',
    'Secret key',
    'Allow new users to sign up',
    'Third-Party Auth',
    'Add provider',
    'Clerk',
    'Add Clerk connection',
    'Session pooler',
    'Legacy JWT Secret',
  ],
};

/** Bold words in the guide that are the project's own terms, not dashboard names. */
export const OWN_TERMS = ['third-party auth', 'Third-party auth', 'JWT template'];
