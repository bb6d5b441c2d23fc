// Every environment variable the app reads, validated once with zod. A missing or malformed value
// stops `next build` (next.config.ts) and the server at start-up (instrumentation.ts) with one line
// per problem saying what is wrong and how to fix it, instead of failing later inside a request with
// a confusing 401 or 500.
//
// Split in two like ixartz/SaaS-Boilerplate: `clientSchema` covers the NEXT_PUBLIC_ values (inlined
// into the browser bundle at build time), `serverSchema` everything. Both are checked on the server at
// start-up; browser code reads the NEXT_PUBLIC_ values directly (lib/supabase/client.ts), so neither
// zod nor the server's checks ever ship to the browser.
import { z } from 'zod';
import { machineLocalKeyProblem } from './machine-local';
import { deployedPlatform, hasLiveClerkKeys, productionReason } from './platform';

// Never echo a secret back in an error message: show its first characters only.
const peek = (v: string) => JSON.stringify(v.length > 12 ? `${v.slice(0, 8)}…` : v);

const httpUrl = (name: string, hint: string) =>
  z.string({ error: `${name} is missing. ${hint}` }).refine((v) => /^https?:\/\/[^/\s]+\/?$/.test(v), {
    message: `${name} must be an origin like https://xyzcompany.supabase.co (no path, no /rest/v1). ${hint}`,
  });

/**
 * The `role` of a legacy Supabase API key (an HS256 JWT: `anon` or `service_role`); undefined when the
 * value is not JWT-shaped, null when its payload cannot be read. Both keys look alike (eyJ…), and
 * pasting the wrong one would ship a key that bypasses row-level security to every browser.
 */
function legacyKeyRole(v: string): string | null | undefined {
  const payload = /^eyJ[\w-]*\.([\w-]+)\.[\w-]+$/.exec(v)?.[1];
  if (!payload) return undefined;
  try {
    // atob, not Buffer: proxy.ts reads this module too. The claims we need are ASCII.
    const role = (JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { role?: unknown }).role;
    return typeof role === 'string' ? role : null;
  } catch {
    return null;
  }
}

const supabaseHint = 'Copy it from Supabase Dashboard -> Project Settings -> API Keys (the Project URL: Project Settings -> Data API).';
const clerkHint = 'Copy it from Clerk Dashboard -> API keys.';

/** Where this app serves Clerk's Frontend API from its own origin (app/%5F%5Fclerk/[[...path]]/route.ts). */
export const CLERK_PROXY_PATH = '/__clerk';

const clientSchema = z.object({
  NEXT_PUBLIC_SUPABASE_URL: httpUrl('NEXT_PUBLIC_SUPABASE_URL', supabaseHint),
  NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: z
    .string({ error: `NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY is missing. ${supabaseHint}` })
    .refine((v) => !v.startsWith('sb_secret_'), {
      message:
        'NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY holds a secret key (sb_secret_…): that key bypasses row-level security and must never reach the browser. Use the publishable key (sb_publishable_…) and rotate the secret key now.',
    })
    .refine((v) => v.startsWith('sb_publishable_') || /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(v), {
      message:
        'NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY must be the publishable key (sb_publishable_…) or the legacy anon JWT (eyJ…). ' +
        supabaseHint,
    })
    .refine((v) => legacyKeyRole(v) !== 'service_role', {
      message:
        'NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY holds the legacy service_role JWT: that key bypasses row-level security and must never reach the browser. Use the anon key (or sb_publishable_…), and rotate the JWT secret now if this value was ever deployed.',
    })
    .refine((v) => ['anon', 'service_role', undefined].some((role) => legacyKeyRole(v) === role), {
      message:
        'NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY is a JWT whose role is not "anon": use the publishable key (sb_publishable_…) or the legacy anon key. ' +
        supabaseHint,
    }),
  NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: z
    .string({ error: `NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY is missing. ${clerkHint}` })
    .refine((v) => /^pk_(test|live)_[A-Za-z0-9+/=]+$/.test(v), {
      message: `NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY must start with pk_test_ or pk_live_. ${clerkHint}`,
    }),
  // This app's own path (its route app/%5F%5Fclerk serves it) or https: an absolute http:// proxy URL breaks the clerk-js script tag.
  NEXT_PUBLIC_CLERK_PROXY_URL: z
    .string()
    .refine((v) => v === CLERK_PROXY_PATH || v.startsWith('https://'), {
      message: `NEXT_PUBLIC_CLERK_PROXY_URL must be ${CLERK_PROXY_PATH} (served by app/%5F%5Fclerk) or an https:// URL.`,
    })
    .optional(),
});

