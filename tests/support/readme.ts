// Reading the guide the way a person does: the README and the pages in docs/ it links to, their
// sections (between `<!-- section:name -->` markers, unique across the guide), the code blocks in
// them, and the shell commands in those blocks. Used by the tests that keep the guide honest
// (tests/unit/readme-commands.test.ts, tests/unit/guide.test.ts and the tests that run its blocks).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readmePath = path.join(root, 'README.md');
export const readme = () => fs.readFileSync(readmePath, 'utf8');

export interface GuideFile {
  /** Relative to the project root: README.md, docs/<name>.md. */
  file: string;
  text: string;
}

/** The README first, then docs/*.md in name order. */
export function guideFiles(): GuideFile[] {
  const docs = fs
    .readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs].map((file) => ({ file, text: fs.readFileSync(path.join(root, file), 'utf8') }));
}

/** The whole guide as one text. */
export const guide = () =>
  guideFiles()
    .map((f) => f.text)
    .join('\n');

const sectionPattern = (name: string) => new RegExp(`<!-- section:${name} -->([\\s\\S]*?)<!-- /section:${name} -->`);

/** A section of `text`, or, without it, of the one guide file that has it (README or docs/*.md). */
export function section(name: string, text?: string): string {
  if (text !== undefined) {
    const m = sectionPattern(name).exec(text);
    if (!m) throw new Error(`The text has no section "${name}"`);
    return m[1];
  }
  const hits = guideFiles().flatMap((f) => {
    const m = sectionPattern(name).exec(f.text);
    return m ? [{ file: f.file, body: m[1] }] : [];
  });
  if (hits.length === 0) throw new Error(`Neither README.md nor docs/*.md has a section "${name}"`);
  if (hits.length > 1)
    throw new Error(`Section "${name}" is in ${hits.map((h) => h.file).join(' and ')}: a name must be unique across the guide`);
  return hits[0].body;
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

const SHELL_LANGS = ['bash', 'sh', 'shell', 'console'];

/** Every command in the shell blocks: continuation lines joined, comments and blank lines dropped. */
export function commands(text: string): string[] {
  return codeBlocks(text)
    .filter((b) => SHELL_LANGS.includes(b.lang))
    .flatMap((b) => b.body.replace(/\s*\\\n\s*/g, ' ').split('\n'))
    .map((line) => line.replace(/(^|\s+)#(\s.*)?$/, '').trim())
    .filter(Boolean);
}
