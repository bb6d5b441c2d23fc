// Another `next start` of the same production build on the test stack, for specs that need a server
// configured apart from the two tests/run.ts started: only the stack's env file (plus overrides) and
// the project's Node first on PATH, as a person's shell would have it. Resolves once it answers.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'clerk-supabase-local-stack';
import { layout, projectRoot } from 'clerk-supabase-local-stack';

export interface ExtraApp {
  url: string;
  /** The stack's env as its file says (before the overrides). */
  stackEnv: Record<string, string>;
  /** Everything the server printed so far. */
  output(): string;
  stop(): void;
}

export async function startExtraApp(
  port: number,
  overrides: (stackEnv: Record<string, string>) => Record<string, string> = () => ({}),
): Promise<ExtraApp> {
  const stackEnv = parseEnv(fs.readFileSync(process.env.LOCAL_STACK_ENV_FILE ?? layout('test').envFile, 'utf8'));
  const child: ChildProcess = spawn(
    path.join(projectRoot, 'node_modules/.bin/next'),
    ['start', '-p', String(port), '--hostname', 'localhost'],
    {
      cwd: projectRoot,
      env: {
        PATH: `${path.join(projectRoot, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}`,
        HOME: process.env.HOME,
        ...stackEnv,
        ...overrides(stackEnv),
        NEXT_TELEMETRY_DISABLED: '1',
      } as unknown as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  const app: ExtraApp = { url: `http://localhost:${port}`, stackEnv, output: () => output, stop: () => void child.kill('SIGTERM') };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && child.exitCode === null) {
    if (
      await fetch(`${app.url}/`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return app;
    await new Promise((r) => setTimeout(r, 250));
  }
  app.stop();
  throw new Error(`next start -p ${port} did not come up:\n${output}`);
}
