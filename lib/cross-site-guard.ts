// Used by lib/api.ts, inside every JSON API route (never decided from a URL path): the API refuses
// writes a cross-site page could make with the visitor's cookies. Clerk checks no Origin for cookie
// sessions, and a browser sends a "simple" request (POST with text/plain, a form encoding or no body
// type) cross-site without asking the server first.
//
// The rule, for POST/PUT/PATCH/DELETE to a route that takes a session (the Svix-signed webhook has
// its own rule: its signature):
//   1. POST/PUT/PATCH must say `Content-Type: application/json` (else 415). A cross-site page can
//      send that type only after a CORS preflight, and this app answers no preflight, so the browser
//      never sends the write. It needs no configuration and is what the routes parse anyway.
//      (PUT/PATCH/DELETE are preflighted whatever their body: rule 1 is about POST in practice.)
//   2. An `Origin` header, when sent, must be one of the app's own origins: CLERK_AUTHORIZED_PARTIES,
//      the list Clerk checks a token's `azp` against (else 403). Browsers send Origin with every
//      write; servers and curl send none and are not a cross-site threat (they hold no cookies).
//      Never compared with the Host header: a client sets Host (a DNS-rebinding page included).
// Not "JSON or a same-origin Origin": an Origin check alone leaves an unconfigured app open, and a
// route that parses JSON should get JSON whoever calls it.
import { NextResponse } from 'next/server';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

export const NOT_JSON =
  'Send the body as JSON with the header Content-Type: application/json. This API refuses other types so that another site cannot post to it with your cookies.';

const isJson = (type: string | null) => /^application\/json\s*(;|$)/i.test(type ?? '');

/** Built once from the server's environment: `appOrigins` is CLERK_AUTHORIZED_PARTIES (unset: no Origin check). */
export function crossSiteWriteGuard(appOrigins: readonly string[] | undefined): (req: Request) => Response | null {
  return (req) => {
    if (!WRITES.has(req.method)) return null;
    const origin = req.headers.get('origin');
    if (origin !== null && appOrigins?.length && !appOrigins.includes(origin)) {
      return NextResponse.json(
        {
          error: `Cross-origin write refused: ${JSON.stringify(origin.slice(0, 100))} is not one of this app's origins (CLERK_AUTHORIZED_PARTIES).`,
        },
        { status: 403 },
      );
    }
    if (WITH_BODY.has(req.method) && !isJson(req.headers.get('content-type')))
      return NextResponse.json({ error: NOT_JSON }, { status: 415 });
    return null;
  };
}
