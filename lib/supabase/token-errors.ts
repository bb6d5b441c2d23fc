// Why a template token could not be had (lib/supabase/template-token.ts), as the answer the app gives:
// Clerk is unreachable (503), Clerk refused the session (401), or Clerk's active organisation is not the
// request's (409). lib/supabase/server.ts asks for the token before it sends a query, so this error
// reaches the caller as itself: route() answers it as JSON, pages and actions show its message.
import { ApiError } from '@/lib/errors';

export const CLERK_UNAVAILABLE_MESSAGE =
  'Clerk (the sign-in service) is unreachable right now, so no database token could be issued. Try again in a moment.';
export const CLERK_SESSION_REFUSED_MESSAGE = 'Your session was refused by Clerk. Sign in again.';
export const CLERK_ORG_MISMATCH_MESSAGE =
  'Your active organisation changed (in another tab?) while this request was on its way, so it was not run. Reload the page.';

export class TemplateTokenError extends ApiError {
  /** What Clerk said, for the server's log; the user sees only the message. */
  readonly detail: string;
  constructor(status: 401 | 409 | 503, message: string, detail: string) {
    super(status, message);
    this.name = 'TemplateTokenError';
    this.detail = detail;
  }
}
