// What a browser downloads on first load: the JavaScript files the production build's HTML for a
// page references (script tags and script preloads under /_next/static), read from the build folder
// and gzipped with zlib, as a CDN would serve them. clerk-js is not counted: Clerk loads it from its
// own URL (here /__clerk/npm/...), separately from the app's bundles. The build manifests give the
// framework runtime (build-manifest.json rootMainFiles) and the per-segment chunks (each route's
// client reference manifest); marker strings in each chunk say which libraries it carries.
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadKeys } from 'clerk-supabase-local-stack';
import { mintSessionToken } from 'clerk-supabase-local-stack';
import { projectRoot } from 'clerk-supabase-local-stack';
import type { StartedApp } from './app.ts';
import { benchUser } from './rls.ts';
import type { BrowserResult, ChunkInfo, PageJs } from './report.ts';
import { logLine } from './stats.ts';

// Strings that survive minification and only appear in code from that library.
const MARKERS: [label: string, pattern: RegExp, min: number][] = [
  ['@clerk/*', /clerk/gi, 20],
  ['@supabase/supabase-js', /supabase|postgrest/gi, 10],
  ['zod', /\$ZodType|ZodError|zod/g, 10],
  ['react-dom', /react\.dev\/errors|__reactContainer|__reactFiber/g, 1],
];

function scriptUrls(html: string): { app: string[]; other: string[] } {
  const urls = new Set<string>();
  const other = new Set<string>();
  for (const m of html.matchAll(/<script\b([^>]*)>/g)) {
    const attrs = m[1];
    if (/\bnomodule\b/i.test(attrs)) continue; // legacy polyfills: modern browsers skip them
    const src = /\bsrc="([^"]+)"/.exec(attrs)?.[1];
    if (!src) continue;
    (src.startsWith('/_next/static/') ? urls : other).add(src.replace(/&amp;/g, '&'));
  }
  for (const m of html.matchAll(/<link\b([^>]*)>/g)) {
    const attrs = m[1];
    if (!/\brel="(preload|modulepreload)"/.test(attrs) || (/\brel="preload"/.test(attrs) && !/\bas="script"/.test(attrs))) continue;
    const href = /\bhref="([^"]+)"/.exec(attrs)?.[1];
    if (href?.startsWith('/_next/static/')) urls.add(href.replace(/&amp;/g, '&'));
  }
  return { app: [...urls], other: [...other] };
}

