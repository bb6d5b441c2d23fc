// A complete, valid environment for unit tests (fake keys; nothing here is a real secret) and a
// helper to build unsigned JWT-shaped tokens with a given expiry.
export const LOCAL_PK = `pk_test_${Buffer.from('clerk.local.localhost$').toString('base64').replace(/=+$/, '')}`;
export const REAL_PK = `pk_live_${Buffer.from('clerk.example.com$').toString('base64').replace(/=+$/, '')}`;
/** A hosted development instance's key (pk_test_): production only with NODE_ENV=production. */
export const DEV_PK = `pk_test_${Buffer.from('example-dev.clerk.accounts.dev$').toString('base64').replace(/=+$/, '')}`;

export const validEnv = (): Record<string, string> => ({
  NEXT_PUBLIC_SUPABASE_URL: 'http://supabase.test',
  NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: 'sb_publishable_unittest',
  SUPABASE_SECRET_KEY: 'sb_secret_unittest',
  NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: LOCAL_PK,
  CLERK_SECRET_KEY: 'sk_test_unittest',
  // What `npm run dev` writes: the local keys are accepted only with these (lib/machine-local.ts).
  LOCAL_STACK: 'test',
  CLERK_API_URL: 'http://127.0.0.1:25327',
  CLERK_FAPI_URL: 'http://127.0.0.1:25328',
  CLERK_WEBHOOK_SIGNING_SECRET: `whsec_${Buffer.from('unit-test-webhook-secret-32bytes!').toString('base64')}`,
  NEXT_PUBLIC_CLERK_PROXY_URL: '/__clerk',
});

export function fakeJwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}
