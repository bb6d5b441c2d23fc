// Sign-in: Clerk's prebuilt <SignIn/>; after it, Clerk returns to the page that sent the visitor here.
import { SignIn } from '@clerk/nextjs';
import { SessionRefused } from '@/app/_components/session-refused';
import { SiteHeader } from '@/app/_components/site-header';

export default function SignInPage() {
  return (
    <>
      <SiteHeader />
      <main className="auth-page">
        <h1 className="visually-hidden">Sign in</h1>
        <SessionRefused />
        <SignIn path="/sign-in" signUpUrl="/sign-up" />
      </main>
    </>
  );
}
