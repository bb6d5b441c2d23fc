// The local equivalent of Clerk Dashboard -> Sessions -> Customize session token. What the guide
// tells you to paste there:
//
//   {
//     "plan": "{{user.public_metadata.plan}}"
//   }
//
// Clerk adds these claims to every session token it issues, next to its own (sub, sid, azp, exp, ...),
// which a customization can never override; a shortcode with no value leaves its claim out. The Edge
// Function (supabase/functions/task-report) reads `plan` from the verified token: no database lookup.
import type { TokenSubject } from './tokens.ts';

/** The custom claims for this subject (empty values dropped, as Clerk drops them). */
export function customSessionClaims(subject: TokenSubject): Record<string, unknown> {
  const plan = subject.publicMetadata?.plan;
  return plan === undefined || plan === null || plan === '' ? {} : { plan };
}
