// Reading the README the way a person does: its sections (between `<!-- section:name -->` markers),
// the code blocks in them, and the shell commands in those blocks. Used by the tests that keep the
// guide honest (tests/unit/readme-commands.test.ts and the tests that run its blocks).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const readmePath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../README.md');
export const readme = () => fs.readFileSync(readmePath, 'utf8');

export function section(name: string, text = readme()): string {
  const m = new RegExp(`<!-- section:${name} -->([\\s\\S]*?)<!-- /section:${name} -->`).exec(text);
  if (!m) throw new Error(`README.md has no section "${name}"`);
  return m[1];
}

export interface CodeBlock {
  lang: string;
  body: string;
}

export function codeBlocks(text: string): CodeBlock[] {
  return [...text.matchAll(/^[ \t]*```([\w-]*)\n([\s\S]*?)^[ \t]*```[ \t]*$/gm)].map((m) => ({
    lang: m[1],
    body: m[2].replace(new RegExp(`^${/^([ \t]*)/.exec(m[2])?.[1] ?? ''}`, 'gm'), ''),
  }));
}

export const SHELL_LANGS = ['bash', 'sh', 'shell', 'console'];

/** Every command in the shell blocks: continuation lines joined, comments and blank lines dropped. */
export function commands(text: string): string[] {
  return codeBlocks(text)
    .filter((b) => SHELL_LANGS.includes(b.lang))
    .flatMap((b) => b.body.replace(/\s*\\\n\s*/g, ' ').split('\n'))
    .map((line) => line.replace(/(^|\s+)#(\s.*)?$/, '').trim())
    .filter(Boolean);
}
