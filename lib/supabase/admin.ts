// !!! SERVICE ROLE: THIS CLIENT BYPASSES ROW-LEVEL SECURITY. !!!
// It can read and write every user's rows. Use it only where there is no user to act as: the Clerk
// webhook (app/api/webhooks/clerk/route.ts). Never use it to answer a user's request, never pass its
// results to a client component, never import it from a file that runs in the browser:
// `server-only` makes such an import fail the build instead of shipping the secret key.
import 'server-only';
import { createClient } from '@supabase/supabase-js';
import type { Database } from '@/lib/database.types';
import { serverEnv } from '@/lib/env';

export function createAdminClient() {
  const { NEXT_PUBLIC_SUPABASE_URL, SUPABASE_SECRET_KEY } = serverEnv();
  if (!SUPABASE_SECRET_KEY)
    throw new Error(
      'SUPABASE_SECRET_KEY is not set; the Clerk webhook needs it (Supabase Dashboard -> Project Settings -> API Keys -> Secret keys).',
    );
  return createClient<Database>(NEXT_PUBLIC_SUPABASE_URL, SUPABASE_SECRET_KEY, {
    // A server-to-server client: no Supabase Auth session to store or refresh.
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
}
