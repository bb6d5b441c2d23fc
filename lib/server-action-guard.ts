// Used by proxy.ts. Next.js decodes a server action's arguments before any of our code runs and
// answers a body it cannot decode with a 500 and a stack trace in the log. A browser always sends
// them as React encodes them: a JSON array (text), or multipart form data whose field "0" is that
// array. Anything else is a malformed request, answered here with a 400 before Next.js sees it.
import { NextResponse } from 'next/server';

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
