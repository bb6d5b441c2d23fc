// app/api/webhooks/clerk/route.ts with real Svix signatures (svix's Webhook.sign) and the Supabase
// RPC mocked at the HTTP level: a valid delivery reaches apply_clerk_user_event with the secret key;
// a bad, missing or stale signature is a 400 and never reaches the database.
import { randomBytes } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Webhook } from 'svix';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

const secret = vi.hoisted(() => {
  const s = `whsec_${Buffer.from('unit-test-webhook-secret-32bytes!').toString('base64')}`;
  Object.assign(process.env, {
    NEXT_PUBLIC_SUPABASE_URL: 'http://supabase.test',
    NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: 'sb_publishable_unittest',
    SUPABASE_SECRET_KEY: 'sb_secret_unittest',
    NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: `pk_test_${Buffer.from('clerk.example.test$').toString('base64').replace(/=+$/, '')}`,
    CLERK_SECRET_KEY: 'sk_test_unittest',
    CLERK_WEBHOOK_SIGNING_SECRET: s,
    CLERK_TELEMETRY_DISABLED: '1',
  });
  return s;
});
vi.mock('server-only', () => ({}));
const { POST } = await import('../../app/api/webhooks/clerk/route.ts');

const rpcCalls: { apikey: string | null; authorization: string | null; body: Record<string, unknown> }[] = [];
let rpcResponse: () => Response = () => HttpResponse.json('applied');
const server = setupServer(
  http.post('http://supabase.test/rest/v1/rpc/apply_clerk_user_event', async ({ request }) => {
    rpcCalls.push({
      apikey: request.headers.get('apikey'),
      authorization: request.headers.get('authorization'),
      body: (await request.json()) as Record<string, unknown>,
    });
    return rpcResponse();
  }),
);
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());
beforeEach(() => {
  rpcCalls.length = 0;
  rpcResponse = () => HttpResponse.json('applied');
});

const data = { id: 'user_unit', object: 'user', first_name: 'Una', updated_at: 1_700_000_000_000 };
function signed(type: string, opts: { secret?: string; timestamp?: Date; id?: string; tamper?: boolean } = {}) {
  const id = opts.id ?? `msg_${randomBytes(6).toString('hex')}`;
  const timestamp = opts.timestamp ?? new Date();
  const body = JSON.stringify({ type, object: 'event', data });
  const signature = new Webhook(opts.secret ?? secret).sign(id, timestamp, body);
  const req = new Request('http://app.test/api/webhooks/clerk', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'svix-id': id,
      'svix-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'svix-signature': signature,
    },
    body: opts.tamper ? body.replace('Una', 'Eve') : body,
  });
  return { id, req: req as Parameters<typeof POST>[0] };
}

describe('Clerk webhook route', () => {
  it('applies a signed user.created through the RPC, with the service key, keyed by svix-id', async () => {
    const { id, req } = signed('user.created');
    const res = await POST(req);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ result: 'applied' });
    expect(rpcCalls).toEqual([
      {
        apikey: 'sb_secret_unittest',
        authorization: 'Bearer sb_secret_unittest',
        body: { event_id: id, event_type: 'user.created', data },
      },
    ]);
  });

  it('passes the database verdict through (duplicate, stale, deleted_user)', async () => {
    rpcResponse = () => HttpResponse.json('duplicate');
    expect(await (await POST(signed('user.updated').req)).json()).toEqual({ result: 'duplicate' });
  });

  it.each([
    ['a wrong secret', { secret: `whsec_${randomBytes(24).toString('base64')}` }],
    ['a tampered body', { tamper: true }],
    ['a stale timestamp (replay)', { timestamp: new Date(Date.now() - 10 * 60_000) }],
    ['a future timestamp', { timestamp: new Date(Date.now() + 10 * 60_000) }],
  ])('%s is 400 and writes nothing', async (_name, opts) => {
    const res = await POST(signed('user.created', opts).req);
    expect(res.status).toBe(400);
    expect(rpcCalls).toEqual([]);
  });

  it('missing Svix headers are 400', async () => {
    const res = await POST(new Request('http://app.test/api/webhooks/clerk', { method: 'POST', body: '{}' }) as Parameters<typeof POST>[0]);
    expect(res.status).toBe(400);
    expect(rpcCalls).toEqual([]);
  });

  it('a chunked body past 512 KiB is 413 while reading, even validly signed, and never reaches the database', async () => {
    // No Content-Length: the limit can only be kept by counting the bytes as they arrive.
    const id = `msg_${randomBytes(6).toString('hex')}`;
    const timestamp = new Date();
    const body = JSON.stringify({ type: 'user.created', object: 'event', data: { ...data, padding: 'x'.repeat(2 * 1024 * 1024) } });
    const signature = new Webhook(secret).sign(id, timestamp, body);
    let sent = 0;
    const bytes = new TextEncoder().encode(body);
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent >= bytes.length) return c.close();
        c.enqueue(bytes.subarray(sent, sent + 64 * 1024));
        sent += 64 * 1024;
      },
    });
    const req = new Request('http://app.test/api/webhooks/clerk', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'svix-id': id,
        'svix-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'svix-signature': signature,
      },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    const res = await POST(req as Parameters<typeof POST>[0]);
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatch(/larger than 524288 bytes/);
    expect(rpcCalls).toEqual([]);
    expect(sent).toBeLessThan(bytes.length); // it stopped reading at the limit
  });

  it('ignores event types it does not handle', async () => {
    expect(await (await POST(signed('organization.created').req)).json()).toEqual({ result: 'ignored' });
    expect(rpcCalls).toEqual([]);
  });

  it('the database down is a 503 (Svix retries later)', async () => {
    rpcResponse = () => HttpResponse.json({ code: 'PGRST001', message: 'Database client error' }, { status: 503 });
    const res = await POST(signed('user.created').req);
    expect(res.status).toBe(503);
    expect((await res.json()).error).toMatch(/unreachable/);
  });
});
