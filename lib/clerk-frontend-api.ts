// Clerk's Frontend API from this app's origin (NEXT_PUBLIC_CLERK_PROXY_URL=/__clerk): clerk-js's calls
// and, on the local stack, its bundles. A route handler rather than clerkMiddleware's frontendApiProxy:
// for a request proxy.ts matches, Next.js first copies the body and rethrows a client's disconnect from
// that copy as an uncaught exception (docs/e2e.md, "A closed tab in the server log"). Here the body
// streams through to Clerk, counted, and a client that goes away is a quiet event.
import { clerkFrontendApiProxy } from '@clerk/nextjs/server';
import { NextResponse } from 'next/server';
import { publicRoute } from '@/lib/api';
import { MAX_CLERK_PROXY_BODY_BYTES } from '@/lib/body-limits';
import { CLERK_PROXY_PATH, serverEnv } from '@/lib/env';
import { ApiError } from '@/lib/errors';

const tooLarge = () => new ApiError(413, `The body is larger than ${MAX_CLERK_PROXY_BODY_BYTES} bytes.`);

/** The body as it arrives, cut off with an error (which fails Clerk's upstream fetch) past `limit` bytes. */
function counted(body: ReadableStream<Uint8Array>, limit: number, onOverLimit: () => void) {
  let size = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size <= limit) return controller.enqueue(chunk);
        onOverLimit();
        controller.error(new Error('body over limit'));
      },
    }),
  );
}

/** Every method of app/%5F%5Fclerk/[[...path]]/route.ts. Guarded like any public route (lib/api.ts). */
export const frontendApiRoute = publicRoute(async (req) => {
  const env = serverEnv();
  // Served only when the app is configured to use it: otherwise clerk-js talks to Clerk directly.
  if (env.NEXT_PUBLIC_CLERK_PROXY_URL !== CLERK_PROXY_PATH) return NextResponse.json({ error: 'Not found.' }, { status: 404 });
  if (Number(req.headers.get('content-length') ?? 0) > MAX_CLERK_PROXY_BODY_BYTES) throw tooLarge();
  let overLimit = false;
  const forwarded = new Request(req.url, {
    method: req.method,
    headers: req.headers,
    body: req.body && counted(req.body, MAX_CLERK_PROXY_BODY_BYTES, () => (overLimit = true)),
    signal: req.signal,
    duplex: 'half',
  } as RequestInit);
  const res = await clerkFrontendApiProxy(forwarded, {
    proxyPath: CLERK_PROXY_PATH,
    publishableKey: env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY,
    secretKey: env.CLERK_SECRET_KEY,
  });
  if (overLimit) throw tooLarge();
  // Clerk's proxy answers a failed upstream fetch with 502 and logs nothing. A page whose clerk-js chunk
  // got one shows no <UserButton/> and no sign-in form: the path (never its query) is the server's trace.
  // A client that went away mid-upload also fails the fetch: nobody to answer, nothing to report.
  if (res.status === 502 && !req.signal.aborted)
    console.error(`Clerk's Frontend API proxy answered 502 for ${req.method} ${req.nextUrl.pathname}`);
  return res;
});
