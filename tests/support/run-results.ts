// For tests/run.ts: which steps to run, how a step's exit code and report become its counts, and a
// child process whose whole output is read. Apart from run.ts so that tests can hold it to the truth:
// a step that exits non-zero is never "0 failed", a missing report never shows an old run's counts,
// skipped and todo tests are counted, and a misspelt step name is an error, not an empty green run.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import { parseArgs } from 'node:util';

export const STEPS = ['typecheck', 'lint', 'unit', 'db', 'app', 'e2e', 'reliability'] as const;
export type Step = (typeof STEPS)[number];

export interface Counts {
  passed: number;
  failed: number;
  /** Skipped, todo and fixme tests: not run, so they prove nothing; shown so they cannot hide. */
  skipped: number;
  note?: string;
}

/**
 * tests/run.ts's flags (node:util parseArgs): `--only unit,db` or `--only=unit,db` -> the steps; null when
 * absent. Throws a message naming the problem on a name that is not a step, or on any other flag.
 */
export function parseOnly(args: string[]): Step[] | null {
  let only: string | undefined;
  try {
    ({
      values: { only },
    } = parseArgs({ args, options: { only: { type: 'string' } } }));
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new Error(`--only needs a list of steps. Steps: ${STEPS.join(', ')}.`);
    if (code?.startsWith('ERR_PARSE_ARGS_'))
      throw new Error(`${(e as Error).message}. Usage: node tests/run.ts [--only ${STEPS.join(',')}]`);
    throw e;
  }
  if (only === undefined) return null;
  const names = only
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(STEPS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(
      `--only ${unknown.length ? `names no step: ${unknown.join(', ')}` : 'needs a list of steps'}. Steps: ${STEPS.join(', ')}.`,
    );
  }
  return names as Step[];
}

/** A non-zero exit with no failed test counted is a failure of its own (a crash, a config error). */
function withExitCode(counts: Counts, code: number, tool: string): Counts {
  if (code === 0 || counts.failed > 0) return counts;
  return { ...counts, failed: 1, note: `${tool} exited with code ${code} without reporting a failed test` };
}

/** Counts from vitest's JSON report (written by this run: the caller removes the old one first). */
export function vitestCounts(file: string, code: number): Counts {
  if (!fs.existsSync(file)) return withExitCode({ passed: 0, failed: 0, skipped: 0, note: 'no vitest report' }, code || 1, 'vitest');
  const r = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests?: number;
    numTodoTests?: number;
  };
  return withExitCode(
    { passed: r.numPassedTests, failed: r.numFailedTests, skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0) },
    code,
    'vitest',
  );
}

/** Counts from Playwright's JSON report (same rule: written by this run or absent). */
export function playwrightCounts(file: string, code: number): Counts {
  if (!fs.existsSync(file))
    return withExitCode({ passed: 0, failed: 0, skipped: 0, note: 'no Playwright report' }, code || 1, 'playwright');
  const { stats } = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  };
  // A flaky test failed at least once: with retries at 0 it cannot occur, and if it does it is a failure.
  return withExitCode({ passed: stats.expected, failed: stats.unexpected + stats.flaky, skipped: stats.skipped }, code, 'playwright');
}

/**
 * Runs a command, its stdout echoed and kept. Resolves on 'close' (every stdio stream ended), not on
 * 'exit': a process that exits while its output is still in the pipe (or a child of it still writes)
 * would otherwise be summarised from part of what it printed.
 */
export function runCapturing(
  cmd: string,
  args: string[],
  opts: SpawnOptions = {},
  {
    echo = (c) => process.stdout.write(c),
    running,
  }: {
    echo?: (chunk: Buffer) => void;
    /** Holds the child while it runs: the caller's SIGTERM handler stops what is in it. */
    running?: Set<ChildProcess>;
  } = {},
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'inherit'] });
    running?.add(child);
    child.on('close', () => running?.delete(child));
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      echo(chunk);
      output += chunk.toString();
    });
    child.on('error', (e) => {
      output += `\n${e.message}\n`;
    });
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** The closing line: every count, skipped included. */
export function closingLine(totals: Counts): string {
  return `${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`;
}
