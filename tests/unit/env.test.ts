// lib/env.ts: every problem is named with what is wrong and how to fix it, secrets are never echoed.
import { describe, expect, it } from 'vitest';
import { EnvError, parseBuildEnv, parseServerEnv } from '../../lib/env.ts';
import { machineLocalGuard, machineLocalListenProblem } from '../../lib/machine-local.ts';
import { hasMachineLocalClerkKey } from '../../lib/platform.ts';
import { DEV_PK, fakeJwt, LOCAL_PK, REAL_PK, validEnv } from './fixtures.ts';

function problems(env: Record<string, string | undefined>): string[] {
  try {
    parseServerEnv(env);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(EnvError);
    return (e as EnvError).problems;
  }
}

describe('parseServerEnv', () => {
  it('accepts a complete environment and derives the mode', () => {
    expect(parseServerEnv(validEnv()).CLERK_SUPABASE_TEMPLATE).toBeUndefined();
    expect(parseServerEnv({ ...validEnv(), CLERK_SUPABASE_TEMPLATE: 'supabase' }).CLERK_SUPABASE_TEMPLATE).toBe('supabase');
  });

  it('names every missing variable at once, with where to find it', () => {
    const found = problems({});
    for (const name of [
      'NEXT_PUBLIC_SUPABASE_URL',
      'NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY',
      'NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY',
      'CLERK_SECRET_KEY',
    ]) {
      expect(found.find((p) => p.startsWith(`${name} is missing`))).toMatch(/Dashboard/);
    }
    // An empty value (KEY= in a .env file) counts as missing.
    expect(problems({ ...validEnv(), CLERK_SECRET_KEY: '' })).toEqual([expect.stringMatching(/^CLERK_SECRET_KEY is missing/)]);
  });

  it('checks key prefixes', () => {
    expect(problems({ ...validEnv(), NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: 'sk_test_abc' })).toEqual([
      expect.stringMatching(/NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY must start with pk_test_ or pk_live_/),
      expect.stringMatching(/looks like a secret/),
    ]);
    expect(problems({ ...validEnv(), CLERK_SECRET_KEY: 'pk_test_abc' })).toEqual([
      expect.stringMatching(/CLERK_SECRET_KEY must start with sk_test_ or sk_live_/),
    ]);
    expect(problems({ ...validEnv(), CLERK_WEBHOOK_SIGNING_SECRET: 'abc' })).toEqual([expect.stringMatching(/must start with whsec_/)]);
    expect(problems({ ...validEnv(), SUPABASE_SECRET_KEY: 'sb_publishable_x' })).toEqual([
      expect.stringMatching(/SUPABASE_SECRET_KEY must be the secret key/),
    ]);
  });

  it('checks URL shapes', () => {
    for (const url of ['supabase.co', 'http://x.supabase.co/rest/v1', 'ftp://x.supabase.co']) {
      expect(problems({ ...validEnv(), NEXT_PUBLIC_SUPABASE_URL: url })).toEqual([
        expect.stringMatching(/NEXT_PUBLIC_SUPABASE_URL must be an origin/),
      ]);
    }
    // Only the path its route serves (app/%5F%5Fclerk), or a proxy elsewhere over https.
    for (const proxyUrl of ['http://localhost:3000/__clerk', '/clerk-proxy']) {
      expect(problems({ ...validEnv(), NEXT_PUBLIC_CLERK_PROXY_URL: proxyUrl })).toEqual([
        expect.stringMatching(/must be \/__clerk \(served by app\/%5F%5Fclerk\) or an https/),
      ]);
    }
    expect(problems({ ...validEnv(), CLERK_AUTHORIZED_PARTIES: 'https://a.example/, localhost' })).toEqual([
      expect.stringMatching(/comma-separated list of origins/),
    ]);
    expect(
      parseServerEnv({ ...validEnv(), CLERK_AUTHORIZED_PARTIES: 'https://a.example, http://localhost:3000' }).CLERK_AUTHORIZED_PARTIES,
    ).toEqual(['https://a.example', 'http://localhost:3000']);
  });

  it('refuses a secret key exposed as NEXT_PUBLIC_, without printing it', () => {
    const secret = 'sb_secret_supersecretvalue123';
    const found = problems({ ...validEnv(), NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: secret, NEXT_PUBLIC_SUPABASE_SECRET_KEY: secret });
    expect(found.some((p) => /holds a secret key.*rotate/.test(p))).toBe(true);
    expect(found.some((p) => p.startsWith('NEXT_PUBLIC_SUPABASE_SECRET_KEY') && /shipped to the browser/.test(p))).toBe(true);
    expect(found.join('\n')).not.toContain(secret);
  });

  it('refuses a machine-local Clerk key whose Clerk services are elsewhere (facts of the process, not of the request)', () => {
    const outside = /belongs to a Clerk instance on this machine .* do not point to this machine/;
    const withoutUrls = { ...validEnv(), CLERK_API_URL: undefined, CLERK_FAPI_URL: undefined };
    expect(problems(withoutUrls)).toEqual([expect.stringMatching(outside)]);
    expect(problems({ ...validEnv(), CLERK_FAPI_URL: 'https://clerk.example.com' })).toEqual([expect.stringMatching(outside)]);
    expect(problems({ ...validEnv(), CLERK_API_URL: 'http://10.0.0.5:54327' })).toEqual([expect.stringMatching(outside)]);
    expect(problems({ ...validEnv(), NODE_ENV: 'production' })).toEqual([]);
    expect(problems({ ...withoutUrls, NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: DEV_PK })).toEqual([]);
  });

  // A host no list can name (Docker, Kubernetes, ECS, Azure, Cloudflare, a VM) sets no platform variable.
  const hosted: Record<string, string | undefined> = {
    ...validEnv(),
    LOCAL_STACK: undefined,
    CLERK_API_URL: undefined,
    CLERK_FAPI_URL: undefined,
    NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: REAL_PK,
    CLERK_SECRET_KEY: 'sk_live_unittest',
  };

  it('production on a host with no platform variable keeps development settings (live keys, or NODE_ENV=production off the local stack)', () => {
    const jwtSecret = 'super-secret-jwt-token-with-at-least-32-characters';
    // Live keys, no platform variable, NODE_ENV anything: production.
    for (const env of [hosted, { ...hosted, NODE_ENV: 'production' }, { ...hosted, NODE_ENV: 'development' }]) {
      const found = problems({ ...env, SUPABASE_JWT_SECRET: jwtSecret });
      expect(found, env.NODE_ENV).toEqual([
        expect.stringMatching(/^SUPABASE_JWT_SECRET is set, but this is production \(live Clerk keys\).*npm run doctor/),
        expect.stringMatching(/^CLERK_AUTHORIZED_PARTIES is missing, and this is production \(live Clerk keys\)/),
      ]);
      expect(found.join('\n')).not.toContain('super-secret');
    }
    // A development instance's keys with NODE_ENV=production (`next start`, a staging container): production.
    const staging = { ...hosted, NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: DEV_PK, CLERK_SECRET_KEY: 'sk_test_unittest', NODE_ENV: 'production' };
    expect(problems({ ...staging, SUPABASE_JWT_SECRET: jwtSecret })).toEqual([
      expect.stringMatching(/^SUPABASE_JWT_SECRET is set, but this is production \(NODE_ENV=production\)/),
      expect.stringMatching(/^CLERK_AUTHORIZED_PARTIES is missing/),
    ]);
    expect(problems({ ...staging, CLERK_AUTHORIZED_PARTIES: 'https://staging.example.com' })).toEqual([]);
    // ...which may name localhost to try the build on this machine; live keys or a platform may not.
    expect(problems({ ...staging, CLERK_AUTHORIZED_PARTIES: 'http://localhost:3000' })).toEqual([]);
    expect(problems({ ...staging, CLERK_AUTHORIZED_PARTIES: 'http://localhost:3000', K_SERVICE: 'app' })).toEqual([
      expect.stringContaining('CLERK_AUTHORIZED_PARTIES lists http://localhost:3000 in production (NODE_ENV=production, K_SERVICE is set)'),
    ]);
    // `next dev` with a development instance, and the local stack's own production build: not production.
    expect(problems({ ...staging, NODE_ENV: 'development', SUPABASE_JWT_SECRET: jwtSecret })).toEqual([]);
    expect(problems({ ...validEnv(), NODE_ENV: 'production', SUPABASE_JWT_SECRET: jwtSecret })).toEqual([]);
  });

  it('refuses Clerk service URLs off this machine in production (they would send the secret key elsewhere)', () => {
    const found = problems({
      ...hosted,
      CLERK_API_URL: 'http://10.0.0.5:54327',
      CLERK_FAPI_URL: 'https://clerk-proxy.example.com',
      CLERK_AUTHORIZED_PARTIES: 'https://app.example.com',
    });
    for (const name of ['CLERK_API_URL', 'CLERK_FAPI_URL'])
      expect(
        found.some((p) => p.startsWith(name) && /this is production \(live Clerk keys\)/.test(p)),
        name,
      ).toBe(true);
    expect(problems({ ...hosted, CLERK_API_URL: 'http://127.0.0.1:54327', CLERK_AUTHORIZED_PARTIES: 'https://app.example.com' })).toEqual(
      [],
    );
    expect(
      problems({ ...hosted, CLERK_API_URL: 'https://api.clerk.com', CLERK_AUTHORIZED_PARTIES: 'https://app.example.com', VERCEL: '1' }),
    ).toEqual([]);
  });

  it('requires CLERK_AUTHORIZED_PARTIES without localhost in production, not locally', () => {
    const deployed = { ...hosted, VERCEL: '1', NODE_ENV: 'production' };
    expect(problems(deployed)).toEqual([
      expect.stringMatching(/^CLERK_AUTHORIZED_PARTIES is missing, and this is production \(live Clerk keys, VERCEL is set\)/),
    ]);
    for (const local of ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://app.localhost', 'http://[::1]:3000']) {
      expect(problems({ ...deployed, CLERK_AUTHORIZED_PARTIES: `https://app.example.com,${local}` }), local).toEqual([
        expect.stringContaining(`CLERK_AUTHORIZED_PARTIES lists ${local} in production`),
      ]);
    }
    expect(problems({ ...deployed, CLERK_AUTHORIZED_PARTIES: 'https://app.example.com' })).toEqual([]);
    // A preview on a development instance, `next dev`, and the local stack's `next start` need none.
    expect(
      problems({ ...deployed, NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: DEV_PK, CLERK_SECRET_KEY: 'sk_test_x', NODE_ENV: 'development' }),
    ).toEqual([]);
    expect(problems({ ...validEnv(), NODE_ENV: 'production', CLERK_AUTHORIZED_PARTIES: 'http://localhost:3000' })).toEqual([]);
  });

  it('at build time: the NEXT_PUBLIC_ values must be right, a server secret may come at start-up', () => {
    const build = (env: Record<string, string | undefined>) => {
      try {
        parseBuildEnv(env);
        return [];
      } catch (e) {
        return (e as EnvError).problems;
      }
    };
    expect(build({ ...validEnv(), CLERK_SECRET_KEY: undefined, CLERK_WEBHOOK_SIGNING_SECRET: undefined })).toEqual([]);
    expect(build({ ...validEnv(), NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: fakeJwt({ role: 'service_role' }) })).toEqual([
      expect.stringMatching(/holds the legacy service_role JWT/),
    ]);
    expect(build({ ...validEnv(), NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: undefined })).toEqual([
      expect.stringMatching(/^NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY is missing/),
    ]);
    expect(build({ ...validEnv(), CLERK_SECRET_KEY: 'pk_test_x' })).toEqual([
      expect.stringMatching(/CLERK_SECRET_KEY must start with sk_/),
    ]);
  });

  it('accepts a PEM stored on one line with literal \\n', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\\nMIIBIjANBg\\n-----END PUBLIC KEY-----';
    expect(parseServerEnv({ ...validEnv(), CLERK_JWT_KEY: pem }).CLERK_JWT_KEY).toBe(
      '-----BEGIN PUBLIC KEY-----\nMIIBIjANBg\n-----END PUBLIC KEY-----',
    );
    expect(problems({ ...validEnv(), CLERK_JWT_KEY: 'MIIBIjANBg' })).toEqual([
      expect.stringMatching(/CLERK_JWT_KEY must be the PEM public key/),
    ]);
  });

  it('rejects a template name that cannot be a Clerk template', () => {
    expect(problems({ ...validEnv(), CLERK_SUPABASE_TEMPLATE: 'supa base' })).toEqual([
      expect.stringMatching(/CLERK_SUPABASE_TEMPLATE must be the name/),
    ]);
  });
});

