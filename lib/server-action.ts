// The first line of every server action. A server action is a public HTTP endpoint that anyone can
// call with any arguments, so it checks the session before it looks at its input, and it accepts
// only the form data its page sends.
import 'server-only';
import { auth } from '@clerk/nextjs/server';
import { SIGNED_OUT } from '@/lib/signed-out';

const NOT_A_FORM = 'Send the form fields as form data.';

type Session = Awaited<ReturnType<typeof auth>>;

/** The signed-in session and the form, or the error the action returns as it is. */
export async function signedInForm(form: unknown): Promise<{ ok: true; session: Session; form: FormData } | { ok: false; error: string }> {
  const session = await auth();
  // A pending session (sign-up or organisation tasks unfinished) is not signed in yet, as for auth.protect().
  if (!session.userId || session.sessionStatus === 'pending') return { ok: false, error: SIGNED_OUT };
  if (!(form instanceof FormData)) return { ok: false, error: NOT_A_FORM };
  return { ok: true, session, form };
}
