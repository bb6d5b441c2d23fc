// Who may drive the local stack's control endpoint (status, fault injection, stop): a request
// addressed to loopback that carries the stack's secret. Shared by the supervisor and the CLI.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { LocalKeys } from './keys.ts';

/**
 * The secret the control endpoint (status, fault injection, stop) requires in CONTROL_SECRET_HEADER.
 * Derived from the instance keys, so it is stable per checkout and never committed. A custom header
 * also makes every request from a web page a non-simple one, which the browser preflights and the
 * control endpoint never approves.
 */
export const CONTROL_SECRET_HEADER = 'x-local-stack-secret';
export function controlSecret(keys: LocalKeys): string {
  return createHmac('sha256', keys.jwtSecret).update('local-stack-control').digest('base64url');
}

const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/;

/** Why the control endpoint refuses this request, or null: a loopback Host and the stack's secret. */
export function controlRefusal(req: http.IncomingMessage, secret: string): string | null {
  if (!LOOPBACK_HOST.test(req.headers.host ?? '')) return 'The local stack control endpoint only answers requests addressed to 127.0.0.1.';
  const given = Buffer.from(String(req.headers[CONTROL_SECRET_HEADER] ?? ''));
  const wanted = Buffer.from(secret);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    return `The local stack control endpoint needs the ${CONTROL_SECRET_HEADER} header with LOCAL_STACK_CONTROL_SECRET from the stack's env file.`;
  }
  return null;
}
