// Used by proxy.ts: requests Next.js would answer with a bare 500 (and a stack trace in the log)
// before any of our code runs. Each guard answers a clear 400 instead, or null to let the request on.
import { NextResponse } from 'next/server';

/**
 * A path that is not valid percent-encoding (`/api/tasks/%FF`): Next.js fails to decode the dynamic
 * segment and answers 500.
 */
export function rejectUndecodablePath(req: Request): Response | null {
  try {
    decodeURIComponent(new URL(req.url).pathname);
    return null;
  } catch {
    return NextResponse.json({ error: 'The URL path is not valid percent-encoding.' }, { status: 400 });
  }
}

/**
 * Next.js decodes a server action's arguments before any of our code runs and answers a body it
 * cannot decode with a 500. A browser always sends them as React encodes them: a JSON array (text),
 * or multipart form data whose field "0" is that array. Anything else is a malformed request.
 */
export async function rejectMalformedServerAction(req: Request): Promise<Response | null> {
  if (req.method !== 'POST' || !req.headers.has('next-action')) return null;
  const type = req.headers.get('content-type') ?? '';
  let wellFormed: boolean;
  try {
    const root = type.startsWith('multipart/form-data') ? (await req.clone().formData()).get('0') : await req.clone().text();
    wellFormed = typeof root === 'string' && Array.isArray(JSON.parse(root));
  } catch {
    wellFormed = false;
  }
  return wellFormed ? null : NextResponse.json({ error: 'Malformed server action request: send the form from the page.' }, { status: 400 });
}
