'use client';
// Wraps a server action for a client form so that a session token that expired while the page's timers
// were stopped (a background tab, a sleeping laptop) costs the user nothing. A server action is a POST:
// Clerk verifies the __session cookie it carries and, for a request that is not a page visit, answers an
// expired token as signed out (no handshake redirect is possible). clerk-js refreshes that cookie on a
// timer, which a frozen or throttled page does not run, so the first click after the page wakes can
// carry an expired token. When the action answers SIGNED_OUT while clerk-js still holds a session,
// getToken() mints a fresh token (clerk-js writes it to __session) and the action runs once more. A
// session that really ended stays signed out: clerk-js then has no session, or the retry says so again.
import { useAuth } from '@clerk/nextjs';
import { useCallback } from 'react';
import { SIGNED_OUT } from './signed-out';

export function useSessionAction<A extends unknown[], S extends { error?: string }>(
  action: (...args: A) => Promise<S>,
): (...args: A) => Promise<S> {
  const { getToken, isSignedIn } = useAuth();
  return useCallback(
    async (...args: A) => {
      const first = await action(...args);
      if (first.error !== SIGNED_OUT || !isSignedIn) return first;
      const token = await getToken().catch(() => null);
      return token ? action(...args) : first;
    },
    [action, getToken, isSignedIn],
  );
}