function chunkInfo(distDir: string, url: string, framework: Set<string>): ChunkInfo {
  const rel = url.replace(/^\/_next\//, '').replace(/\?.*$/, '');
  const buf = fs.readFileSync(path.join(distDir, decodeURIComponent(rel)));
  const text = buf.toString('utf8');
  const contains = framework.has(rel)
    ? ['Next.js + React runtime']
    : MARKERS.filter(([, re, min]) => (text.match(re)?.length ?? 0) >= min).map(([label]) => label);
  return {
    file: rel,
    bytes: buf.length,
    gzipBytes: gzipSync(buf, { level: 9 }).length,
    contains: contains.length ? contains : ['app code'],
  };
}

/** Next's own list of a route's first-load chunks (diagnostics/route-bundle-stats.json), to cross-check. */
function buildStatsFor(distDir: string, route: string): string[] | null {
  const file = path.join(distDir, 'diagnostics/route-bundle-stats.json');
  if (!fs.existsSync(file)) return null;
  const stats = JSON.parse(fs.readFileSync(file, 'utf8')) as { route: string; firstLoadChunkPaths: string[] }[];
  const entry = stats.find((s) => s.route === route);
  return entry ? entry.firstLoadChunkPaths.map((p) => p.replace(/^[^/]*\//, '')) : null;
}

async function page(
  app: StartedApp,
  distDir: string,
  framework: Set<string>,
  name: string,
  pathname: string,
  headers: Record<string, string>,
  mustContain: RegExp,
): Promise<PageJs & { otherScripts: string[] }> {
  const res = await fetch(`${app.url}${pathname}`, {
    headers: { accept: 'text/html', 'sec-fetch-dest': 'document', ...headers },
    redirect: 'manual',
  });
  const html = await res.text();
  if (res.status !== 200 || !mustContain.test(html)) {
    throw new Error(
      `${name} (${pathname}) did not render as expected: HTTP ${res.status} ${res.headers.get('location') ?? ''} ${html.slice(0, 200)}`,
    );
  }
  const { app: urls, other } = scriptUrls(html);
  const chunks = urls.map((u) => chunkInfo(distDir, u, framework)).sort((a, b) => b.gzipBytes - a.gzipBytes);
  const byOrigin: Record<string, number> = {};
  for (const c of chunks) {
    const key = c.contains.join(' + ');
    byOrigin[key] = (byOrigin[key] ?? 0) + c.gzipBytes;
  }
  const fromBuild = buildStatsFor(distDir, pathname);
  const notInHtml = fromBuild?.filter((f) => !chunks.some((c) => c.file === f)) ?? [];
  const notInBuildStats = fromBuild ? chunks.filter((c) => !fromBuild.includes(c.file)).map((c) => c.file) : [];
  return {
    name,
    path: pathname,
    status: res.status,
    buildStatsAgree: fromBuild ? notInHtml.length === 0 && notInBuildStats.length === 0 : null,
    ...(notInHtml.length || notInBuildStats.length ? { notInHtml, notInBuildStats } : {}),
    chunks,
    bytes: chunks.reduce((a, c) => a + c.bytes, 0),
    gzipBytes: chunks.reduce((a, c) => a + c.gzipBytes, 0),
    byOrigin,
    otherScripts: other,
  };
}

export async function benchBrowser(app: StartedApp, distDirName: string): Promise<BrowserResult> {
  const distDir = path.join(projectRoot, distDirName);
  const manifest = JSON.parse(fs.readFileSync(path.join(distDir, 'build-manifest.json'), 'utf8')) as { rootMainFiles?: string[] };
  const framework = new Set(manifest.rootMainFiles ?? []);

  // A signed-in browser: Clerk's session cookie plus the two cookies a development instance expects
  // (otherwise a document request is sent through Clerk's handshake redirect first).
  const keys = await loadKeys();
  const iat = Math.floor(Date.now() / 1000);
  const user = benchUser(1);
  const token = await mintSessionToken(
    keys,
    { userId: user, sessionId: 'sess_bench_browser', authorizedParty: `http://127.0.0.1:${app.mode.port}` },
    { expiresInSeconds: 3600, issuedAt: iat },
  );
  const cookie = `__session=${token}; __client_uat=${iat}; __clerk_db_jwt=bench`;

  // Signed out, past the development instance's first handshake (as a returning visitor is).
  const landing = await page(app, distDir, framework, 'landing', '/', { cookie: '__client_uat=0; __clerk_db_jwt=bench' }, /<html/i);
  const dashboard = await page(app, distDir, framework, 'dashboard', '/dashboard', { cookie }, /Benchmark task/);
  const shared = landing.chunks.filter((c) => dashboard.chunks.some((d) => d.file === c.file));
  for (const p of [landing, dashboard]) {
    logLine(
      'browser',
      `${p.name}: ${p.chunks.length} files, ${(p.bytes / 1000).toFixed(1)} KB raw, ${(p.gzipBytes / 1000).toFixed(1)} KB gzip; ${Object.entries(
        p.byOrigin,
      )
        .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} KB`)
        .join(', ')}${p.otherScripts.length ? `; not counted: ${p.otherScripts.join(', ')}` : ''}`,
    );
  }
  return {
    pages: [landing, dashboard],
    sharedGzipBytes: shared.reduce((a, c) => a + c.gzipBytes, 0),
    note: `every /_next/static script and script preload in the page's HTML, gzip -9 with zlib; clerk-js (${[...new Set([...landing.otherScripts, ...dashboard.otherScripts])].map((s) => s.replace(/\?.*/, '').split('/').slice(-3).join('/')).join(', ') || 'loaded at runtime'}) is not counted`,
  };
}
