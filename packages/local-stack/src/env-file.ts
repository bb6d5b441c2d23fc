// The env files the local stack writes (.local/stack.env) and the tools read back: KEY=value lines,
// quoted where bash would misread a value (the README sources the file), parsed with Node's own parser.
import fs from 'node:fs';
import { parseEnv as parseDotenv } from 'node:util';

export function formatEnv(env: Record<string, string>): string {
  return (
    Object.entries(env)
      // Quoted when a shell would split or misread it: the README sources this file with bash.
      .map(([k, v]) => `${k}=${/^[\w@%+=:,./-]*$/.test(v) ? v : JSON.stringify(v)}`)
      .join('\n') + '\n'
  );
}

export function readEnvFile(file: string): Record<string, string> {
  return fs.existsSync(file) ? parseEnv(fs.readFileSync(file, 'utf8')) : {};
}

export function parseEnv(text: string): Record<string, string> {
  return parseDotenv(text) as Record<string, string>;
}
