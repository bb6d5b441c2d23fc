// Sign-up: Clerk's prebuilt <SignUp/>, which signs the new user in and returns to /dashboard.
import { SignUp } from '@clerk/nextjs';
import { SiteHeader } from '@/app/_components/site-header';

export default function SignUpPage() {
  return (
    <>
      <SiteHeader />
      <main className="auth-page">
        <h1 className="visually-hidden">Sign up</h1>
        <SignUp path="/sign-up" signInUrl="/sign-in" />
      </main>
    </>
  );
}
