// The README's "files to copy" table is true by construction: the files it lists, copied into a fresh
// folder outside this repository beside a Next.js app's own tsconfig.json and package.json, with the
// one plug-in line deleted and no local-stack package installed, type-check as a whole (the same
// `tsc` run `next build` makes; the build itself is what tests/run.ts runs on this checkout). A file
// the table forgets, or a copied file that still needs the package, fails here.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { section } from '../support/readme.ts';

const root = path.resolve(import.meta.dirname, '../..');
const PACKAGE = 'clerk-supabase-local-stack';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'copied-app-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The paths in the first column of the README's table (a folder ends with /). */
function listedPaths(): string[] {
  const rows = section('files')
    .split('\n')
    .filter((l) => l.startsWith('| `'));
  return rows.flatMap((row) => [...row.split('|')[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
}

describe("the README's files to copy", () => {
  it('copied into a fresh folder with the plug-in line deleted, type-check without the local-stack package', async () => {
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
    // Their node_modules: everything this app depends on, but not the local stack.
    fs.mkdirSync(path.join(dir, 'node_modules'));
    for (const name of fs.readdirSync(path.join(root, 'node_modules'))) {
      if (name !== PACKAGE && name !== '.bin') fs.symlinkSync(path.join(root, 'node_modules', name), path.join(dir, 'node_modules', name));
    }

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

    const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
    const result = await promisify(execFile)(process.execPath, [tsc, '--noEmit', '-p', dir], { cwd: dir, timeout: 240_000 }).then(
      () => ({ code: 0, out: '' }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
    );
    expect(result.out).toBe('');
    expect(result.code).toBe(0);
  }, 300_000);
});
