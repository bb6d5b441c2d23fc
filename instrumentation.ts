// Runs once when the server starts: validate the environment before the first request, so a
// missing or malformed variable stops start-up with a message naming it and saying how to fix it.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { parseServerEnv } = await import('@/lib/env');
  parseServerEnv(); // throws an EnvError listing every problem; the server does not start
}