describe('machine-local keys and hosts', () => {
  it('a server holding the local keys may listen on loopback only, whatever it was told', () => {
    for (const loopback of [['127.0.0.1:3000'], ['[::1]:3000'], ['[::ffff:127.0.0.1]:3000'], []])
      expect(machineLocalListenProblem(validEnv(), loopback)).toBeNull();
    for (const everywhere of [['0.0.0.0:3108'], ['[::]:3108'], ['127.0.0.1:3000', '192.168.1.20:3000']]) {
      expect(machineLocalListenProblem({ ...validEnv(), PORT: '3108' }, everywhere)).toMatch(
        /listens on .*which the network can reach.*npm run start:local -- -p 3108/,
      );
    }
    // Real keys: where it listens is the host's business.
    expect(machineLocalListenProblem({ ...validEnv(), NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: REAL_PK }, ['0.0.0.0:3000'])).toBeNull();
  });

  it('recognises a machine-local publishable key (a development key on a .localhost Frontend API)', () => {
    expect(hasMachineLocalClerkKey({ NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: LOCAL_PK })).toBe(true);
    expect(hasMachineLocalClerkKey({ NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: REAL_PK })).toBe(false);
    expect(hasMachineLocalClerkKey({ NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: DEV_PK })).toBe(false);
    expect(hasMachineLocalClerkKey({ NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: `pk_test_${btoa('evil.localhost.example.com$')}` })).toBe(false);
    expect(hasMachineLocalClerkKey({ NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: 'pk_test_!!!' })).toBe(false);
  });
  it('answers only requests addressed to this machine when the local keys are in use', () => {
    const withHost = (host: string) => new Request('http://app.test/', { headers: { host } });
    const refuseLocalKeysOffMachine = machineLocalGuard(validEnv());
    for (const host of ['localhost:3000', '127.0.0.1:3100', '[::1]:3000', 'localhost'])
      expect(refuseLocalKeysOffMachine(withHost(host))).toBeNull();
    for (const host of ['app.example.com', 'localhost.example.com', '10.0.0.1:3000'])
      expect(refuseLocalKeysOffMachine(withHost(host))?.status).toBe(503);
    // With Clerk's services off this machine every request is refused, whatever Host it claims.
    const elsewhere = { ...validEnv(), CLERK_FAPI_URL: 'https://clerk.example.com' };
    expect(machineLocalGuard(elsewhere)(withHost('localhost:3000'))?.status).toBe(503);
    expect(machineLocalGuard({ ...elsewhere, NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: REAL_PK })(withHost('app.example.com'))).toBeNull();
  });
});
