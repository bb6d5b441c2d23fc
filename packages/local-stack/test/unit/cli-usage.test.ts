// `local-stack` with no command, a wrong one, --help or a wrong flag answers with its usage and an exit
// code, never a Node stack trace. None of these start anything.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 30_000 });
const STACK_TRACE = /^\s+at /m;

describe('local-stack usage', () => {
  it.each(['--help', '-h', 'help'])('%s prints every command and exits 0', (flag) => {
    const r = run(flag);
    expect(r.status).toBe(0);
    for (const command of ['up', 'down', 'status', 'serve', 'dev', 'reset', 'token'])
      expect(r.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it.each([
    [[], /No command\.\nUsage: local-stack <command>/],
    [['bogus'], /Unknown command "bogus"\.\nUsage: local-stack <command>/],
    [['toString'], /Unknown command "toString"/],
    [['token', '--bogus'], /Unknown option '--bogus'\nUsage: npm run local:token -- --user <id>/],
    [['token'], /Usage: npm run local:token -- --user <id>/],
  ])('%j exits 1 with the usage and no stack trace', (args, message) => {
    const r = run(...args);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });
});
