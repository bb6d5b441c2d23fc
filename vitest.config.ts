import { configDefaults, defineConfig } from 'vitest/config';
import os from 'node:os';
import path from 'node:path';

// Three projects, run in this order by `npm test` (tests/run.ts); each also runs the local-stack
// package's own tests of its kind (packages/local-stack/test/):
//   unit: no stack, no network (msw for HTTP shape)
//   db:   the real local stack (Postgres + PostgREST + gateway), no app
//   app:  the production build of the app, started by tests/run.ts in both integration modes
// and app-own-stack, tests that start a stack and an app of their own: tests/run.ts starts it with the app
// step, and it goes on beside the e2e step.
const OWN_STACK = ['tests/app/dev-command.test.ts'];

export default defineConfig({
  resolve: { alias: { '@': path.resolve(import.meta.dirname) } },
  test: {
    // A stray .only would silently skip the rest of the suite, in CI and on a laptop alike.
    allowOnly: false,
    // Vitest's default is one worker less than the cores: a single one on a two-core machine (CI, many
    // containers). These files mostly wait on Postgres, servers and child processes, so three at least.
    maxWorkers: Math.max(os.availableParallelism() - 1, 3),
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts', 'packages/local-stack/test/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: {
          name: 'db',
          include: ['tests/db/**/*.test.ts', 'packages/local-stack/test/db/**/*.test.ts'],
          setupFiles: ['tests/support/load-stack-env.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      // One file at a time: app tests share the running servers and stack, and some stop stack parts on purpose.
      {
        extends: true,
        test: {
          name: 'app',
          include: ['tests/app/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...OWN_STACK],
          setupFiles: ['tests/support/load-stack-env.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: { name: 'app-own-stack', include: OWN_STACK, testTimeout: 30_000, hookTimeout: 60_000 },
      },
    ],
  },
});
