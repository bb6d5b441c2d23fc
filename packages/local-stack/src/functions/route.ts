// The gateway's /functions/v1/<name> route, as Supabase's serves it: no `apikey` needed; with
// verify_jwt on (Supabase's default) only a JWT signed with the project's own key gets through, and
// everything else is refused with 401 "Invalid JWT" before the function runs (a Clerk session token
// included: the pitfall config.toml's `verify_jwt = false` avoids); with it off, the request reaches
// the function untouched, which then checks the token itself. The function sees the path without
// /functions/v1 (`/<name>/...`) and answers CORS itself: nothing is added here.
import http from 'node:http';
import { jwtVerify } from 'jose';
import type { LocalKeys } from '../keys.ts';
import { sendJson } from '../http.ts';
import type { EdgeFunction } from './config.ts';

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
// Only the gateway's own error answers carry these, so a browser can read why a call failed.
const cors = { 'Access-Control-Allow-Origin': '*' };

export type FunctionRoute = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void;

export function functionRoute(keys: LocalKeys, functions: EdgeFunction[], logFile: string): FunctionRoute {
  const secret = new TextEncoder().encode(keys.jwtSecret);
  return (req, res, url) => {
    const [name, ...rest] = url.pathname.slice('/functions/v1/'.length).split('/');
    const fn = functions.find((f) => f.name === name);
    if (!fn) return sendJson(res, 404, { code: 'NOT_FOUND', message: 'Requested function was not found' }, cors);
    const forward = () => proxy(req, res, fn, `/${[name, ...rest].join('/')}${url.search}`, logFile);
    if (!fn.verifyJwt || req.method === 'OPTIONS') return forward();
    const bearer = req.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (!bearer) return sendJson(res, 401, { code: 401, message: 'Missing authorization header' }, cors);
    jwtVerify(bearer, secret, { algorithms: ['HS256'] }).then(forward, () =>
      sendJson(res, 401, { code: 401, message: 'Invalid JWT' }, cors),
    );
  };
}

function proxy(req: http.IncomingMessage, res: http.ServerResponse, fn: EdgeFunction, pathAndQuery: string, logFile: string) {
  const upstream = http.request(
    {
      host: '127.0.0.1',
      port: fn.port,
      method: req.method,
      path: pathAndQuery,
      headers: { ...req.headers, host: `127.0.0.1:${fn.port}` },
      agent,
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (res.headersSent) return void res.destroy();
    sendJson(
      res,
      503,
      {
        code: 'FUNCTION_UNAVAILABLE',
        message: `The Edge Function ${fn.name} is not running (it may be restarting after a change, or failed to load). Its output is in ${logFile}.`,
      },
      cors,
    );
  });
  req.pipe(upstream);
}
