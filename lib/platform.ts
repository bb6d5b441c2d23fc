// Whether this process is production, from facts that hold on any host (Docker, Kubernetes, ECS, a
// VM, Vercel...): live Clerk keys, or NODE_ENV=production (`next build`, `next start`) anywhere but
// this machine's offline stack (onLocalStack). lib/env.ts then refuses development-only settings and
// requires production ones.
// The platform a variable gives away is named in messages only, as a hint where to fix a setting.

/** Hosting platforms announce themselves with one of these. */
const PLATFORM_FLAGS = ['VERCEL', 'VERCEL_ENV', 'NETLIFY', 'RENDER', 'FLY_APP_NAME', 'RAILWAY_ENVIRONMENT', 'K_SERVICE', 'HEROKU_APP_NAME', 'AWS_LAMBDA_FUNCTION_NAME'];

/** The flag that gave the platform away, or null (a machine of your own, or a host that sets none). */
export function deployedPlatform(env: Record<string, string | undefined>): string | null {
  return PLATFORM_FLAGS.find((flag) => env[flag]) ?? null;
}

/** Live Clerk keys (pk_live_/sk_live_): a production instance, wherever the app runs. */
export const hasLiveClerkKeys = (env: Record<string, string | undefined>) =>
  Boolean(env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY?.startsWith('pk_live_') || env.CLERK_SECRET_KEY?.startsWith('sk_live_'));

/**
 * Why this process counts as production ("live Clerk keys", "NODE_ENV=production, VERCEL is set"),
 * or null. onLocalStack: the process runs on the offline stack (lib/local-stack.ts), whose own
 * production build (`npm test`, the bench) is not a deployment.
 */
export function productionReason(env: Record<string, string | undefined>, onLocalStack = false): string | null {
  const platform = deployedPlatform(env);
  const where = platform ? `, ${platform} is set` : '';
  if (hasLiveClerkKeys(env)) return `live Clerk keys${where}`;
  if (env.NODE_ENV === 'production' && !onLocalStack) return `NODE_ENV=production outside the local stack${where}`;
  return null;
}
