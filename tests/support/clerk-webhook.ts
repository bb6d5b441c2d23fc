// Clerk webhook deliveries for tests: a user event's `data` shaped like Clerk's, and the request
// Svix would send for it, signed with a real secret (the svix package's own signer).
import { randomBytes } from 'node:crypto';
import { Webhook } from 'svix';

export function clerkUserData(id: string, updatedAt: number, firstName = 'Wendy') {
  return {
    id,
    object: 'user',
    first_name: firstName,
    last_name: 'Hook',
    username: null,
    image_url: '',
    primary_email_address_id: 'idn_1',
    email_addresses: [{ id: 'idn_1', email_address: `${id}@example.test` }],
    created_at: updatedAt,
    updated_at: updatedAt,
  };
}

/** The body and headers of a signed delivery; `timestamp` and `secret` let a test make bad ones. */
export function signedDelivery(secret: string, type: string, data: unknown, opts: { id?: string; timestamp?: Date } = {}) {
  const id = opts.id ?? `msg_${randomBytes(8).toString('hex')}`;
  const timestamp = opts.timestamp ?? new Date();
  const body = JSON.stringify({ type, object: 'event', data, timestamp: timestamp.getTime() });
  const headers = {
    'content-type': 'application/json',
    'svix-id': id,
    'svix-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'svix-signature': new Webhook(secret).sign(id, timestamp, body),
  };
  return { id, body, headers };
}
