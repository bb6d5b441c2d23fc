// Template mode with a session Clerk has revoked (signed out everywhere, banned, ended by an admin):
// its session token still verifies locally until it expires, but Clerk's Backend API refuses to
// exchange it for a template token. The app answers 401 with Clerk's refusal, not a 500 or a 503, and
// caches nothing: each request asks Clerk again, so nothing of that session's is served later.
import { describe, expect, it } from 'vitest';
import { newClerkUser } from '../support/app.ts';
import { backendApiCalls, createSession } from '../support/tokens-and-db.ts';

const TEMPLATE_URL = process.env.APP_URL_TEMPLATE ?? 'http://localhost:3101';
const TOKENS = 'POST /v1/sessions/:id/tokens/:template';

describe('template mode: a revoked session', () => {
  it("is a 401 with Clerk's refusal on every request, each one asking Clerk again (nothing cached)", async () => {
    const user = await newClerkUser('revoked', 'tpl');
    const { sessionId, token } = await createSession({ user, azp: new URL(TEMPLATE_URL).origin });
    const revoke = await fetch(`${process.env.CLERK_API_URL}/v1/sessions/${sessionId}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${process.env.CLERK_SECRET_KEY}` },
    });
    expect(revoke.status).toBe(200);

    const before = (await backendApiCalls())[TOKENS] ?? 0;
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${TEMPLATE_URL}/api/tasks`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await res.json()) as { error?: string };
      expect(res.status, JSON.stringify(body)).toBe(401);
      expect(body.error).toBe('Your session was refused by Clerk. Sign in again.');
    }
    // The route asks once per request (a refusal is not retried, and not remembered).
    expect((await backendApiCalls())[TOKENS] ?? 0).toBe(before + 2);
  });
});
