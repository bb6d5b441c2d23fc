// The public landing page: the same for everyone, with links that depend on whether you are signed in.
import { auth } from '@clerk/nextjs/server';
import Link from 'next/link';
import { SiteHeader } from '@/app/_components/site-header';

export default async function LandingPage() {
  const { userId } = await auth();
  return (
    <>
      <SiteHeader>
        {userId ? (
          <Link href="/dashboard">Dashboard</Link>
        ) : (
          <>
            <Link href="/sign-in">Sign in</Link>
            <Link href="/sign-up" className="button">
              Sign up
            </Link>
          </>
        )}
      </SiteHeader>
      <main className="landing">
        <h1>Clerk signs users in. Supabase stores their data. Postgres decides who sees what.</h1>
        <p>
          Every query this app makes carries the user&apos;s Clerk token to Supabase, and row-level security policies on text Clerk ids
          decide which rows come back: your tasks are yours, your organisation&apos;s projects are shared with its members.
        </p>
        <p className="actions">
          {userId ? (
            <Link href="/dashboard" className="button">
              Open your dashboard
            </Link>
          ) : (
            <>
              <Link href="/sign-in" className="button">
                Sign in
              </Link>
              <Link href="/sign-up">Create an account</Link>
            </>
          )}
        </p>
      </main>
    </>
  );
}
