// What a team copies (app/, lib/, proxy.ts, the Next.js config) must not depend on the local stack,
// except through the two optional pieces that say "delete when copying". A file that imports local/,
// reads a LOCAL_STACK variable or talks about the stand-ins outside those pieces fails here.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
/** The optional pieces: the only files allowed to know about the local stack. */
const LOCAL_ONLY = ['lib/local-stack.ts', 'app/_components/local-stack-accounts.tsx'];
// Their exported names, which the files that use them may mention (one import and one use each).
const OPTIONAL_NAMES = /\b(localKeysGuard|localStackProblems|onLocalStack|localKeysListenProblem|localAuthorizedParties|droppedSessionReporter|LocalStackAccounts)\b|@\/lib\/local-stack|_components\/local-stack-accounts/;
const MENTIONS_LOCAL_STACK = /LOCAL_STACK|local stack|stand-in|clerk\.local|\.local\/|from ['"][^'"]*\blocal\/|npm run dev/i;

function copiedFiles(): string[] {
  const walk = (dir: string): string[] =>
    fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : /\.(ts|tsx|css)$/.test(e.name) ? [path.join(dir, e.name)] : []));
  return [...walk('app'), ...walk('lib'), 'proxy.ts', 'next.config.ts', 'instrumentation.ts'];
}

/** Lines naming the local stack outside the optional pieces, as "file:line: text". */
function localStackMentions(files: string[], read = (f: string) => fs.readFileSync(path.join(root, f), 'utf8')): string[] {
  return files
    .filter((f) => !LOCAL_ONLY.includes(f))
    .flatMap((f) => read(f).split('\n').map((line, i) => ({ f, i, line })))
    .filter(({ line }) => MENTIONS_LOCAL_STACK.test(line) && !OPTIONAL_NAMES.test(line))
    .map(({ f, i, line }) => `${f}:${i + 1}: ${line.trim()}`);
}

describe('copy-ready: app/, lib/ and proxy.ts stand apart from the local stack', () => {
  it('no copied file names the local stack outside the optional pieces', () => {
    expect(localStackMentions(copiedFiles())).toEqual([]);
  });

  it('the optional pieces exist and say they can be deleted', () => {
    for (const f of LOCAL_ONLY) expect(fs.readFileSync(path.join(root, f), 'utf8').slice(0, 400)).toMatch(/[Dd]elete (this file )?when copying/);
  });

  it('lib/supabase/ depends on nothing in lib/ but the environment and the database types', () => {
    const dir = path.join(root, 'lib/supabase');
    const imports = fs.readdirSync(dir).flatMap((f) => [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/from '(@\/lib\/[^']+)'/g)].map((m) => `${f}: ${m[1]}`));
    expect(imports.filter((i) => !/: @\/lib\/(env|database\.types)$/.test(i))).toEqual([]);
  });

  it('catches a file that reaches into the local stack', () => {
    const fake: Record<string, string> = {
      'lib/good.ts': "import { localKeysGuard } from '@/lib/local-stack';\nexport const x = 1;",
      'lib/bad.ts': "import { loadKeys } from 'clerk-supabase-local-stack';\nif (process.env.LOCAL_STACK) console.log('stand-in');",
    };
    expect(localStackMentions(Object.keys(fake), (f) => fake[f])).toEqual([
      "lib/bad.ts:1: import { loadKeys } from 'clerk-supabase-local-stack';",
      "lib/bad.ts:2: if (process.env.LOCAL_STACK) console.log('stand-in');",
    ]);
  });
});
