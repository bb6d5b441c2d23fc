// The README's "files to copy" table is true by construction: the files it lists, copied into a fresh
// folder outside this repository beside a Next.js app's own tsconfig.json and package.json, with the
// one plug-in line deleted and no local-stack package installed, build with `next build` (Turbopack,
// its type-check included) on a hosted project's variables. A file the table forgets, or a copied
// file that still needs the package, fails here.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { section } from '../support/readme.ts';
import { DEV_PK, validEnv } from './fixtures.ts';

const root = path.resolve(import.meta.dirname, '../..');
const PACKAGE = 'clerk-supabase-local-stack';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'copied-app-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }), 120_000); // a large tree of links

function linkOrCopy(src: string, dst: string) {
  try {
    fs.linkSync(src, dst);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    fs.copyFileSync(src, dst); // the temp folder on another file system
  }
}

/** A copy of `from` made of hard links (cheap, on one file system), leaving out what `skip` names. */
function linkTree(from: string, to: string, skip: (relative: string) => boolean, rel = '') {
  fs.mkdirSync(to, { recursive: true });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (skip(r)) continue;
    const [src, dst] = [path.join(from, e.name), path.join(to, e.name)];
    if (e.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(src), dst);
    else if (e.isDirectory()) linkTree(src, dst, skip, r);
    else linkOrCopy(src, dst);
  }
}

/** The paths in the first column of the README's table (a folder ends with /). */
function listedPaths(): string[] {
  const rows = section('files')
    .split('\n')
    .filter((l) => l.startsWith('| `'));
  return rows.flatMap((row) => [...row.split('|')[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
}

describe("the README's files to copy", () => {
  it('copied into a fresh folder with the plug-in line deleted, build with next build without the local-stack package', async () => {
    const listed = listedPaths();
    expect(listed).toEqual(
      expect.arrayContaining(['proxy.ts', 'next.config.ts', 'instrumentation.ts', 'app/', 'lib/', 'supabase/migrations/']),
    );
    for (const entry of listed) {
      expect(fs.existsSync(path.join(root, entry)), `${entry} (listed) exists`).toBe(true);
      fs.cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
    }
    // What the team's own Next.js app brings: its tsconfig.json and package.json (and Next's next-env.d.ts).
    for (const own of ['tsconfig.json', 'package.json']) fs.copyFileSync(path.join(root, own), path.join(dir, own));
    fs.writeFileSync(
      path.join(dir, 'next-env.d.ts'),
      '/// <reference types="next" />\n/// <reference types="next/image-types/global" />\n',
    );
    // Their node_modules: everything this app depends on, but not the local stack. Hard links, not
    // symlinks: Turbopack refuses a node_modules entry that points outside the project's folder.
    linkTree(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), (rel) => rel === PACKAGE || rel.startsWith('.bin'));

    // Delete the plug-in line, as the README says.
    const proxy = path.join(dir, 'proxy.ts');
    const lines = fs.readFileSync(proxy, 'utf8').split('\n');
    const plugin = lines.filter((l) => l.includes(PACKAGE));
    expect(plugin, 'proxy.ts has one plug-in line').toHaveLength(1);
    fs.writeFileSync(proxy, lines.filter((l) => !l.includes(PACKAGE)).join('\n'));

    const copied = (d: string): string[] =>
      fs
        .readdirSync(path.join(dir, d), { withFileTypes: true })
        .flatMap((e) => (e.name === 'node_modules' ? [] : e.isDirectory() ? copied(path.join(d, e.name)) : [path.join(d, e.name)]));
    expect(
      copied('.').filter((f) => fs.readFileSync(path.join(dir, f), 'utf8').includes(PACKAGE)),
      'no copied file names the package',
    ).toEqual([]);

    // A hosted project's variables (a Clerk development instance, no local stack), as in Vercel.
    const hosted = Object.fromEntries(
      Object.entries(validEnv()).filter(([name]) => !['LOCAL_STACK', 'CLERK_API_URL', 'CLERK_FAPI_URL'].includes(name)),
    );
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NEXT_TELEMETRY_DISABLED: '1',
      ...hosted,
      NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: DEV_PK,
      CLERK_AUTHORIZED_PARTIES: 'https://app.example.com',
    } as unknown as NodeJS.ProcessEnv;
    const next = path.join(dir, 'node_modules/next/dist/bin/next');
    const result = await promisify(execFile)(process.execPath, [next, 'build'], { cwd: dir, env, timeout: 420_000 }).then(
      ({ stdout }) => ({ code: 0, out: stdout }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
    );
    expect(result.code, result.out).toBe(0);
    // The build holds the app's pages, its API and Clerk's Frontend API route.
    for (const route of ['/dashboard', '/api/tasks', '/__clerk/[[...path]]']) expect(result.out).toContain(route);
  }, 480_000);
});
