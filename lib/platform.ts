// Whether this process is production, from facts that hold on any host (Docker, Kubernetes, ECS, a
// VM, Vercel...): live Clerk keys, or NODE_ENV=production (`next build`, `next start`) anywhere but
// with a Clerk instance that lives on this machine (machineLocalClerk). lib/env.ts then refuses
// development-only settings and requires production ones.
// The platform a variable gives away is named in messages only, as a hint where to fix a setting.

/** Hosting platforms announce themselves with one of these. */
export const PLATFORM_FLAGS = [
  'VERCEL',
  'VERCEL_ENV',
  'NETLIFY',
  'RENDER',
  'FLY_APP_NAME',
  'RAILWAY_ENVIRONMENT',
  'K_SERVICE',
  'HEROKU_APP_NAME',
  'AWS_LAMBDA_FUNCTION_NAME',
];

/** The flag that gave the platform away, or null (a machine of your own, or a host that sets none). */
export function deployedPlatform(env: Record<string, string | undefined>): string | null {
  return PLATFORM_FLAGS.find((flag) => env[flag]) ?? null;
}

/** Live Clerk keys (pk_live_/sk_live_): a production instance, wherever the app runs. */
export const hasLiveClerkKeys = (env: Record<string, string | undefined>) =>
  Boolean(env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY?.startsWith('pk_live_') || env.CLERK_SECRET_KEY?.startsWith('sk_live_'));

/** The Frontend API host a publishable key encodes: pk_(test|live)_ + base64("<host>$"). */
function clerkFrontendApiHost(pk: string | undefined): string | null {
  try {
    const decoded = atob((pk ?? '').replace(/^pk_(test|live)_/, ''));
    return decoded.endsWith('$') ? decoded.slice(0, -1) : null;
  } catch {
    return null;
  }
}

/** A development key whose Frontend API is a `.localhost` name: a Clerk instance only this machine can reach. */
export const hasMachineLocalClerkKey = (env: Record<string, string | undefined>) =>
  Boolean(env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY?.startsWith('pk_test_')) &&
  /(^|\.)localhost$/.test(clerkFrontendApiHost(env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY) ?? '');

const isLoopbackUrl = (url: string | undefined) => {
  try {
    return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url ?? '').hostname);
  } catch {
    return false;
  }
};

/**
 * Such a key with Clerk's Backend and Frontend APIs on loopback (CLERK_API_URL, CLERK_FAPI_URL):
 * Clerk runs on this machine (an offline stand-in), so a production build here is not a deployment.
 */
export const machineLocalClerk = (env: Record<string, string | undefined>) =>
  hasMachineLocalClerkKey(env) && isLoopbackUrl(env.CLERK_API_URL) && isLoopbackUrl(env.CLERK_FAPI_URL);

/** Why this process counts as production ("live Clerk keys", "NODE_ENV=production, VERCEL is set"), or null. */
export function productionReason(env: Record<string, string | undefined>): string | null {
  const platform = deployedPlatform(env);
  const where = platform ? `, ${platform} is set` : '';
  if (hasLiveClerkKeys(env)) return `live Clerk keys${where}`;
  if (env.NODE_ENV === 'production' && !machineLocalClerk(env)) return `NODE_ENV=production${where}`;
  return null;
}
