// Every request body this app accepts, and its largest size, in one place (no imports: next.config.ts
// reads it too). Each limit is checked against Content-Length first and counted while reading, so no
// body is buffered past what its receiver accepts.

/** A JSON API request (lib/api.ts): a task title or change, with room to spare. */
export const MAX_JSON_BODY_BYTES = 16 * 1024;

/** Clerk's user.* webhook events (app/api/webhooks/clerk): user objects with their metadata. */
export const MAX_WEBHOOK_BODY_BYTES = 512 * 1024;

/** A server action's form (a 200-character title, a project name): Next.js's own limit, set lower than its 1 MB default. */
export const MAX_SERVER_ACTION_BODY_BYTES = 64 * 1024;

/**
 * Clerk's Frontend API through this app's proxy (NEXT_PUBLIC_CLERK_PROXY_URL as a path): Clerk's UI
 * uploads profile pictures of up to 10,000,000 bytes (its own check), as multipart form data.
 */
const MAX_CLERK_PROXY_BODY_BYTES = 10 * 1024 * 1024;

/**
 * What proxy.ts may be sent: Next.js copies a proxied request's body up to this size (and cuts it
 * there) before proxy.ts runs. The JSON API and the webhook are not proxied and read their own bodies.
 */
export function proxyBodyLimit(clerkProxyUrl: string | undefined): number {
  return clerkProxyUrl?.startsWith('/') ? MAX_CLERK_PROXY_BODY_BYTES : MAX_SERVER_ACTION_BODY_BYTES;
}
