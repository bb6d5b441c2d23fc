// Makes sure the signed-in user has a row in public.profiles, calling ensure_user_profile() once per
// user per server process instead of on every request.
//
// Why an in-memory marker and not a cookie: the signed-in layout is a server component, which cannot
// set cookies, and a marker that lives in the server costs nothing to check and cannot be copied or
// forged by the browser. The trade-off: each server instance (and each restart) calls the function once
// more per user, which is harmless because it is idempotent. The Clerk webhook creates the profile too;
// whichever comes first wins and the other changes nothing.
import 'server-only';
import { queryAsUser, type ClerkSession } from '@/lib/supabase/server';

const ensured = new Set<string>();
const MAX_REMEMBERED = 100_000;

export async function ensureProfileOnce(session: ClerkSession & { userId: string }) {
  const { userId } = session;
  if (ensured.has(userId)) return;
  const { error } = await queryAsUser(session, (db) => db.rpc('ensure_user_profile'));
  // Not fatal: tasks and projects do not depend on the profile. Not marked, so the next visit retries.
  if (error) return console.error('ensure_user_profile failed:', error.status, error.message);
  if (ensured.size >= MAX_REMEMBERED) ensured.clear();
  ensured.add(userId);
}
