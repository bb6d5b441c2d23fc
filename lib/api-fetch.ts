// For browser code calling this app's JSON API (/api/*) with the session cookie: fetch() that survives
// a session token which expired while the page's timers were stopped (a background tab, a sleeping
// laptop). Clerk answers an expired token on a request that is not a page visit with 401 and its reason
// (x-clerk-auth-reason: session-token-expired-...), since only a page visit can be redirected through
// the handshake. Then, as Clerk recommends for fetches, the token comes from clerk-js's getToken(),
// which refreshes it, and the request is sent once more with it as a Bearer token (which needs no
// cookie, so it works in a tab that is not the one clerk-js writes the cookie from). A 401 while clerk-js
// holds no session is the answer itself. No imports: it only needs window.Clerk, which clerk-js sets.

interface ClerkSessionHandle {
  getToken(): Promise<string | null>;
}

export async function apiFetch(input: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(input, { credentials: 'same-origin', ...init });
  const session = (globalThis as { Clerk?: { session?: ClerkSessionHandle | null } }).Clerk?.session;
  if (res.status !== 401 || !session) return res;
  const token = await session.getToken().catch(() => null);
  if (!token) return res;
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { credentials: 'same-origin', ...init, headers });
}
