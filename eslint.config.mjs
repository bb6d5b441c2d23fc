import nextCoreWebVitals from 'eslint-config-next/core-web-vitals';
import nextTypescript from 'eslint-config-next/typescript';

const config = [
  ...nextCoreWebVitals,
  ...nextTypescript,
  { ignores: ['.next*/**', '.local/**', 'node_modules/**', 'lib/database.types.ts', 'test-results/**', 'playwright-report/**', 'bench/tmp/**', 'bench/baselines/.next/**', 'next-env.d.ts'] },
  {
    // app/ and lib/ ship to production: they must never reach into the local stand-ins.
    files: ['app/**', 'lib/**', 'proxy.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/local/**', '@/local/*'], message: 'local/ is the offline stack; production code must not import it.' }] }],
    },
  },
  {
    // Supabase's Edge Function shape is an object literal as the default export: `export default { fetch }`.
    files: ['supabase/functions/**'],
    rules: { 'import/no-anonymous-default-export': ['warn', { allowObject: true }] },
  },
];

export default config;
