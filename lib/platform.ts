// Whether this process runs on a hosting platform, from the variables platforms set themselves.
// lib/env.ts refuses development-only settings there and requires production ones.

/** Hosting platforms announce themselves with one of these. */
const PLATFORM_FLAGS = ['VERCEL', 'VERCEL_ENV', 'NETLIFY', 'RENDER', 'FLY_APP_NAME', 'RAILWAY_ENVIRONMENT', 'K_SERVICE', 'HEROKU_APP_NAME', 'AWS_LAMBDA_FUNCTION_NAME'];

/** The flag that gave the platform away, or null on a machine of your own. */
export function deployedPlatform(env: Record<string, string | undefined>): string | null {
  return PLATFORM_FLAGS.find((flag) => env[flag]) ?? null;
}
