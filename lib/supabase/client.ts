'use client';
// Use in client components: a supabase-js client for the current Clerk session, for live data in the
// browser (RLS still decides what the user sees). Two choices keep it correct and light:
// - It is memoised per Clerk session, not a module singleton: a singleton would keep the first
//   session's `getToken` after a sign-out or a sign-in as someone else. (An organisation switch needs
//   no new client: getToken always asks clerk-js for a token of the session's current organisation.)
// - supabase-js (about 65 KB gzip) is loaded on first use, in its own chunk, so it never delays the
//   page's first load: the hook returns a function that resolves to the client.
import { useAuth } from '@clerk/nextjs';
import type { SupabaseClient } from '@supabase/supabase-js';
import { useMemo } from 'react';
import type { Database } from '@/lib/database.types';

/**
 * @param template The Clerk JWT template name in template mode (the server passes it down from
 * CLERK_SUPABASE_TEMPLATE, so one server setting switches both sides), undefined in third-party mode.
 */
export function useSupabase(template?: string): () => Promise<SupabaseClient<Database>> {
  const { getToken, sessionId } = useAuth();
  return useMemo(() => {
    let client: Promise<SupabaseClient<Database>> | null = null;
    return () =>
      (client ??= import('@supabase/supabase-js')
        .then(({ createClient }) =>
          // Inlined at build time and validated by lib/env.ts when the server started; read directly so
          // that zod and the server-side checks stay out of the browser bundle.
          createClient<Database>(process.env.NEXT_PUBLIC_SUPABASE_URL!, process.env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY!, {
            // clerk-js caches and refreshes the token itself; asking before each request is cheap.
            accessToken: async () => (sessionId ? getToken(template ? { template } : undefined) : null),
          }),
        )
        .catch((e: unknown) => {
          client = null; // a failed chunk load is retried on the next call
          throw e;
        }));
    // sessionId is a dependency on purpose: a new session gets a new client.
  }, [getToken, sessionId, template]);
}
