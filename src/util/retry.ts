/**
 * Capped, jittered exponential backoff for transient faults (429, 5xx, connection resets). The caller decides what
 * is transient; terminal errors are rethrown at once because retrying a configuration error only delays the message.
 */
import { realSleep, type Sleep } from './time.js';

export interface RetryOptions {
  /** true = worth another attempt */
  isTransient(error: unknown): boolean;
  /** server-requested delay (Retry-After) for this error, honoured instead of the backoff */
  retryAfterMs?(error: unknown): number | undefined;
  /** total attempts including the first (default 4) */
  maxAttempts?: number;
  /** first backoff ceiling (default 250 ms); doubles per attempt */
  baseMs?: number;
  /** backoff ceiling (default 8 s) */
  capMs?: number;
  /** longest Retry-After honoured (default 60 s): a server asking for more gets its error reported instead */
  maxRetryAfterMs?: number;
  sleep?: Sleep;
  signal?: AbortSignal;
  /** [0,1) source for jitter; injectable so tests are deterministic */
  random?: () => number;
  /** told before each wait, e.g. to log "retrying in 1.2 s" */
  onRetry?(error: unknown, attempt: number, delayMs: number): void;
}

/** Full jitter (AWS style): uniform in [0, min(cap, base * 2^(attempt-1))], so many clients spread out. */
export function backoffDelayMs(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const baseMs = options.baseMs ?? 250;
  const capMs = options.capMs ?? 8_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;

  for (let attempt = 1; ; attempt += 1) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= maxAttempts || options.signal?.aborted === true || !options.isTransient(error)) throw error;
      const requested = options.retryAfterMs?.(error);
      if (requested !== undefined && requested > maxRetryAfterMs) throw error;
      const delay = requested !== undefined ? Math.max(0, requested) : backoffDelayMs(attempt, baseMs, capMs, random);
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}

/**
 * Retry-After as delta-seconds or an HTTP date; undefined when absent or unreadable.
 * `nowMs` is the local clock: an HTTP date is compared against it.
 */
export function parseRetryAfterHeader(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
