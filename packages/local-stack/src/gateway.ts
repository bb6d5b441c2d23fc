// The local stand-in for Supabase's API gateway at http://127.0.0.1:54321, so that
// NEXT_PUBLIC_SUPABASE_URL has the hosted shape. Like Supabase's gateway it serves PostgREST under
// /rest/v1, requires an `apikey` (header or query), swaps the new-style sb_publishable_/sb_secret_
// keys for the role JWTs PostgREST understands, passes a user's own Bearer token through untouched,
// and answers CORS preflights for the browser client.
import http from 'node:http';
import type { LocalKeys } from './keys.ts';
import { sendJson, standInServerOptions } from './http.ts';
import type { FunctionRoute } from './functions/route.ts';

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

const corsHeaders = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, POST, PATCH, PUT, DELETE, OPTIONS',
  'Access-Control-Expose-Headers': 'Content-Range, Content-Location, Preference-Applied, X-Total-Count',
  'Access-Control-Max-Age': '3600',
};

/** `functions`: the /functions/v1 route (local/functions/route.ts), which has its own rules. */
export function createGateway(keys: LocalKeys, postgrestPort: number, functions?: FunctionRoute): http.Server {
  // apikey -> the Bearer token PostgREST gets when the request carries no user token of its own.
  const roleTokenFor = new Map<string, string>([
    [keys.supabasePublishableKey, keys.anonJwt],
    [keys.anonJwt, keys.anonJwt],
    [keys.supabaseSecretKey, keys.serviceRoleJwt],
    [keys.serviceRoleJwt, keys.serviceRoleJwt],
  ]);

  return http.createServer(standInServerOptions, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    if (functions && url.pathname.startsWith('/functions/v1/')) return functions(req, res, url);
    if (req.method === 'OPTIONS') {
      res.writeHead(200, { ...corsHeaders, 'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '*' });
      return res.end();
    }
    if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' }, corsHeaders);
    if (!url.pathname.startsWith('/rest/v1')) {
      return sendJson(
        res,
        404,
        { message: `The local gateway serves only /rest/v1 (the data API) and /functions/v1 (Edge Functions), not ${url.pathname}` },
        corsHeaders,
      );
    }
    const apikey = (req.headers.apikey as string | undefined) ?? url.searchParams.get('apikey') ?? undefined;
    if (!apikey) {
      return sendJson(
        res,
        401,
        { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' },
        corsHeaders,
      );
    }
    const roleToken = roleTokenFor.get(apikey);
    if (!roleToken) {
      return sendJson(
        res,
        401,
        { message: 'Invalid API key', hint: 'Double check your Supabase publishable or secret API key.' },
        corsHeaders,
      );
    }
    const bearer = req.headers.authorization?.replace(/^Bearer\s+/i, '');
    const headers: http.OutgoingHttpHeaders = { ...req.headers, host: `127.0.0.1:${postgrestPort}` };
    delete headers.apikey;
    headers.authorization = `Bearer ${!bearer || bearer === apikey ? roleToken : bearer}`;
    url.searchParams.delete('apikey');
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: postgrestPort,
        method: req.method,
        path: (url.pathname.slice('/rest/v1'.length) || '/') + url.search,
        headers,
        agent,
      },
      (up) => {
        // PostgREST sends its own CORS headers; keep only ours (a doubled `*, *` fails in browsers).
        const upHeaders = Object.fromEntries(Object.entries(up.headers).filter(([k]) => !k.toLowerCase().startsWith('access-control-')));
        res.writeHead(up.statusCode ?? 502, { ...upHeaders, ...corsHeaders });
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) {
        sendJson(
          res,
          503,
          { code: 'PGRST_UNAVAILABLE', message: 'The data API (PostgREST) is not answering. It may be restarting; try again shortly.' },
          corsHeaders,
        );
      } else res.destroy();
    });
    req.pipe(upstream);
  });
}
