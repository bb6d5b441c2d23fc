import nextCoreWebVitals from 'eslint-config-next/core-web-vitals';
import nextTypescript from 'eslint-config-next/typescript';

const config = [
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    ignores: [
      '.next*/**',
      '.local/**',
      'node_modules/**',
      'lib/database.types.ts',
      'packages/local-stack/example/**',
      'test-results/**',
      'playwright-report/**',
      'bench/tmp/**',
      'bench/baselines/.next/**',
      'next-env.d.ts',
    ],
  },
  {
    // What a team copies must never reach into the local stack (tests/unit/copy-ready.test.ts checks
    // the whole import graph; proxy.ts's one plug-in line is a dynamic import).
    files: ['app/**', 'lib/**', 'scripts/**', 'supabase/**', 'proxy.ts', 'next.config.ts', 'instrumentation.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['clerk-supabase-local-stack', 'clerk-supabase-local-stack/*', '**/packages/**'],
              message: 'The local stack is a development tool; the app reaches it through environment variables only.',
            },
          ],
        },
      ],
    },
  },
  {
    // Supabase's Edge Function shape is an object literal as the default export: `export default { fetch }`.
    files: ['supabase/functions/**'],
    rules: { 'import/no-anonymous-default-export': ['warn', { allowObject: true }] },
  },
];

export default config;
