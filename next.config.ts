import type { NextConfig } from 'next';
import { PHASE_PRODUCTION_BUILD } from 'next/constants';
import { MAX_SERVER_ACTION_BODY_BYTES } from './lib/body-limits';
import { EnvError, parseBuildEnv } from './lib/env';
import { staticSecurityHeaders } from './lib/security-headers';

const nextConfig: NextConfig = {
  poweredByHeader: false,
  typedRoutes: false,
  // Every response, static files included; the Content Security Policy comes from proxy.ts (per-request nonce).
  headers: async () => [{ source: '/:path*', headers: staticSecurityHeaders }],
  // Bodies no larger than what the app accepts (lib/body-limits.ts): Next.js buffers a body up to
  // proxyClientMaxBodySize before proxy.ts runs (default 10 MiB), and a server action's up to 1 MB.
  // proxy.ts sees pages and server actions only: the JSON API and Clerk's Frontend API read their own.
  experimental: {
    proxyClientMaxBodySize: MAX_SERVER_ACTION_BODY_BYTES,
    serverActions: { bodySizeLimit: MAX_SERVER_ACTION_BODY_BYTES },
  },
};

export default function config(phase: string): NextConfig {
  // The build inlines the NEXT_PUBLIC_ values: a wrong key (a service_role JWT as the publishable
  // key, say) must stop it here, before it is shipped. The server checks again when it starts.
  if (phase === PHASE_PRODUCTION_BUILD) {
    try {
      parseBuildEnv();
    } catch (e) {
      if (!(e instanceof EnvError)) throw e;
      console.error(`\n${e.message.replace('Invalid environment', 'next build stopped: invalid environment')}\n`);
      process.exit(1);
    }
  }
  return nextConfig;
}
