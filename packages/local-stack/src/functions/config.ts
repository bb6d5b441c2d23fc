// Which Edge Functions the project has and how Supabase would run them: every folder of
// supabase/functions with an index.ts (folders starting with `_`, like _shared, hold shared code, as
// in the Supabase CLI), each with `verify_jwt` from its [functions.<name>] block in config.toml
// (Supabase's default when the block is missing: true).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { projectRoot } from '../paths.ts';

export const functionsDir = path.join(projectRoot, 'supabase/functions');

export interface EdgeFunction {
  name: string;
  dir: string;
  entry: string;
  port: number;
  verifyJwt: boolean;
}

/** The functions, each given a port from `firstPort` on (in name order, so ports stay put). */
export function discoverFunctions(firstPort: number): EdgeFunction[] {
  if (!fs.existsSync(functionsDir)) return [];
  const settings = functionSettings(fs.readFileSync(path.join(projectRoot, 'supabase/config.toml'), 'utf8'));
  return fs
    .readdirSync(functionsDir)
    .filter((name) => !name.startsWith('_') && !name.startsWith('.') && fs.existsSync(path.join(functionsDir, name, 'index.ts')))
    .sort()
    .map((name, i) => ({
      name,
      dir: path.join(functionsDir, name),
      entry: path.join(functionsDir, name, 'index.ts'),
      port: firstPort + i,
      verifyJwt: settings[name]?.verifyJwt ?? true,
    }));
}

/** `verify_jwt` per [functions.<name>] table of config.toml: the one setting the local gateway honours. */
export function functionSettings(toml: string): Record<string, { verifyJwt?: boolean }> {
  const out: Record<string, { verifyJwt?: boolean }> = {};
  let current: string | null = null;
  for (const raw of toml.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const table = /^\[([^\]]+)\]$/.exec(line);
    if (table) {
      const m = /^functions\.("?)([\w-]+)\1$/.exec(table[1].trim());
      current = m ? m[2] : null;
      if (current) out[current] ??= {};
      continue;
    }
    const setting = /^verify_jwt\s*=\s*(true|false)$/.exec(line);
    if (current && setting) out[current].verifyJwt = setting[1] === 'true';
  }
  return out;
}

/** The Deno binary the npm package `deno` installed for this platform. */
export function denoBinary(): string {
  const require = createRequire(import.meta.url);
  const exe = process.platform === 'win32' ? 'deno.exe' : 'deno';
  // Its postinstall links the platform binary into the package folder; without it, find the platform package.
  const linked = path.join(path.dirname(require.resolve('deno/package.json')), exe);
  if (fs.existsSync(linked)) return linked;
  const target = process.platform === 'linux' ? `linux-${process.arch}-glibc` : `${process.platform}-${process.arch}`;
  try {
    return path.join(path.dirname(require.resolve(`@deno/${target}/package.json`)), exe);
  } catch {
    throw new Error(
      `Deno is not installed for ${target}: run \`npm install\` (the npm package \`deno\` brings the binary as @deno/${target}).`,
    );
  }
}
