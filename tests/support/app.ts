// Helpers the tests of the running app share: users created in the local Clerk (Backend API stand-in),
// a request body sent in chunks with no Content-Length, and a child process run to its end.
import { spawn, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { LOCAL_PASSWORD } from 'clerk-supabase-local-stack';

/** A POST to the local Clerk Backend API with the secret key, as the app's server calls it. */
const clerkApi = (path: string, body: unknown) =>
  fetch(`${process.env.CLERK_API_URL}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${process.env.CLERK_SECRET_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** A fresh user in the local Clerk (id `user_<prefix>_<label>_<random>`), so tests never share rows. */
export async function newClerkUser(prefix: string, label: string): Promise<string> {
  const id = `user_${prefix}_${label}_${randomBytes(5).toString('hex')}`;
  const res = await clerkApi('/v1/users', { user_id: id, email_address: `${id}@example.test`, password: LOCAL_PASSWORD });
  if (res.status !== 200) throw new Error(`the local Clerk did not create ${id}: ${res.status} ${await res.text()}`);
  return id;
}

/** A body streamed in 64 KiB chunks: fetch sends it chunked, with no Content-Length to trust. */
export function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (offset >= bytes.length) return c.close();
      c.enqueue(bytes.subarray(offset, (offset += 64 * 1024)));
    },
  });
}

/** Runs a command to its end (killed after `timeoutMs`): its exit code and everything it printed. */
export function runToExit(
  cmd: string,
  args: string[],
  opts: SpawnOptions,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (c) => (output += c));
    child.stderr!.on('data', (c) => (output += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => (clearTimeout(timer), resolve({ code, output })));
  });
}
