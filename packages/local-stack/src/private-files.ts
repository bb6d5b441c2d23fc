// The local stack's files hold the instance keys, the seeded accounts' sessions (clerk.json) and
// request logs: only the user who runs the stack may read them, whatever the umask says. Folders are
// 0700 and files 0600; modes are set again on every start, so an older checkout is fixed too.
import fs from 'node:fs';
import path from 'node:path';
import { localRoot } from './paths.ts';

const PRIVATE_DIR = 0o700;
export const PRIVATE_FILE = 0o600;

/** Creates `dir` (and every folder between .local and it) private to this user. */
export function privateDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  // mkdir's mode applies only to folders it creates: set it on the existing ones up to .local too.
  for (let d = dir; ; d = path.dirname(d)) {
    fs.chmodSync(d, PRIVATE_DIR);
    if (d === localRoot || !d.startsWith(localRoot + path.sep)) break;
  }
  return dir;
}

/** Makes an existing file private (a no-op when it does not exist yet). */
export function privateFile(file: string): string {
  try {
    fs.chmodSync(file, PRIVATE_FILE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return file;
}

/** Writes `file` readable by this user only, also when it already existed with a wider mode. */
export function writePrivateFile(file: string, data: string) {
  fs.writeFileSync(file, data, { mode: PRIVATE_FILE });
  privateFile(file);
}

/** An append (or `w`) stream to a log only this user can read; creates its folder privately. */
export function privateLog(file: string, flags: 'a' | 'w' = 'a'): fs.WriteStream {
  privateDir(path.dirname(file));
  const stream = fs.createWriteStream(file, { flags, mode: PRIVATE_FILE });
  privateFile(file);
  return stream;
}

/** A file descriptor for a child process's output, private like privateLog. */
export function openPrivateLog(file: string, flags: 'a' | 'w' = 'w'): number {
  privateDir(path.dirname(file));
  const fd = fs.openSync(file, flags, PRIVATE_FILE);
  privateFile(file);
  return fd;
}
