// Placeholder until the Frontend API stand-in lands (issue 5): answers every call with a clear 501.
import http from 'node:http';
import type { LocalKeys } from '../keys.ts';
import type { StackLayout } from '../paths.ts';
import type { Store } from './store.ts';
import { sendClerkError } from '../http.ts';

export function createFrontendApi(_opts: { keys: LocalKeys; store: Store; layout: StackLayout }): http.Server {
  return http.createServer((req, res) => sendClerkError(res, 501, 'not_implemented', `Local Frontend API: ${req.method} ${req.url} is not available yet`));
}
