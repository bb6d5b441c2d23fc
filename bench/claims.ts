// The claim helpers' price (issue 18, item 4): each helper called bare, the way a naive policy calls
// it, against reading the claim directly (`auth.jwt() ->> 'sub'`) in the same run, variants interleaved.
// Part of the rls part of `npm run bench` (bench/rls.ts runs it on the loaded stack).
import type pg from 'pg';
import { logLine, measureInterleaved, ratio, summarize, type Summary } from './stats.ts';

/** Calls per claim-helper sample: the unit (10,000 calls). */
const CLAIM_CALLS = 10_000;
/** A claim helper may cost at most this many times `auth.jwt() ->> 'sub'` (issue 18, item 4). */
export const CLAIM_HELPER_MAX_RATIO = 3;

export interface ClaimHelperResult {
  callsPerSample: number;
  /** Milliseconds per CLAIM_CALLS calls, per variant. */
  samples: Record<ClaimVariant, Summary>;
  /** Each helper's median over the direct read's median, in the same run. */
  ratios: Record<Exclude<ClaimVariant, 'direct'>, number>;
  maxRatio: number;
}
const CLAIM_VARIANTS = {
  direct: `auth.jwt() ->> 'sub'`,
  requesting_user_id: 'public.requesting_user_id()',
  requesting_org_id: 'public.requesting_org_id()',
  requesting_org_role: 'public.requesting_org_role()',
  // The full token check alone (what the first helper call of each transaction pays): information.
  check: `private.trust_clerk_claims()::int::text`,
} as const;
type ClaimVariant = keyof typeof CLAIM_VARIANTS;

/**
 * The claim helpers' price, called bare the way a naive policy calls them: CLAIM_CALLS calls in one
 * statement, as `authenticated` with a session token's claims set, the variants interleaved.
 */
export async function benchClaimHelpers(db: pg.Client, claims: Record<string, unknown>, repeats: number): Promise<ClaimHelperResult> {
  await db.query('begin');
  try {
    await db.query('set local role authenticated');
    await db.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
    const calls = (expr: string) => async () => {
      const r = await db.query<{ n: string }>(`select count(x) as n from (select ${expr} as x from generate_series(1, ${CLAIM_CALLS})) s`);
      if (Number(r.rows[0].n) !== CLAIM_CALLS)
        throw new Error(`${expr} returned null for ${String(claims.sub)}: the helpers do not trust the bench's token`);
    };
    const variants = Object.fromEntries(Object.entries(CLAIM_VARIANTS).map(([k, expr]) => [k, calls(expr)])) as Record<
      ClaimVariant,
      () => Promise<void>
    >;
    const raw = await measureInterleaved(variants, { warmup: 2, repeats });
    const samples = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, summarize(v as number[])])) as Record<ClaimVariant, Summary>;
    const ratios = {
      requesting_user_id: ratio(samples.requesting_user_id.median, samples.direct.median),
      requesting_org_id: ratio(samples.requesting_org_id.median, samples.direct.median),
      requesting_org_role: ratio(samples.requesting_org_role.median, samples.direct.median),
      check: ratio(samples.check.median, samples.direct.median),
    };
    const maxRatio = Math.max(ratios.requesting_user_id, ratios.requesting_org_id, ratios.requesting_org_role);
    logLine(
      'rls',
      `claim helpers, ${CLAIM_CALLS} calls: auth.jwt() ->> 'sub' ${samples.direct.median} ms; requesting_user_id ${samples.requesting_user_id.median} ms (${ratios.requesting_user_id}x), org_id ${ratios.requesting_org_id}x, org_role ${ratios.requesting_org_role}x; the check alone ${samples.check.median} ms (${ratios.check}x)`,
    );
    return { callsPerSample: CLAIM_CALLS, samples, ratios, maxRatio };
  } finally {
    await db.query('rollback');
  }
}
