// `npm test`'s closing line tells the truth (tests/run.ts, tests/support/run-results.ts): a run that
// dies without a failed test is a failure, an old report never stands in for a missing one, skipped
// tests are counted, a misspelt --only is an error, and a step's output is read to its end.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { layout, projectRoot, scratchInstance } from 'clerk-supabase-local-stack';
import { acceptsConnections } from '../support/network.ts';
import { closingLine, parseOnly, playwrightCounts, runCapturing, STEPS, vitestCounts } from '../support/run-results.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-results-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name: string, body: unknown) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(body));
  return file;
};

describe('--only', () => {
  it('takes a list of steps, both spellings', () => {
    expect(parseOnly(['--only', 'unit,db'])).toEqual(['unit', 'db']);
    expect(parseOnly(['--only=e2e'])).toEqual(['e2e']);
    expect(parseOnly([])).toBeNull();
  });

  it('refuses a name that is no step, naming it and the real ones', () => {
    expect(() => parseOnly(['--only', 'unti'])).toThrow(/names no step: unti\. Steps: typecheck, lint, unit/);
    expect(() => parseOnly(['--only', 'unit,e2e,apps'])).toThrow(/names no step: apps/);
    expect(() => parseOnly(['--only'])).toThrow(/needs a list of steps/);
  });

  it('refuses any other flag or argument, naming it (node:util parseArgs)', () => {
    expect(() => parseOnly(['--ony', 'unit'])).toThrow(/Unknown option '--ony'.*Usage: node tests\/run\.ts/);
    expect(() => parseOnly(['unit'])).toThrow(/Unexpected argument 'unit'/);
  });

  it('the run itself exits non-zero on a typo, before starting anything, instead of a green empty run', () => {
    const r = spawnSync(process.execPath, [path.join(projectRoot, 'tests/run.ts'), '--only', 'unti'], {
      cwd: projectRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--only names no step: unti/);
    expect(r.stdout).not.toMatch(/▶/);
  });

  it('refuses to test against a server it did not start: an app port already taken stops the step, naming the port', async () => {
    // Instance 9's third-party app port, held here; the step must stop before building or starting anything.
    const port = layout('test', 9).ports.app;
    const holder = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    try {
      const child = spawn(process.execPath, [path.join(projectRoot, 'tests/run.ts'), '--only', 'app'], {
        cwd: projectRoot,
        env: { ...process.env, LOCAL_STACK_INSTANCE: '9' },
      });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code, output).toBe(1);
      expect(output).toContain(`port ${port} (the third-party app) is already in use by another server`);
      expect(output).not.toMatch(/Test stack ready|next build/);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  }, 60_000);

  it('a SIGTERM stops the step, the servers and the test stack: nothing of the run outlives it', async () => {
    // The stack commands' scratch instance: its db test uses it later in a run, never at the same time.
    const instance = scratchInstance('stack-cli');
    const ports = layout('test', instance).ports;
    const child = spawn(process.execPath, [path.join(projectRoot, 'tests/run.ts'), '--only', 'db'], {
      cwd: projectRoot,
      env: { ...process.env, LOCAL_STACK_INSTANCE: String(instance) },
    });
    let output = '';
    const ready = new Promise<void>((resolve) => {
      const read = (d: Buffer) => {
        output += d;
        if (output.includes('Test stack ready')) resolve();
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
    });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    await Promise.race([ready, closed]);
    expect(output, 'the stack started').toContain('Test stack ready');
    expect(await acceptsConnections(ports.postgres)).toBe(true);
    child.kill('SIGTERM');
    expect(await closed, output).toBe(143);
    // A part signalled as the run exited may take a moment to let go of its port: one deadline for all.
    const openPorts = async () => {
      const open = [];
      for (const [part, port] of Object.entries(ports))
        if (part !== 'app' && (await acceptsConnections(port))) open.push(`${part} ${port}`);
      return open;
    };
    const deadline = Date.now() + 15_000;
    while ((await openPorts()).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await openPorts()).toEqual([]);
  }, 120_000);

  it('knows every step tests/run.ts runs', () => {
    const runSteps = [
      ...fs.readFileSync(path.join(projectRoot, 'tests/run.ts'), 'utf8').matchAll(/(?:step|commandStepBeside)\('([\w-]+)'/g),
    ].map((m) => m[1]);
    expect([...STEPS].sort()).toEqual([...runSteps].sort());
  });
});

describe('counts', () => {
  it('a Playwright run that exits 1 with no failed test counts as one failure, with the reason', () => {
    const file = write('pw-crash.json', { stats: { expected: 12, unexpected: 0, flaky: 0, skipped: 0 } });
    expect(playwrightCounts(file, 1)).toEqual({
      passed: 12,
      failed: 1,
      skipped: 0,
      note: 'playwright exited with code 1 without reporting a failed test',
    });
  });

  it('no report at all (removed before the run, never written) is a failure, not zero of everything', () => {
    const missing = path.join(dir, 'never-written.json');
    expect(playwrightCounts(missing, 1)).toMatchObject({ passed: 0, failed: 1 });
    expect(vitestCounts(missing, 1)).toMatchObject({ passed: 0, failed: 1 });
    // Even a clean exit without a report proves nothing ran.
    expect(playwrightCounts(missing, 0)).toMatchObject({ passed: 0, failed: 1 });
  });

  it('skipped, todo and fixme tests are counted, not dropped', () => {
    expect(playwrightCounts(write('pw-skip.json', { stats: { expected: 5, unexpected: 0, flaky: 0, skipped: 2 } }), 0)).toEqual({
      passed: 5,
      failed: 0,
      skipped: 2,
    });
    const vitest = write('vitest.json', { numPassedTests: 7, numFailedTests: 1, numPendingTests: 2, numTodoTests: 1 });
    expect(vitestCounts(vitest, 1)).toEqual({ passed: 7, failed: 1, skipped: 3 });
    expect(closingLine({ passed: 7, failed: 1, skipped: 3 })).toBe('7 passed, 1 failed, 3 skipped');
    expect(closingLine({ passed: 7, failed: 0, skipped: 0 })).toBe('7 passed, 0 failed');
  });

  it('a flaky test (failed, then passed) is a failure', () => {
    expect(playwrightCounts(write('pw-flaky.json', { stats: { expected: 3, unexpected: 0, flaky: 1, skipped: 0 } }), 0)).toMatchObject({
      passed: 3,
      failed: 1,
    });
  });

  it("run.ts removes the Playwright report before the run, so a crash cannot show the last run's counts", () => {
    const source = fs.readFileSync(path.join(projectRoot, 'tests/run.ts'), 'utf8');
    const e2e = source.slice(source.indexOf("step('e2e'"));
    expect(e2e.indexOf('fs.rmSync(out')).toBeGreaterThan(0);
    expect(e2e.indexOf('fs.rmSync(out')).toBeLessThan(e2e.indexOf("bin('playwright')"));
  });
});

describe('runCapturing', () => {
  it("reads a step's output to its end: a line written after the process exited still counts", async () => {
    // The child exits at once; a grandchild holding its stdout prints the summary line 300 ms later.
    // Waiting on 'exit' would summarise without that line.
    const script = `require('node:child_process').spawn(process.execPath, ['-e', "setTimeout(() => console.log('3 passed, 0 failed'), 300)"], { stdio: ['ignore', 'inherit', 'inherit'] }); process.exit(0);`;
    const { code, output } = await runCapturing(process.execPath, ['-e', script], {}, { echo: () => {} });
    expect(code).toBe(0);
    expect(output).toMatch(/^3 passed, 0 failed$/m);
  });

  it('holds the child in `running` while it runs, so that a SIGTERM to tests/run.ts reaches it', async () => {
    const running = new Set<ChildProcess>();
    const done = runCapturing(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], {}, { echo: () => {}, running });
    expect(running.size).toBe(1);
    for (const child of running) child.kill('SIGTERM');
    const { code } = await done;
    expect(code).not.toBe(0);
    expect(running.size).toBe(0);
  });
});
