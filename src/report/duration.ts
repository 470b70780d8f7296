/** `1h 2m 3s` style: what a person scanning a summary table or a progress line wants. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${m}m ${s}s`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}

/**
 * Elapsed time between Argo's RFC 3339 timestamps; a node still running counts up to `nowMs`. Undefined when
 * it never started (Pending, Skipped, Omitted) or the timestamps do not parse.
 */
export function elapsedMs(
  startedAt: string | undefined,
  finishedAt: string | undefined,
  nowMs: number,
): number | undefined {
  if (startedAt === undefined || startedAt === '') return undefined;
  const start = Date.parse(startedAt);
  if (Number.isNaN(start)) return undefined;
  const end = finishedAt === undefined || finishedAt === '' ? nowMs : Date.parse(finishedAt);
  if (Number.isNaN(end)) return undefined;
  return Math.max(0, end - start);
}
