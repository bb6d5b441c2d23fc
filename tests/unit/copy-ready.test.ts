// What a team copies (app/, lib/, supabase/, scripts/, proxy.ts, next.config.ts, instrumentation.ts)
// stands apart from the local stack, judged by what the code does, not by its words: following
// every import (TypeScript's own module resolution, dynamic imports included) from those files, none
// reaches the local-stack package except proxy.ts's one plug-in line, and none reads a local-stack
// variable (LOCAL_STACK*: process.env.X, Deno.env.get('X'), or any env record's X).
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const PACKAGE = 'clerk-supabase-local-stack';
/** The plug-in line: the only reference to the package a copied file may hold (proxy.ts deletes it). */
const PLUGIN = { file: 'proxy.ts', specifier: `${PACKAGE}/next`, marker: /delete this line when copying/i };
/** Variables only the local stack sets: no copied file may read one. */
const STACK_VARIABLE = /^LOCAL_STACK/;
const COPIED_ROOTS = ['app', 'lib', 'supabase', 'scripts', 'proxy.ts', 'next.config.ts', 'instrumentation.ts'];

const compilerOptions = ts.parseJsonConfigFileContent(
  ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile).config,
  ts.sys,
  root,
).options;

function sourceFiles(dir: string, entries: string[]): string[] {
  return entries.flatMap((entry) => {
    const full = path.join(dir, entry);
    if (!fs.existsSync(full)) return [];
    if (fs.statSync(full).isDirectory()) return sourceFiles(full, fs.readdirSync(full));
    return /\.(ts|tsx|mts|js|mjs)$/.test(entry) && !entry.endsWith('.d.ts') ? [full] : [];
  });
}

interface Finding {
  file: string;
  line: number;
  what: string;
}

/** Imports and variable reads of one file that cross into the local stack. */
function findingsIn(file: string, text: string, rootDir: string, follow: (resolved: string) => void): Finding[] {
  const rel = path.relative(rootDir, file);
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
  const lines = text.split('\n');
  const findings: Finding[] = [];
  const options = { ...compilerOptions, baseUrl: rootDir, paths: { '@/*': ['./*'] } };
  const onImport = (specifier: string, node: ts.Node) => {
    const line = lineOf(node);
    const resolved = ts.resolveModuleName(specifier, file, options, ts.sys).resolvedModule?.resolvedFileName;
    const real = resolved && fs.existsSync(resolved) ? fs.realpathSync(resolved) : resolved;
    const intoPackage =
      specifier === PACKAGE ||
      specifier.startsWith(`${PACKAGE}/`) ||
      Boolean(real && real.startsWith(path.join(root, 'packages') + path.sep));
    if (intoPackage) {
      const isPlugin = rel === PLUGIN.file && specifier === PLUGIN.specifier && PLUGIN.marker.test(lines[line - 1]);
      if (!isPlugin) findings.push({ file: rel, line, what: `imports ${specifier}` });
      return;
    }
    if (real && !real.includes(`${path.sep}node_modules${path.sep}`) && real.startsWith(rootDir)) follow(real);
  };
  const nameOf = (node: ts.Node): string | null => (ts.isStringLiteralLike(node) ? node.text : ts.isIdentifier(node) ? node.text : null);
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier))
      onImport(node.moduleSpecifier.text, node);
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    )
      onImport(node.arguments[0].text, node);
    // env.X, process.env.X, anything['X'], Deno.env.get('X'), const { X } = process.env.
    const read = ts.isPropertyAccessExpression(node)
      ? node.name.text
      : ts.isElementAccessExpression(node)
        ? nameOf(node.argumentExpression)
        : ts.isCallExpression(node) && /\benv\.get$/.test(node.expression.getText(source)) && node.arguments[0]
          ? nameOf(node.arguments[0])
          : ts.isBindingElement(node)
            ? nameOf(node.propertyName ?? node.name)
            : null;
    if (read && STACK_VARIABLE.test(read)) findings.push({ file: rel, line: lineOf(node), what: `reads ${read}` });
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

/** Every finding in the files reachable from `entries` (relative to `rootDir`), as "file:line: what". */
export function copyReadyFindings(rootDir: string, entries: string[] = COPIED_ROOTS): { findings: string[]; reached: string[] } {
  const queue = sourceFiles(rootDir, entries);
  const seen = new Set<string>();
  const findings: Finding[] = [];
  while (queue.length) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    findings.push(...findingsIn(file, fs.readFileSync(file, 'utf8'), rootDir, (next) => queue.push(next)));
  }
  return {
    findings: findings.map((f) => `${f.file}:${f.line}: ${f.what}`),
    reached: [...seen].map((f) => path.relative(rootDir, f)).sort(),
  };
}

