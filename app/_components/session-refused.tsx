// Shown on the sign-in page when the browser holds a Clerk session that this server refused: without
// it Clerk's form, which sees a signed-in browser, would show nothing at all.
import { SignOutButton } from '@clerk/nextjs';
import { auth } from '@clerk/nextjs/server';
import { isRefusedSessionReason } from '@/lib/session-refusal';

export async function SessionRefused() {
  const session = await auth();
  if (session.userId) return null;
  // A signed-out auth object carries the middleware's verdict (its x-clerk-auth-reason).
  const { authReason } = session.debug() as { authReason?: string };
  if (!isRefusedSessionReason(authReason)) return null;
  return (
    <section className="card" role="alert" aria-labelledby="session-refused-title">
      <h2 id="session-refused-title">Signed in, but this server refused the session</h2>
      <p>
        Clerk signed you in, but the app could not accept the session (<code>{authReason}</code>), so it cannot show your pages. The
        server&apos;s log says why and how to fix it.
      </p>
      <SignOutButton>
        <button type="button">Sign out and try again</button>
      </SignOutButton>
    </section>
  );
}
