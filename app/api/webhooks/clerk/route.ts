// Clerk -> this app: keeps public.profiles in step with Clerk's users. Public route (no session
// check, no cross-site rule): the Svix signature on the raw body is the authentication, and the body
// is counted while it is read (no proxy buffers it first: /api is not in proxy.ts's matcher).
//
// Svix delivers at least once and in any order; apply_clerk_user_event() handles that in one
// transaction (dedupe on svix-id, order on updated_at, tombstone on user.deleted). Together with
// ensure_user_profile() on the first visit, a profile exists whichever arrives first.
import { verifyWebhook } from '@clerk/nextjs/webhooks';
import { NextRequest, NextResponse } from 'next/server';
import { publicRoute, readBody } from '@/lib/api';
import { MAX_WEBHOOK_BODY_BYTES } from '@/lib/body-limits';
import { dbError } from '@/lib/errors';
import type { Json } from '@/lib/database.types';
import { serverEnv } from '@/lib/env';
import { createAdminClient } from '@/lib/supabase/admin';

const USER_EVENTS = new Set(['user.created', 'user.updated', 'user.deleted']);

export const POST = publicRoute(async (req: NextRequest) => {
  const signingSecret = serverEnv().CLERK_WEBHOOK_SIGNING_SECRET;
  // 503, not 400: Svix retries, so events are not lost while the secret is being configured.
  if (!signingSecret) return NextResponse.json({ error: 'CLERK_WEBHOOK_SIGNING_SECRET is not set on the server.' }, { status: 503 });
  // Counted while reading (a chunked body has no Content-Length): an unsigned body is never buffered
  // past the limit just to find out that its signature is wrong.
  const body = await readBody(req, MAX_WEBHOOK_BODY_BYTES);

  let event;
  try {
    // Checks the signature over the raw body and rejects timestamps more than 5 minutes off (replays).
    event = await verifyWebhook(new NextRequest(req.url, { method: 'POST', headers: req.headers, body: new Uint8Array(body) }), {
      signingSecret,
    });
  } catch {
    return NextResponse.json({ error: 'Invalid, missing or stale webhook signature.' }, { status: 400 });
  }
  if (!USER_EVENTS.has(event.type)) return NextResponse.json({ result: 'ignored' });

  const { data, error, status } = await createAdminClient().rpc('apply_clerk_user_event', {
    event_id: req.headers.get('svix-id')!, // present: verifyWebhook refuses a request without it
    event_type: event.type,
    data: event.data as unknown as Json,
  });
  // A 5xx makes Svix retry later, which is what we want while the database is down.
  if (error) {
    const failure = dbError({ error, status });
    return NextResponse.json(failure.body, { status: failure.status });
  }
  return NextResponse.json({ result: data });
});
