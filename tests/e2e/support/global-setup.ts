// Once before the browsers start: Clerk's own test setup (a testing token: from the local Backend API
// stand-in offline, from Clerk live), and a clean slate for the stand-in: no unknown-call record, and
// Clerk's 60 s token lifetime for everyone (a run killed inside token-expiry.spec.ts could have left
// its account's at 5 s).
import { clerkSetup } from '@clerk/testing/playwright';
import { live, loadE2eEnv } from './env.ts';
import { fapi } from './fapi.ts';

export default async function globalSetup() {
  loadE2eEnv();
  // Offline, .env.local must not leak a real instance's keys into the run: the stack env is loaded.
  await clerkSetup({ dotenv: live });
  if (!live) {
    const res = await fapi('/__local/unknown', 'DELETE');
    if (!res.ok) throw new Error(`The local Frontend API stand-in did not answer (${res.status}): is the test stack running?`);
    const lifetime = await fapi('/__local/session-token-lifetime', 'DELETE');
    if (!lifetime.ok) throw new Error(`The stand-in refused to reset its token lifetime (${lifetime.status}).`);
  }
}
