// Runs after every other browser test: each Frontend API call clerk-js made was answered by the local
// stand-in. A new clerk-js calling something the stand-in does not know shows up here by name.
import { expect, test } from './support/test.ts';
import { FRONTEND_API_WRITTEN_FOR } from 'clerk-supabase-local-stack';
import { fapi } from './support/fapi.ts';

test(`clerk-js ${FRONTEND_API_WRITTEN_FOR.clerkJs} called no Frontend API path the local stand-in does not know`, async () => {
  const res = await fapi('/__local/unknown');
  expect(res.status).toBe(200);
  expect(((await res.json()) as { unknown: Record<string, number> }).unknown).toEqual({});
});
