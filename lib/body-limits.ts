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
 * Clerk's Frontend API through this app's route (app/%5F%5Fclerk): Clerk's UI uploads profile pictures
 * of up to 10,000,000 bytes (its own check), as multipart form data. Streamed, never buffered.
 */
export const MAX_CLERK_PROXY_BODY_BYTES = 10 * 1024 * 1024;
