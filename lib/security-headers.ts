// The headers a browser needs to protect this app's pages: no other site may frame them (the delete
// buttons), no response is sniffed into another type, and the Content Security Policy lets scripts
// run only when the server sent them. next.config.ts sends the static ones with every response;
// proxy.ts hands the policy to clerkMiddleware, which adds a fresh nonce per request.
//
// The policy is Clerk's own (clerkMiddleware's `contentSecurityPolicy`, built from Clerk's documented
// directives: clerk-js and Clerk's UI, img.clerk.com, Cloudflare's bot protection, workers from blob:,
// inline styles for Clerk's CSS-in-JS) in strict mode: `'strict-dynamic'` with a per-request nonce, so
// Next.js's scripts and what they load (clerk-js from the Frontend API) run, and an injected
// <script> does not. Every page already renders per request (ClerkProvider reads the session), so the
// nonce costs no static page. Added here: the data API and Edge Functions (both under
// NEXT_PUBLIC_SUPABASE_URL), Realtime's WebSocket on the same host (wss://), and who may frame the app.
import type { ServerEnv } from './env';

/** Sent with every response (next.config.ts). X-Frame-Options for browsers without frame-ancestors. */
export const staticSecurityHeaders = [
  { key: 'X-Frame-Options', value: 'SAMEORIGIN' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
];

/** clerkMiddleware's `contentSecurityPolicy` option for this app. */
export function contentSecurityPolicy(env: Pick<ServerEnv, 'NEXT_PUBLIC_SUPABASE_URL' | 'NEXT_PUBLIC_CLERK_PROXY_URL'>) {
  const supabase = new URL(env.NEXT_PUBLIC_SUPABASE_URL).origin;
  // An absolute proxy URL (https://app.example.com/__clerk) is where clerk-js talks to Clerk.
  const clerkProxy = env.NEXT_PUBLIC_CLERK_PROXY_URL?.startsWith('https://') ? [new URL(env.NEXT_PUBLIC_CLERK_PROXY_URL).origin] : [];
  return {
    strict: true,
    directives: {
      'connect-src': [supabase, supabase.replace(/^http/, 'ws'), ...clerkProxy],
      'frame-ancestors': ['self'],
      'base-uri': ['self'],
      'object-src': ['none'],
    },
  };
}
