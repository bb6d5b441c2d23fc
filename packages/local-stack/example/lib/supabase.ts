// supabase-js with the Clerk session token, one client per request (never at module scope: it would
// hold one user's token for the next). Supabase's third-party auth for Clerk verifies the token, and
// Postgres runs as its `role` (authenticated) with its claims in auth.jwt().
import { auth } from '@clerk/nextjs/server';
import { createClient } from '@supabase/supabase-js';

export async function supabaseForRequest() {
  const { getToken } = await auth();
  return createClient(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY!, {
    accessToken: async () => (await getToken()) ?? null,
  });
}