const serverSchema = clientSchema.extend({
  CLERK_SECRET_KEY: z
    .string({ error: `CLERK_SECRET_KEY is missing. ${clerkHint}` })
    .refine((v) => /^sk_(test|live)_\w+$/.test(v), { message: `CLERK_SECRET_KEY must start with sk_test_ or sk_live_. ${clerkHint}` }),
  // Hosts put multi-line values on one line with literal \n: accept both.
  CLERK_JWT_KEY: z
    .string()
    .transform((v) => v.replace(/\\n/g, '\n'))
    .refine((v) => /^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\s*$/.test(v), {
      message:
        'CLERK_JWT_KEY must be the PEM public key (-----BEGIN PUBLIC KEY-----…) from Clerk Dashboard -> API keys -> JWKS Public Key. Without it every request would fetch the JWKS over the network.',
    })
    .optional(),
  CLERK_AUTHORIZED_PARTIES: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((list) => list.every((o) => /^https?:\/\/[^/\s]+$/.test(o)), {
      message:
        'CLERK_AUTHORIZED_PARTIES must be a comma-separated list of origins like https://app.example.com (no trailing slash, no path).',
    })
    .optional(),
  // The mode switch: a template name means JWT-template mode; unset means third-party mode.
  CLERK_SUPABASE_TEMPLATE: z
    .string()
    .regex(/^[\w-]+$/, {
      message:
        'CLERK_SUPABASE_TEMPLATE must be the name of a Clerk JWT template (letters, digits, - and _), or unset for third-party mode.',
    })
    .optional(),
  // "off" where the project runs no Realtime server: "Online now" on /org then says so instead of
  // connecting.
  SUPABASE_REALTIME: z
    .enum(['on', 'off'], { message: 'SUPABASE_REALTIME must be "on" (the default) or "off" (no Realtime server: presence is off).' })
    .optional(),
  CLERK_WEBHOOK_SIGNING_SECRET: z
    .string()
    .refine((v) => v.startsWith('whsec_'), {
      message:
        'CLERK_WEBHOOK_SIGNING_SECRET must start with whsec_. Copy it from Clerk Dashboard -> Webhooks -> your endpoint -> Signing Secret.',
    })
    .optional(),
  SUPABASE_SECRET_KEY: z
    .string()
    .refine((v) => v.startsWith('sb_secret_') || /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(v), {
      message: `SUPABASE_SECRET_KEY must be the secret key (sb_secret_…) or the legacy service_role JWT. ${supabaseHint}`,
    })
    .refine((v) => ['service_role', undefined].some((role) => legacyKeyRole(v) === role), {
      message: `SUPABASE_SECRET_KEY is a JWT whose role is not "service_role" (the anon key?). ${supabaseHint}`,
    })
    .optional(),
});

export type ServerEnv = z.infer<typeof serverSchema>;

