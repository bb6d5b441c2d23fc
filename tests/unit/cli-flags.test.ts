// Every command-line entry point outside the local stack parses its flags with node:util parseArgs:
// a misspelt or unknown flag stops it at once with exit code 2 and a message naming the flag, before
// it starts a stack, a build or a check (a silently ignored `--ful` would run the wrong size green).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const ENTRY_POINTS = ['tests/run.ts', 'tests/reliability/run.ts', 'bench/run.ts', 'scripts/doctor.ts'];
const run = (file: string, ...args: string[]) =>
  spawnSync(process.execPath, [path.join(root, file), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1' },
  });

describe('command-line flags', () => {
  it.each(ENTRY_POINTS)(
    '%s refuses an unknown flag with exit 2, naming it',
    (file) => {
      const r = run(file, '--no-such-flag');
      expect(r.status, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(/Unknown option '--no-such-flag'/);
    },
    60_000,
  );

  it('tests/reliability/run.ts and bench/run.ts refuse a part that does not exist, and a seed that is no number', () => {
    expect(run('tests/reliability/run.ts', '--only', 'lod').stderr).toMatch(/--only names no part: lod/);
    expect(run('tests/reliability/run.ts', '--seed', 'abc').stderr).toMatch(/--seed takes a whole number, not "abc"/);
    const bench = run('bench/run.ts', '--only', 'rsl');
    expect(bench.status).toBe(2);
    expect(bench.stderr).toMatch(/Unknown part\(s\) rsl/);
  }, 120_000);
});