describe("copy-ready: the copied files reach the local stack only through proxy.ts's plug-in line", () => {
  const { findings, reached } = copyReadyFindings(root);

  it('no copied file imports the local-stack package or reads a LOCAL_STACK variable, directly or through what it imports', () => {
    expect(reached).toContain('lib/env.ts');
    expect(reached).toContain('supabase/functions/task-report/index.ts');
    expect(findings).toEqual([]);
  });

  it('the plug-in is one line in proxy.ts that says to delete it', () => {
    const lines = fs
      .readFileSync(path.join(root, 'proxy.ts'), 'utf8')
      .split('\n')
      .filter((l) => l.includes(PACKAGE));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(PLUGIN.marker);
  });

  it('lib/supabase/ depends on nothing in lib/ but the environment, the error answers and the database types', () => {
    const dir = path.join(root, 'lib/supabase');
    const imports = fs
      .readdirSync(dir)
      .flatMap((f) => [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/from '(@\/lib\/[^']+)'/g)].map((m) => `${f}: ${m[1]}`));
    expect(imports.filter((i) => !/: @\/lib\/(env|errors|database\.types)$/.test(i))).toEqual([]);
  });

  it('catches an import of the package, one through another copied file, and reads of its variables', () => {
    const fixture = fs.mkdtempSync(path.join(root, '.local', 'copy-ready-'));
    try {
      const files: Record<string, string> = {
        'tsconfig.json': '{ "compilerOptions": { "paths": { "@/*": ["./*"] } } }',
        // Imports a file that imports the package: caught where the package is imported, found by following the import.
        'app/page.tsx': "import { helper } from '@/lib/helper';\nexport default function Page() { return helper(); }",
        'lib/helper.ts': "import { loadKeys } from 'clerk-supabase-local-stack';\nexport const helper = () => loadKeys;",
        // A relative path into the package counts too, and so does a dynamic import.
        'lib/relative.ts': "export const keys = () => import('../../../packages/local-stack/src/keys.ts');",
        'lib/reads.ts':
          "export const a = process.env.LOCAL_STACK;\nexport const b = process.env['LOCAL_STACK_PASSWORD'];\nexport const c = (env: Record<string, string>) => env.LOCAL_STACK_ACCOUNTS;\nconst { LOCAL_STACK_CONTROL_URL } = process.env;\nexport { LOCAL_STACK_CONTROL_URL };",
        'supabase/functions/f/index.ts': "export const d = Deno.env.get('LOCAL_STACK');",
        // The plug-in line, outside proxy.ts or without its marker, is an ordinary import.
        'proxy.ts': "export const p = await import('clerk-supabase-local-stack/next');",
        // Fine: other variables, and words.
        'lib/fine.ts':
          "// the local stack, LOCAL_STACK in a comment\nexport const url = process.env.NEXT_PUBLIC_SUPABASE_URL;\nexport const words = 'npm run dev starts the local stack';",
      };
      for (const [name, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(fixture, name)), { recursive: true });
        fs.writeFileSync(path.join(fixture, name), text);
      }
      const caught = copyReadyFindings(fixture, ['app', 'lib', 'supabase', 'proxy.ts']);
      expect(caught.findings.sort()).toEqual(
        [
          'lib/helper.ts:1: imports clerk-supabase-local-stack',
          'lib/relative.ts:1: imports ../../../packages/local-stack/src/keys.ts',
          'lib/reads.ts:1: reads LOCAL_STACK',
          'lib/reads.ts:2: reads LOCAL_STACK_PASSWORD',
          'lib/reads.ts:3: reads LOCAL_STACK_ACCOUNTS',
          'lib/reads.ts:4: reads LOCAL_STACK_CONTROL_URL',
          'proxy.ts:1: imports clerk-supabase-local-stack/next',
          'supabase/functions/f/index.ts:1: reads LOCAL_STACK',
        ].sort(),
      );
      // Found by following app/page.tsx's import alone, too.
      expect(copyReadyFindings(fixture, ['app']).findings).toEqual(['lib/helper.ts:1: imports clerk-supabase-local-stack']);
    } finally {
      fs.rmSync(fixture, { recursive: true, force: true });
    }
  });
});
