import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // The local stack's stand-ins live in local/ and must never be bundled into the app.
  poweredByHeader: false,
  // npm test builds into its own folder so it never clobbers your dev or production build.
  distDir: process.env.NEXT_DIST_DIR ?? '.next',
  typedRoutes: false,
};

export default nextConfig;
