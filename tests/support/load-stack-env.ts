// Loads the variables of the running test stack (written by tests/run.ts, or by
// `LOCAL_STACK_PROFILE=test npm run stack:up`) into process.env for the db and app test projects.
import fs from 'node:fs';
import { layout } from 'clerk-supabase-local-stack';
import { parseEnv } from 'clerk-supabase-local-stack';

const file = process.env.LOCAL_STACK_ENV_FILE ?? layout('test').envFile;
if (!fs.existsSync(file)) {
  throw new Error(
    `No running test stack (${file} is missing). Run \`npm test\`, or start one with \`LOCAL_STACK_PROFILE=test npm run stack:up\`.`,
  );
}
for (const [k, v] of Object.entries(parseEnv(fs.readFileSync(file, 'utf8')))) process.env[k] ??= v;
