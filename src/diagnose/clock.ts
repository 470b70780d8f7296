import type { KubeClient } from '../cluster/types.js';
import { ArgoEntraError } from '../errors.js';
import type { Clock } from '../util/time.js';

/**
 * Clock skew from HTTP `Date` headers. Entra rejects assertions outside their short validity window (AADSTS700024)
 * and kube-apiserver rejects tokens whose nbf/exp it sees differently: a skewed runner clock looks like an identity
 * bug. `Date` has one-second resolution and the request takes time, so skew is measured against the local midpoint
 * of the request and reported only beyond the threshold.
 */

export const DEFAULT_SKEW_THRESHOLD_MS = 60_000;

export interface DateSample {
  /** e.g. "Entra (login.microsoftonline.com)" or "API server" */
  readonly source: string;
  /** the raw Date header; undefined when the server sent none */
  readonly date: string | undefined;
  readonly localBeforeMs: number;
  readonly localAfterMs: number;
}

export interface SkewMeasurement {
  readonly source: string;
  /** server minus local: positive = the local clock is behind */
  readonly skewMs: number;
  /** half the round trip plus the header's 1 s resolution */
  readonly uncertaintyMs: number;
}

export function measureSkew(sample: DateSample): SkewMeasurement | undefined {
  if (sample.date === undefined) return undefined;
  const server = Date.parse(sample.date);
  if (Number.isNaN(server)) return undefined;
  const midpoint = (sample.localBeforeMs + sample.localAfterMs) / 2;
  // The header truncates to the second: the server's real time lies in [server, server + 1000).
  const skewMs = server + 500 - midpoint;
  return { source: sample.source, skewMs, uncertaintyMs: (sample.localAfterMs - sample.localBeforeMs) / 2 + 500 };
}

export interface SkewReport {
  readonly measurements: readonly SkewMeasurement[];
  /** the largest skew beyond the threshold, as a coded error the caller may warn with or throw */
  readonly error: ArgoEntraError | undefined;
}

export function checkClockSkew(samples: readonly DateSample[], thresholdMs = DEFAULT_SKEW_THRESHOLD_MS): SkewReport {
  const measurements = samples.map(measureSkew).filter((m): m is SkewMeasurement => m !== undefined);
  // Subtract the uncertainty: only report what is certainly beyond the threshold.
  const worst = measurements
    .filter((m) => Math.abs(m.skewMs) - m.uncertaintyMs > thresholdMs)
    .sort((a, b) => Math.abs(b.skewMs) - Math.abs(a.skewMs))[0];
  if (worst === undefined) return { measurements, error: undefined };
  const seconds = Math.round(Math.abs(worst.skewMs) / 1000);
  const direction = worst.skewMs > 0 ? 'behind' : 'ahead of';
  return {
    measurements,
    error: new ArgoEntraError(
      'ERR_CLOCK_SKEW',
      `This machine's clock is ${seconds} s ${direction} ${worst.source} (threshold ${Math.round(thresholdMs / 1000)} s).`,
      {
        hint: 'Sync the clock with NTP (timedatectl set-ntp true, or chrony/systemd-timesyncd on self-hosted runners; restart a container whose host clock drifted). Entra rejects assertions outside their validity window (AADSTS700024) and the API server rejects tokens that are not yet valid or already expired.',
        details: {
          source: worst.source,
          skewSeconds: String(Math.round(worst.skewMs / 1000)),
          measurements: measurements.map((m) => `${m.source}: ${Math.round(m.skewMs / 1000)} s`).join('; '),
        },
      },
    ),
  };
}

/** I/O edge: one GET, only the Date header is kept (the body and other headers are discarded unread). */
export async function sampleUrlDate(
  source: string,
  url: string,
  clock: Clock,
  fetchFn: typeof fetch = fetch,
  signal?: AbortSignal,
): Promise<DateSample | undefined> {
  const before = clock.now();
  try {
    const res = await fetchFn(url, { method: 'GET', ...(signal === undefined ? {} : { signal }) });
    const after = clock.now();
    await res.body?.cancel();
    return { source, date: res.headers.get('date') ?? undefined, localBeforeMs: before, localAfterMs: after };
  } catch {
    // Unreachable endpoints are diagnosed elsewhere; no sample is not a skew.
    return undefined;
  }
}

/** I/O edge: the API server's Date from GET /version (readable without authorization: system:public-info-viewer). */
export async function sampleKubeDate(client: KubeClient, clock: Clock): Promise<DateSample | undefined> {
  const before = clock.now();
  try {
    const res = await client.request<unknown>({ method: 'GET', path: '/version', accept: [401, 403] });
    return {
      source: `API server (${client.server})`,
      date: res.date,
      localBeforeMs: before,
      localAfterMs: clock.now(),
    };
  } catch {
    return undefined;
  }
}

/** Entra's discovery document: public, cheap, and served by the same front door as the token endpoint. */
export function entraDiscoveryUrl(authorityHost: string, tenantId: string): string {
  return `${authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(tenantId)}/v2.0/.well-known/openid-configuration`;
}

/** "N s behind/ahead of SOURCE" for one measurement; undefined without one. */
export function describeSkew(m: SkewMeasurement | undefined): string | undefined {
  if (m === undefined) return undefined;
  const seconds = Math.round(Math.abs(m.skewMs) / 1000);
  if (seconds === 0) return `in step with ${m.source}`;
  return `${seconds} s ${m.skewMs > 0 ? 'behind' : 'ahead of'} ${m.source}`;
}

/**
 * For errors whose likely cause is time (AADSTS700024, an expired or not-yet-valid token): one sentence with the
 * measured skew, so the reader sees at once whether the clock is the culprit.
 */
export function clockSentence(
  samples: ReadonlyArray<DateSample | undefined>,
  thresholdMs = DEFAULT_SKEW_THRESHOLD_MS,
): string | undefined {
  const measurements = samples
    .filter((s): s is DateSample => s !== undefined)
    .map(measureSkew)
    .filter((m): m is SkewMeasurement => m !== undefined);
  if (measurements.length === 0) return undefined;
  const parts = measurements.map((m) => describeSkew(m)).join('; ');
  const worst = [...measurements].sort((a, b) => Math.abs(b.skewMs) - Math.abs(a.skewMs))[0];
  const beyond = worst !== undefined && Math.abs(worst.skewMs) - worst.uncertaintyMs > thresholdMs;
  return beyond
    ? `Clock skew measured: this machine's clock is ${parts} (more than ${Math.round(thresholdMs / 1000)} s): sync it with NTP (timedatectl set-ntp true / chrony) and re-run.`
    : `Clock check: this machine's clock is ${parts} (within ${Math.round(thresholdMs / 1000)} s), so the local clock is not the cause.`;
}
