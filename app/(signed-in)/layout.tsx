// The signed-in area's frame: account controls, and the user's profile created on their first visit.
// It checks the session for itself, but a layout is not re-rendered on client-side navigation, so
// each page below checks it too (auth.protect()): the page, not this layout, guards its data.
import { UserButton } from '@clerk/nextjs';
import { auth } from '@clerk/nextjs/server';
import Link from 'next/link';
import { SiteHeader } from '@/app/_components/site-header';
import { ensureProfileOnce } from '@/lib/profile';

export default async function SignedInLayout({ children }: { children: React.ReactNode }) {
  await ensureProfileOnce(await auth.protect());
  return (
    <>
      <SiteHeader>
        <Link href="/dashboard">Tasks</Link>
        <Link href="/org">Organisation</Link>
        <Link href="/reports">Reports</Link>
        <UserButton />
      </SiteHeader>
      <main className="app-main">{children}</main>
    </>
  );
}
