// The root layout: <ClerkProvider> around every page, so client components can read the session.
import { ClerkProvider } from '@clerk/nextjs';
import type { Metadata } from 'next';
import { headers } from 'next/headers';
import './globals.css';

export const metadata: Metadata = {
  title: 'Clerk + Supabase reference app',
  description: 'Clerk signs users in, Supabase stores their data, Postgres row-level security decides who sees what.',
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // The Content Security Policy's nonce for this request (clerkMiddleware sets it, lib/security-headers.ts):
  // the clerk-js and Clerk UI script tags need it to run. Every page renders per request already.
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  return (
    // Configured from the environment: the provider reads NEXT_PUBLIC_CLERK_PROXY_URL (with /__clerk,
    // clerk-js talks to this app's origin and app/%5F%5Fclerk forwards to Clerk's Frontend API),
    // NEXT_PUBLIC_CLERK_JS_URL, NEXT_PUBLIC_CLERK_UI_URL and NEXT_PUBLIC_CLERK_TELEMETRY_DISABLED by itself.
    <ClerkProvider
      nonce={nonce}
      signInUrl="/sign-in"
      signUpUrl="/sign-up"
      signInFallbackRedirectUrl="/dashboard"
      signUpFallbackRedirectUrl="/dashboard"
      afterSignOutUrl="/"
    >
      <html lang="en">
        <body>{children}</body>
      </html>
    </ClerkProvider>
  );
}