export class EnvError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example for every variable.`);
    this.name = 'EnvError';
    this.problems = problems;
  }
}

// Empty strings (KEY= in a .env file) count as unset.
const clean = (source: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));

function check<S extends z.ZodType>(schema: S, source: Record<string, string | undefined>, extra: string[] = []): z.infer<S> {
  const result = schema.safeParse(clean(source));
  const problems = [...(result.success ? [] : result.error.issues.map((i) => i.message)), ...extra];
  if (problems.length) throw new EnvError(problems);
  return result.data as z.infer<S>;
}

const isLoopbackUrl = (url: string) => /^https?:\/\/(localhost|127(\.\d+){3}|\[::1\])(:\d+)?\/?$/i.test(url);

/** Problems no single variable shows: secrets exposed to the browser, machine-local keys in a deployment. */
function crossChecks(source: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(source)) {
    if (!name.startsWith('NEXT_PUBLIC_') || !value) continue;
    if (/^(sk_(test|live)_|sb_secret_|whsec_)/.test(value) || /SECRET|SERVICE_ROLE/.test(name)) {
      problems.push(
        `${name} (${peek(value)}) looks like a secret, and every NEXT_PUBLIC_ variable is shipped to the browser. Rename it without NEXT_PUBLIC_ and rotate the key.`,
      );
    }
  }
  const misplaced = machineLocalKeyProblem(source);
  if (misplaced) problems.push(misplaced);
  // Production from facts that hold on any host; the platform, when one is recognised, is a hint only.
  const production = productionReason(source);
  // Clerk's SDK sends the secret key to CLERK_API_URL (and proxies to CLERK_FAPI_URL): in production
  // only Clerk's own, or a service on this same machine.
  for (const name of production ? ['CLERK_API_URL', 'CLERK_FAPI_URL'] : []) {
    const value = source[name];
    if (value && value !== 'https://api.clerk.com' && !isLoopbackUrl(value)) {
      problems.push(
        `${name} is set to ${value}, but this is production (${production}): Clerk's SDK would send your secret key there. Remove it from the host's environment settings.`,
      );
    }
  }
  if (production && source.SUPABASE_JWT_SECRET) {
    problems.push(
      `SUPABASE_JWT_SECRET is set, but this is production (${production}). The app never reads it, and it can sign service_role tokens: remove it from the host's environment settings. Only \`npm run doctor\` uses it: to build for production on your own machine, take it out of .env.local and pass it to doctor alone (\`SUPABASE_JWT_SECRET=… npm run doctor\`).`,
    );
  }
  if (production) problems.push(...productionPartyProblems(source, production));
  return problems;
}

const isLoopbackOrigin = (origin: string) => /^https?:\/\/(localhost|127(\.\d+){3}|\[::1\]|[^/]*\.localhost)(:\d+)?$/i.test(origin);

/**
 * Production must name its own origins, and only those: Clerk refuses tokens minted for any other.
 * Loopback origins are refused where visitors come from the network (live keys, or a recognised
 * platform); a development instance's production build tried on this machine may name localhost.
 */
function productionPartyProblems(source: Record<string, string | undefined>, production: string): string[] {
  const parties = (source.CLERK_AUTHORIZED_PARTIES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!parties.length)
    return [
      `CLERK_AUTHORIZED_PARTIES is missing, and this is production (${production}). Set it to every origin the app is served from (e.g. https://app.example.com; http://localhost:3000 to try a development instance's build on your machine): Clerk then refuses session tokens minted for other sites.`,
    ];
  const loopback = hasLiveClerkKeys(source) || deployedPlatform(source) ? parties.filter(isLoopbackOrigin) : [];
  return loopback.length
    ? [
        `CLERK_AUTHORIZED_PARTIES lists ${loopback.join(', ')} in production (${production}): a page served on a visitor's own machine could then use their session here. Remove it (keep localhost in .env.local only).`,
      ]
    : [];
}

/** Validates the server's environment; throws an EnvError naming every problem. */
export function parseServerEnv(source: Record<string, string | undefined> = process.env): ServerEnv {
  return check(serverSchema, source, crossChecks(source));
}

// At `next build` the NEXT_PUBLIC_ values are inlined into the bundle, so a wrong one must fail the
// build, not only the start. Server-only secrets may be given to the build or only at run time (a
// Docker image built without secrets): at build a missing one is left to the start-up check, a
// malformed one fails already.
const buildSchema = serverSchema.partial({ CLERK_SECRET_KEY: true });

/** The checks `next build` runs (next.config.ts); throws an EnvError naming every problem. */
export function parseBuildEnv(source: Record<string, string | undefined> = process.env): void {
  check(buildSchema, source, crossChecks(source));
}

/**
 * Whether this process is production: live Clerk keys, or NODE_ENV=production anywhere but the local
 * stack (lib/platform.ts). Read once: the environment does not change while the server runs.
 */
let production: boolean | undefined;
export function isProduction(source: Record<string, string | undefined> = process.env): boolean {
  if (source !== process.env) return Boolean(productionReason(source));
  return (production ??= Boolean(productionReason(source)));
}

let cached: ServerEnv | null = null;
/** The validated server environment (parsed once per process). Server code only. */
export function serverEnv(): ServerEnv {
  if (typeof window !== 'undefined') throw new Error('serverEnv() was called in the browser; read NEXT_PUBLIC_ values directly there.');
  return (cached ??= parseServerEnv());
}
