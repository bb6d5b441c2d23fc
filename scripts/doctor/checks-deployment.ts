// The checks of how the app is laid out and deployed: proxy.ts where Next.js 16 looks for it,
// production Clerk keys on the production instance's own domain, and a webhook URL that Clerk's
// deliveries reach without a redirect or a login wall in front of the route.
import fs from 'node:fs';
import path from 'node:path';
import { problem } from './causes.ts';
import { clerkHostFromPublishableKey, type Ctx } from './config.ts';
import { http, networkReason } from './http.ts';

const CODE_FILE = /\.(ts|js|mjs|tsx|jsx)$/;
const present = (dir: string, name: string) =>
  fs.existsSync(dir) && fs.readdirSync(dir).some((f) => f.replace(CODE_FILE, '') === name && CODE_FILE.test(f));

/** proxy.ts beside a leftover middleware.ts, or outside src/ in a src/ project. Reads the folder doctor runs in. */
export async function checkProjectFiles(ctx: Ctx): Promise<string> {
  const root = ctx.projectDir;
  const src = path.join(root, 'src');
  // Next.js reads proxy/middleware from src/ when the app lives in src/app, and from the root otherwise.
  const usesSrc = fs.existsSync(path.join(src, 'app')) && !fs.existsSync(path.join(root, 'app'));
  const home = usesSrc ? src : root;
  const where = usesSrc ? 'src/' : '';
  if (present(home, 'proxy') && present(home, 'middleware')) {
    throw problem(
      'middleware-and-proxy',
      `${where}proxy.ts and ${where}middleware.ts are both here: next build stops ("Both middleware file "./${where}middleware.ts" and proxy file "./${where}proxy.ts" are detected").`,
      `Keep ${where}proxy.ts (Next.js 16's name) and move anything the old ${where}middleware.ts did into it; then delete ${where}middleware.ts.`,
    );
  }
  if (usesSrc && present(root, 'proxy') && !present(src, 'proxy')) {
    throw problem(
      'proxy-outside-src',
      'The app lives in src/app, but proxy.ts is in the project root: Next.js only looks for src/proxy.ts there, so Clerk never runs and every auth() call fails.',
      'Move proxy.ts to src/proxy.ts (and fix its @/ imports if your paths alias points into src/).',
    );
  }
  if (!present(home, 'proxy'))
    return present(home, 'middleware')
      ? `${where}middleware.ts (Next.js 16 calls it proxy.ts: rename it to silence the deprecation notice)`
      : `no ${where}proxy.ts found here (run doctor in the project folder)`;
  return `${where}proxy.ts in place${usesSrc ? ' (src/ layout)' : ''}`;
}

/** A production key works only on the production instance's domain and its subdomains. */
export function productionDomainWarning(ctx: Ctx): void {
  const pk = ctx.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY ?? '';
  if (!pk.startsWith('pk_live_') || !ctx.env.CLERK_AUTHORIZED_PARTIES) return;
  const domain = (clerkHostFromPublishableKey(pk) ?? '').replace(/^clerk\./, '');
  const outside = ctx.env.CLERK_AUTHORIZED_PARTIES.split(',')
    .map((o) => o.trim())
    .filter((o) => {
      try {
        const host = new URL(o).hostname;
        return host !== domain && !host.endsWith(`.${domain}`);
      } catch {
        return true;
      }
    });
  if (outside.length) {
    ctx.warnings.push({
      cause: 'production-keys-domain',
      message: `Production keys (pk_live_) belong to ${domain}, but CLERK_AUTHORIZED_PARTIES lists ${outside.join(', ')}: the browser there shows "Production Keys are only allowed for domain ${domain}" and nobody can sign in.`,
      fix: `Serve the app from ${domain} or a subdomain of it (Clerk Dashboard -> Domains), use the development instance's pk_test_ keys elsewhere (localhost, preview URLs), or add that domain as a satellite.`,
    });
  }
}

/**
 * Posts an unsigned event to the deployment's webhook route, as Clerk would, without following
 * redirects. The route answers 400 (bad signature) or 503 (no signing secret): either way it ran,
 * and nothing is written. Only for a deployment, the first origin in CLERK_AUTHORIZED_PARTIES.
 */
export async function checkWebhookEndpoint(ctx: Ctx): Promise<string> {
  const origin = ctx.env.CLERK_AUTHORIZED_PARTIES?.split(',')[0]?.trim();
  if (!origin) return 'not checked (CLERK_AUTHORIZED_PARTIES names no deployment)';
  const url = `${origin.replace(/\/+$/, '')}/api/webhooks/clerk`;
  let r;
  try {
    r = await http(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/json', 'svix-id': 'msg_doctor', 'svix-timestamp': '0', 'svix-signature': 'v1,doctor' },
      body: '{}',
      timeoutMs: 5000,
    });
  } catch (e) {
    return `not checked (${url}: ${networkReason(e)})`;
  }
  if (r.status >= 300 && r.status < 400) {
    throw problem(
      'webhook-redirects',
      `${url} answers ${r.status} (a redirect): Clerk's deliveries do not follow redirects, so every event fails with ${r.status} under Message Attempts.`,
      'Give the webhook endpoint the exact URL that serves the app (apex or www, https), the one this request ends at; Clerk Dashboard -> Webhooks -> your endpoint -> Endpoint URL.',
    );
  }
  if ([401, 403, 404, 405].includes(r.status)) {
    throw problem(
      'webhook-refused',
      `${url} answers ${r.status} before the route runs: the deployment is protected (Vercel Deployment Protection, a password, an auth proxy) or the route is not deployed.`,
      'Leave /api/webhooks/clerk reachable without a login (Vercel: Deployment Protection off for production, or a bypass for it), and deploy the current code.',
    );
  }
  if (r.status === 400 || r.status === 503) return `${url} reaches the route (${r.status} to an unsigned test event, as designed)`;
  return `${url} answered ${r.status} to an unsigned test event`;
}
