// Timing and summary helpers shared by every benchmark: warm up, repeat, keep each sample, report
// median and p99 (nearest rank) so that two variants measured in the same run can be compared.
import os from 'node:os';

export interface Summary {
  n: number;
  median: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of an unsorted sample (p in 0..100). */
function percentile(samples: number[], p: number): number {
  if (!samples.length) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarize(samples: number[]): Summary {
  const n = samples.length;
  return {
    n,
    median: round(percentile(samples, 50)),
    p99: round(percentile(samples, 99)),
    min: round(Math.min(...samples)),
    max: round(Math.max(...samples)),
    mean: round(samples.reduce((a, b) => a + b, 0) / n),
  };
}

/** Three significant decimals for milliseconds: enough for 0.05 ms index scans, no false precision. */
export function round(x: number, digits = 3): number {
  return Number.isFinite(x) ? Number(x.toFixed(digits)) : x;
}

export function ratio(a: number, b: number): number {
  return b > 0 ? round(a / b, 2) : NaN;
}

export const now = () => performance.now();

/** Runs `fn` once per warm-up round (discarded) then `repeats` times, each sample in milliseconds. */
export async function measure(fn: (i: number) => Promise<unknown>, opts: { warmup: number; repeats: number }): Promise<number[]> {
  for (let i = 0; i < opts.warmup; i++) await fn(i);
  const samples: number[] = [];
  for (let i = 0; i < opts.repeats; i++) {
    const t = now();
    await fn(opts.warmup + i);
    samples.push(now() - t);
  }
  return samples;
}

/**
 * Measures several variants of the same operation interleaved (A B C, A B C, ... with the order
 * rotated each round) so that noise from a shared machine hits every variant alike, which keeps
 * the ratios between them honest even when the absolute numbers wander.
 */
export async function measureInterleaved<K extends string>(
  variants: Record<K, (i: number) => Promise<unknown>>,
  opts: { warmup: number; repeats: number; repeatsFor?: Partial<Record<K, number>> },
): Promise<Record<K, number[]>> {
  const names = Object.keys(variants) as K[];
  const samples = Object.fromEntries(names.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let i = 0; i < opts.warmup; i++) for (const k of names) await variants[k](i);
  for (let i = 0; i < opts.repeats; i++) {
    const order = names.map((_, j) => names[(i + j) % names.length]);
    for (const k of order) {
      if (samples[k].length >= (opts.repeatsFor?.[k] ?? opts.repeats)) continue;
      const t = now();
      await variants[k](opts.warmup + i);
      samples[k].push(now() - t);
    }
  }
  return samples;
}

export function machine() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverageAtStart: os.loadavg().map((x) => round(x, 2)),
  };
}

/** Prints one line and keeps the run readable: `[rls] my 20 latest tasks: 1.2 ms (baseline 1.1 ms)`. */
export function logLine(part: string, text: string) {
  console.log(`\x1b[2m[${part}]\x1b[0m ${text}`);
}
