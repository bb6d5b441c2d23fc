// Nothing to configure: Clerk and Supabase are configured from the environment.
import type { NextConfig } from 'next';

const nextConfig: NextConfig = {};
export default nextConfig;
