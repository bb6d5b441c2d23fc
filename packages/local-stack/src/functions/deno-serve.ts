// Runs one Supabase Edge Function on Deno the way Supabase's edge runtime hosts it: the function's
// `export default { fetch }` (Supabase's current shape, as `deno serve` runs it) or its own
// `Deno.serve(handler)` call is bound to the port this process was given, on loopback only (a
// hosted function never picks its port, and the local stack listens on 127.0.0.1 only). Started by
// local/functions/runner.ts:
//   deno run <permissions> local/functions/deno-serve.ts <port> <path of the function's index.ts>
import { pathToFileURL } from 'node:url';

const [portArg, entry] = Deno.args;
const port = Number(portArg);
if (!Number.isInteger(port) || !entry) {
  console.error('usage: deno-serve.ts <port> <function entry file>');
  Deno.exit(2);
}

type Handler = Deno.ServeHandler;
const serve = Deno.serve.bind(Deno);
let served = false;
// Deno.serve(handler), Deno.serve(options, handler) and Deno.serve({ ...options, handler }).
Deno.serve = ((a: unknown, b?: unknown) => {
  const handler = (typeof a === 'function' ? a : typeof b === 'function' ? b : (a as { handler?: Handler }).handler) as Handler | undefined;
  if (!handler) throw new Error('Deno.serve() was called without a handler');
  const options = typeof a === 'object' && a !== null ? (a as Deno.ServeOptions) : {};
  served = true;
  return serve({ ...options, hostname: '127.0.0.1', port, onListen: () => console.log(`listening on 127.0.0.1:${port}`) }, handler);
}) as typeof Deno.serve;

const loaded = (await import(pathToFileURL(entry).href)) as { default?: { fetch?: Handler } };
const fetchHandler = loaded.default?.fetch;
if (!served && typeof fetchHandler === 'function') Deno.serve((req, info) => fetchHandler.call(loaded.default, req, info));
if (!served) {
  console.error(
    `${entry} neither exports default { fetch } nor calls Deno.serve(): an Edge Function serves its requests with one of them.`,
  );
  Deno.exit(1);
}
