// <ClerkProvider> reads its settings from the environment (publishable key, NEXT_PUBLIC_CLERK_PROXY_URL,
// NEXT_PUBLIC_CLERK_JS_URL, NEXT_PUBLIC_CLERK_UI_URL).
import { ClerkProvider } from '@clerk/nextjs';

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <ClerkProvider signInUrl="/sign-in" signInFallbackRedirectUrl="/">
      <html lang="en">
        <body>{children}</body>
      </html>
    </ClerkProvider>
  );
}
