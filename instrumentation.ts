// Runs once when the server starts: validate the environment before the first request, so a
// missing or malformed variable stops start-up with a message naming it and saying how to fix it
// (instead of a server that is up but answers 500 to everything).
export async function register() {
  // The check exits the process, which only the Node.js runtime may do.
  if (process.env.NEXT_RUNTIME === 'nodejs') await import('./lib/check-env');
}
