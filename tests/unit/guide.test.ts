// The guide (README.md and docs/*.md) agrees with itself and with the code around it: it stays short
// enough to read in one sitting, its links and anchors lead somewhere, doctor's fix texts name headings
// that exist, the dashboards' pages and settings are spelled as tests/support/dashboards.ts lists them,
// the file map names real files, the tools-only variables are described alike in the README and
// .env.example, and the Supabase CLI says what the config.toml pitfall quotes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { codeBlocks, guideFiles, readme, section } from '../support/readme.ts';
import { DASHBOARD_PAGES, DASHBOARD_SETTINGS, OWN_TERMS, SUPABASE_MENU_GROUPS } from '../support/dashboards.ts';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const withoutCode = (text: string) => text.replace(/^[ \t]*```[\s\S]*?^[ \t]*```[ \t]*$/gm, '');

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string) =>
  heading
    .replace(/`/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

const headings = (text: string) => [...withoutCode(text).matchAll(/^#{1,6}\s+(.+?)\s*$/gm)].map((m) => m[1].replace(/`/g, ''));

function walk(dir: string): string[] {
  return fs
    .readdirSync(path.join(root, dir), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('the guide', () => {
  it('the README reads in one sitting: under 25 KB (details live in docs/)', () => {
    expect(Buffer.byteLength(readme())).toBeLessThan(25_000);
  });

  it('every relative link leads to a file that exists, and every #anchor to a heading in it', () => {
    const broken: string[] = [];
    for (const { file, text } of guideFiles()) {
      for (const [, target] of withoutCode(text).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [rel, anchor] = target.split('#');
        const dest = rel ? path.normalize(path.join(path.dirname(file), rel)) : file;
        if (!fs.existsSync(path.join(root, dest))) broken.push(`${file}: ${target} (no ${dest})`);
        else if (anchor && !(dest.endsWith('.md') && headings(read(dest)).some((h) => slug(h) === anchor)))
          broken.push(`${file}: ${target} (no heading #${anchor} in ${dest})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('doctor names guide headings that exist, never a bare step number', () => {
    const files = walk('scripts').filter((f) => f.endsWith('.ts'));
    const refs = files.flatMap((f) =>
      [...read(f).matchAll(/(README|docs\/[\w-]+\.md) -> "([^"]+)"/g)].map((m) => ({
        f,
        doc: m[1] === 'README' ? 'README.md' : m[1],
        heading: m[2],
      })),
    );
    expect(refs.length).toBeGreaterThanOrEqual(3);
    expect(refs.filter((r) => !headings(read(r.doc)).includes(r.heading)).map((r) => `${r.f}: ${r.doc} -> "${r.heading}"`)).toEqual([]);
    expect(files.flatMap((f) => [...read(f).matchAll(/.{0,40}\bstep \d.{0,20}/gi)].map((m) => `${f}: ${m[0]}`))).toEqual([]);
  });

  it('each dashboard page has one name in the README, docs/, .env.example, lib/, app/, scripts/ and config.toml', () => {
    const files = [
      ...guideFiles().map((g) => g.file),
      '.env.example',
      'supabase/config.toml',
      ...['lib', 'app', 'scripts'].flatMap(walk).filter((f) => /\.(ts|tsx)$/.test(f)),
    ];
    const unknown: string[] = [];
    let seen = 0;
    for (const file of files) {
      // Bold markers dropped, and comment lines joined, so that a path wrapped over two lines reads as one.
      const flat = read(file)
        .replace(/\*\*/g, '')
        .replace(/[ \t]*\n[ \t]*(?:#|\/\/)?[ \t]*/g, ' ');
      for (const m of flat.matchAll(/(Clerk|Supabase) Dashboard((?: -> [A-Z][\w /&-]*?)+)(?=[^\w /&-]| -> [^A-Z]|$)/g)) {
        const [first, second] = m[2]
          .split(' -> ')
          .slice(1)
          .map((s) => s.trim());
        const page = m[1] === 'Supabase' && SUPABASE_MENU_GROUPS.includes(first) && second ? `${first} -> ${second}` : first;
        seen++;
        if (!DASHBOARD_PAGES[m[1] as 'Clerk' | 'Supabase'].includes(page)) unknown.push(`${file}: ${m[1]} Dashboard -> ${page}`);
      }
    }
    expect(seen).toBeGreaterThan(30);
    expect(unknown).toEqual([]);
  });

  it('every page, button and setting the README names in bold is spelled as in tests/support/dashboards.ts', () => {
    const known = new Set([
      ...Object.values(DASHBOARD_PAGES)
        .flat()
        .flatMap((p) => p.split(' -> ')),
      ...SUPABASE_MENU_GROUPS,
      ...Object.values(DASHBOARD_SETTINGS).flat(),
      ...OWN_TERMS,
    ]);
    const bold = ['hosted', 'pitfalls'].flatMap((name) => [...withoutCode(section(name)).matchAll(/\*\*([^*\n]+)\*\*/g)].map((m) => m[1]));
    expect(bold.length).toBeGreaterThan(40);
    expect(bold.flatMap((b) => b.split(' -> ')).filter((name) => !known.has(name))).toEqual([]);
  });

  it('the file map names files that exist, every part a team copies, and the local-only pieces to delete', () => {
    const map = section('files');
    const firstColumn = map
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .map((l) => l.split('|')[1]);
    const paths = [
      ...[...map.matchAll(/`((?:app|lib|supabase|scripts|packages|tests|bench)\/[^`\s]*)`/g)].map((m) => m[1]),
      ...firstColumn.flatMap((c) => [...c.matchAll(/`([\w.-]+\.ts)`/g)].map((m) => m[1])),
    ];
    expect(paths.length).toBeGreaterThan(10);
    expect(paths.filter((p) => !fs.existsSync(path.join(root, p)))).toEqual([]);
    for (const part of [
      'proxy.ts',
      'next.config.ts',
      'instrumentation.ts',
      'app/',
      'lib/',
      'supabase/migrations/',
      'supabase/config.toml',
      'supabase/functions/',
    ]) {
      expect(
        firstColumn.some((c) => c.includes(`\`${part}\``)),
        `${part} is not in the file map`,
      ).toBe(true);
    }
    // The one line to delete is the plug-in line tests/unit/copy-ready.test.ts allows in proxy.ts.
    const plugin = /const PLUGIN = \{ file: '([^']+)'/.exec(read('tests/unit/copy-ready.test.ts'))?.[1];
    const pkg = /const PACKAGE = '([^']+)'/.exec(read('tests/unit/copy-ready.test.ts'))?.[1];
    const deleteRow = map.split('\n').find((l) => l.startsWith('| Delete when copying'));
    expect(deleteRow).toContain(`\`${plugin}\``);
    expect(deleteRow).toContain(`\`${pkg}\``);
  });

  it('the tools-only variables are described alike in the README and .env.example, and never deployed', () => {
    const block = codeBlocks(section('hosted')).find((b) => b.lang === 'dotenv')!.body;
    const example = read('.env.example');
    for (const name of ['SUPABASE_JWT_SECRET', 'SUPABASE_DB_URL']) {
      const described = (text: string) => new RegExp(`^# ${name}=\\S*\\s+# (.+)$`, 'm').exec(text)?.[1];
      expect(described(block), `${name} in the README`).toMatch(/never deployed/);
      expect(described(example), `${name} in .env.example`).toBe(described(block));
    }
  });
});

describe('the config.toml pitfall', () => {
  it('the Supabase CLI stops with the quoted error without CLERK_DOMAIN, and reads it from .env.local', { timeout: 60_000 }, () => {
    const quoted = /The Supabase CLI stops: "([^"]+)"/.exec(section('pitfalls'))?.[1];
    expect(quoted, 'the pitfall row moved: update this test').toBeDefined();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'supabase-config-'));
    try {
      fs.mkdirSync(path.join(dir, 'supabase'));
      fs.copyFileSync(path.join(root, 'supabase/config.toml'), path.join(dir, 'supabase/config.toml'));
      const env = { ...process.env };
      delete env.CLERK_DOMAIN;
      // Loading the config is all that is tested: the database address refuses the connection at once.
      const push = () => {
        const r = spawnSync(
          path.join(root, 'node_modules/.bin/supabase'),
          ['db', 'push', '--dry-run', '--remote=postgresql://postgres:postgres@127.0.0.1:9/postgres'],
          {
            cwd: dir,
            encoding: 'utf8',
            env: { ...env, SUPABASE_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
            timeout: 50_000,
          },
        );
        return `${r.stdout}${r.stderr}`;
      };
      expect(push()).toContain(quoted);
      fs.writeFileSync(path.join(dir, '.env.local'), 'CLERK_DOMAIN=verb-noun-12.clerk.accounts.dev\n');
      const loaded = push();
      expect(loaded).not.toContain('invalid domain');
      expect(loaded).toMatch(/127\.0\.0\.1/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
