/** Order statistics for noisy timings: median and p90 (nearest-rank), min/max, rounded for the report. */
export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly p90: number;
  readonly min: number;
  readonly max: number;
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? Number.NaN;
}

export function median(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function summarize(values: readonly number[], digits = 1): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const r = (x: number): number => Number(x.toFixed(digits));
  return {
    n: sorted.length,
    median: r(median(sorted)),
    p90: r(quantile(sorted, 0.9)),
    min: r(sorted[0] ?? Number.NaN),
    max: r(sorted[sorted.length - 1] ?? Number.NaN),
  };
}
