'use client';
// Use in client components: a supabase-js client for the current Clerk session, for live data in the
// browser (RLS still decides what the user sees). It is memoised per Clerk session, not a module
// singleton: a singleton would keep the first session's `getToken` after a sign-out or a sign-in as
// someone else. (An organisation switch needs no new client: getToken always asks clerk-js for a
// token of the session's current organisation.)
import { useAuth } from '@clerk/nextjs';
import { createClient } from '@supabase/supabase-js';
import { useMemo } from 'react';
import type { Database } from '@/lib/database.types';

/**
 * @param template The Clerk JWT template name in template mode (the server passes it down from
 * CLERK_SUPABASE_TEMPLATE, so one server setting switches both sides), undefined in third-party mode.
 */
export function useSupabase(template?: string) {
  const { getToken, sessionId } = useAuth();
  return useMemo(() => {
    // Inlined at build time and validated by lib/env.ts when the server started; read directly so
    // that zod and the server-side checks stay out of the browser bundle.
    return createClient<Database>(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY!, {
      // clerk-js caches and refreshes the token itself; asking before each request is cheap.
      accessToken: async () => (sessionId ? getToken(template ? { template } : undefined) : null),
    });
    // sessionId is a dependency on purpose: a new session gets a new client.
  }, [getToken, sessionId, template]);
}
