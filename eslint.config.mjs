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
];

export default config;
