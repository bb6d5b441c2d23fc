// `next build` inlines the NEXT_PUBLIC_ values into the browser bundle, so a wrong one must stop the
// build, not only the server's start (next.config.ts runs lib/env.ts's checks at build). The build
// below stops as soon as its configuration loads, before compiling anything.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keepingTsconfig, projectRoot } from 'clerk-supabase-local-stack';
import { runToExit } from '../support/app.ts';
import { PLATFORM_FLAGS } from '../../lib/platform.ts';

const legacyKey = (role: string) =>
  `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.${Buffer.from(JSON.stringify({ iss: 'supabase', ref: 'abcd1234', role, iat: 1700000000, exp: 2000000000 })).toString('base64url')}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk`;

/** The build tests/run.ts made, which the running apps serve: a stopped build must leave it as it was. */
const builtId = () => fs.readFileSync(path.join(projectRoot, '.next/BUILD_ID'), 'utf8');

async function build(env: Record<string, string>): Promise<{ code: number | null; output: string; untouched: boolean }> {
  const before = builtId();
  return keepingTsconfig(async () => {
    const { code, output } = await runToExit(
      path.join(projectRoot, 'node_modules/.bin/next'),
      ['build'],
      { cwd: projectRoot, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env } },
      120_000,
    );
    return { code, output, untouched: fs.existsSync(path.join(projectRoot, '.next/static')) && builtId() === before };
  });
}

describe('next build checks the environment', () => {
  it('a legacy service_role JWT as the publishable key fails the build, before anything is compiled', async () => {
    const serviceRole = legacyKey('service_role');
    const { code, output, untouched } = await build({ NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: serviceRole });
    expect(code).toBe(1);
    expect(output).toContain('next build stopped: invalid environment');
    expect(output).toMatch(/NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY holds the legacy service_role JWT/);
    expect(output).not.toContain(serviceRole);
    expect(untouched, 'the running build was left as it was').toBe(true);
  }, 150_000);
});

describe('production is recognised on any host', () => {
  // Docker, Kubernetes, ECS, Azure, Cloudflare or a VM set none of the platform variables lib/platform.ts knows.
  it('next build with live keys and SUPABASE_JWT_SECRET on a host no platform list names ships the secret-signing setup', async () => {
    const live = `pk_live_${Buffer.from('clerk.example.com$').toString('base64').replace(/=+$/, '')}`;
    const jwtSecret = 'super-secret-jwt-token-with-at-least-32-characters-long';
    const { code, output, untouched } = await build({
      NODE_ENV: 'production',
      NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: live,
      CLERK_SECRET_KEY: 'sk_live_buildenvtest',
      SUPABASE_JWT_SECRET: jwtSecret,
      CLERK_AUTHORIZED_PARTIES: 'https://app.example.com',
      NEXT_PUBLIC_SUPABASE_URL: 'https://abcd1234.supabase.co',
      // Not the local stack, and no platform variable.
      LOCAL_STACK: '',
      CLERK_API_URL: '',
      CLERK_FAPI_URL: '',
      ...Object.fromEntries(PLATFORM_FLAGS.map((v) => [v, ''])),
    });
    expect(code, output).toBe(1);
    expect(output).toContain('next build stopped: invalid environment');
    expect(output).toMatch(/SUPABASE_JWT_SECRET is set, but this is production \(live Clerk keys\)/);
    expect(output).not.toContain(jwtSecret);
    expect(untouched, 'the running build was left as it was').toBe(true);
  }, 150_000);
});
