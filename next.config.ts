import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // Lets several builds share one checkout (the test runner and the bench build into their own folders).
  distDir: process.env.NEXT_DIST_DIR ?? '.next',
  typedRoutes: false,
};

export default nextConfig;
