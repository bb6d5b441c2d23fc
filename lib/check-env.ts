// Imported once at start-up by instrumentation.ts (Node.js runtime only): print every environment
// problem and stop, so a misconfigured deployment fails its health check instead of serving errors.
import { EnvError, parseServerEnv } from './env';
import { machineLocalListenProblem } from './machine-local';

try {
  parseServerEnv();
} catch (e) {
  if (!(e instanceof EnvError)) throw e;
  console.error(`\n${e.message}\n`);
  process.exit(1);
}
// Whatever address it was told to listen on, a server holding a machine-local Clerk key answers loopback only.
const exposed = machineLocalListenProblem();
if (exposed) {
  console.error(`\n${exposed}\n`);
  process.exit(1);
}
