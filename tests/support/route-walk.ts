// "Deny by default" without path matching: every page, route handler and server action the build
// contains is requested signed out, and each must refuse on its own. The list comes from the build's
// manifests, so a page or route added later is walked without anyone listing it here; only the
// public ones are named, on purpose.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { SIGNED_OUT } from '../../lib/signed-out.ts';

const require = createRequire(import.meta.url);
// React's own encoder for server action arguments: the body a browser sends to a server action.
const { encodeReply } = require('next/dist/compiled/react-server-dom-turbopack/client.node.js') as {
  encodeReply: (args: unknown[]) => Promise<string | FormData>;
};

/** Public on purpose. Anything else must refuse a signed-out caller. */
const PUBLIC_PAGES = new Set(['/', '/sign-in/[[...sign-in]]', '/sign-up/[[...sign-up]]', '/_not-found', '/_global-error']);
/** The webhook, authenticated by its Svix signature; Clerk's Frontend API, which a signed-out clerk-js must reach. */
const PUBLIC_ROUTES = new Set(['/api/webhooks/clerk', '/__clerk/[[...path]]']);
/** The exact answer every server action gives a signed-out caller (lib/server-action.ts). */

export interface BuiltApp {
  pages: string[];
  routes: string[];
  /** Server actions defined by the app (not by a dependency), with the page they are posted to. */
  actions: { id: string; name: string; page: string }[];
}

/** Every page, route handler and app server action in a production build. */
export function builtApp(distDir: string): BuiltApp {
  const read = (file: string) => JSON.parse(fs.readFileSync(path.join(distDir, file), 'utf8'));
  const entries = read('app-path-routes-manifest.json') as Record<string, string>;
  const pages = Object.entries(entries)
    .filter(([entry]) => entry.endsWith('/page'))
    .map(([, route]) => route);
  const routes = Object.entries(entries)
    .filter(([entry]) => entry.endsWith('/route'))
    .map(([, route]) => route);
  const manifest = read('server/server-reference-manifest.json') as {
    node: Record<string, { exportedName?: string; filename?: string; workers?: Record<string, unknown> }>;
  };
  const actions = Object.entries(manifest.node)
    .filter(([, e]) => e.filename && !e.filename.startsWith('node_modules/'))
    .map(([id, e]) => {
      const worker = Object.keys(e.workers ?? {})[0] ?? '';
      return { id, name: e.exportedName ?? id, page: entries[worker.replace(/^app/, '')] ?? '/' };
    });
  return { pages, routes, actions };
}

/** A concrete URL path for a route pattern: dynamic segments get a well-formed sample value. */
export function samplePath(route: string): string {
  return (
    route
      .replace(/\/\[\[\.\.\.[^\]]+\]\]/g, '')
      .replace(/\[\.\.\.[^\]]+\]/g, 'sample')
      .replace(/\[[^\]]+\]/g, '00000000-0000-4000-8000-000000000000') || '/'
  );
}

// What a browser that was here before sends once signed out (with a pk_test_ key, the dev-browser cookie too).
const SIGNED_OUT_COOKIES = '__client_uat=0; __clerk_db_jwt=dvb_route_walk';
const METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const WITHOUT_BODY = new Set<string>(['GET', 'HEAD', 'OPTIONS']);

/** Everything that answered a signed-out caller with more than a refusal: empty means deny by default holds. */
export async function findUnprotected(appUrl: string, app: BuiltApp): Promise<string[]> {
  const problems: string[] = [];
  for (const route of app.pages.filter((p) => !PUBLIC_PAGES.has(p))) {
    const url = new URL(samplePath(route), appUrl);
    for (const method of ['GET', 'HEAD']) {
      const res = await fetch(url, { method, headers: { cookie: SIGNED_OUT_COOKIES, accept: 'text/html' }, redirect: 'manual' });
      await res.arrayBuffer();
      const location = res.headers.get('location') ? new URL(res.headers.get('location')!, url) : null;
      if (res.status !== 307 || location?.pathname !== '/sign-in' || location.searchParams.get('redirect_url') !== url.href) {
        problems.push(
          `page ${method} ${route}: ${res.status}${location ? ` -> ${location.pathname}${location.search}` : ''} (want 307 to /sign-in?redirect_url=${url.href})`,
        );
      }
    }
    // OPTIONS renders nothing: whatever Next.js answers, it must not be the page.
    const options = await fetch(url, {
      method: 'OPTIONS',
      headers: { cookie: SIGNED_OUT_COOKIES, accept: 'text/html' },
      redirect: 'manual',
    });
    const text = await options.text();
    if (options.status === 200 || /<html/i.test(text))
      problems.push(`page OPTIONS ${route}: ${options.status} ${text.slice(0, 120)} (want no page)`);
  }
  for (const route of app.routes.filter((r) => !PUBLIC_ROUTES.has(r))) {
    const url = new URL(samplePath(route), appUrl);
    const answers: number[] = [];
    for (const method of METHODS) {
      const res = await fetch(url, {
        method,
        headers: { 'content-type': 'application/json' },
        body: WITHOUT_BODY.has(method) ? undefined : '{}',
        redirect: 'manual',
      });
      const body = await res.text();
      answers.push(res.status);
      // 405: the route does not export this method.
      if (res.status === 405) continue;
      // HEAD answers without a body: the status says it all.
      if (method === 'HEAD') {
        if (res.status !== 401) problems.push(`route HEAD ${route}: ${res.status} (want 401)`);
        continue;
      }
      let error: unknown;
      try {
        error = (JSON.parse(body) as { error?: unknown }).error;
      } catch {
        error = undefined;
      }
      if (res.status !== 401 || typeof error !== 'string' || !/sign in/i.test(error))
        problems.push(`route ${method} ${route}: ${res.status} ${body.slice(0, 120)} (want 401 JSON)`);
    }
    if (!answers.includes(401)) problems.push(`route ${route}: no method answered 401 (${answers.join(', ')})`);
  }
  for (const action of app.actions) {
    const form = new FormData();
    form.append('title', 'route walk');
    form.append('name', 'route walk');
    form.append('id', '00000000-0000-4000-8000-000000000000');
    // Both shapes an action is called with: (previousState, formData) and (formData).
    for (const args of [[{}, form], [form]]) {
      const res = await fetch(new URL(action.page, appUrl), {
        method: 'POST',
        headers: { 'next-action': action.id, accept: 'text/x-component', cookie: SIGNED_OUT_COOKIES, origin: new URL(appUrl).origin },
        body: await encodeReply(args),
        redirect: 'manual',
      });
      const text = await res.text();
      if (!text.includes(JSON.stringify(SIGNED_OUT)))
        problems.push(
          `action ${action.name} (${action.page}, ${args.length} args): ${res.status} ${text.slice(0, 160)} (want the signed-out error)`,
        );
    }
  }
  return problems;
}
