// The signed-in area. The middleware already redirected signed-out visitors to /sign-in; this layout
// adds the account controls and creates the user's profile on their first visit.
import { UserButton } from '@clerk/nextjs';
import { auth } from '@clerk/nextjs/server';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { SiteHeader } from '@/app/_components/site-header';
import { ensureProfileOnce } from '@/lib/profile';

export default async function SignedInLayout({ children }: { children: React.ReactNode }) {
  const { userId } = await auth();
  if (!userId) redirect('/sign-in'); // defence in depth, should the middleware matcher ever miss a path
  await ensureProfileOnce(userId);
  return (
    <>
      <SiteHeader>
        <Link href="/dashboard">Tasks</Link>
        <Link href="/org">Organisation</Link>
        <UserButton />
      </SiteHeader>
      <main className="app-main">{children}</main>
    </>
  );
}
