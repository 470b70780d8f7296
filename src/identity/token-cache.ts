/**
 * File cache of the Entra access token for the kubectl credential plugin, which kubectl starts on every command.
 *
 * Only node builtins are imported (plus util/time, itself import-free): the cached path must stay near Node's own
 * start-up time. The file is `{ token, expiresOnMs, obtainedOnMs }` (0600, in the run's private 0700 directory),
 * replaced atomically. A refresh happens under a lock file created with O_EXCL so parallel kubectl invocations
 * (e.g. `xargs -P`) make one Entra exchange, not one each; a lock older than 30 s is a crashed holder's and is broken.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { writePrivateFileAtomic } from '../util/atomic-write.js';
import type { AccessToken } from './types.js';
import { realSleep, systemClock, type Clock, type Sleep } from '../util/time.js';

export interface CachedToken extends AccessToken {
  /** when the token was obtained; undefined in a file written without it (then the full 5 min margin applies) */
  readonly obtainedOnMs: number | undefined;
}

export const MAX_REFRESH_MARGIN_MS = 5 * 60_000;
export const STALE_LOCK_MS = 30_000;
const LOCK_POLL_MS = 100;

/** Refresh 5 min ahead, or half-way through a shorter lifetime (a 4-min test token would otherwise never be fresh). */
export function refreshMarginMs(lifetimeMs: number | undefined): number {
  if (lifetimeMs === undefined || !Number.isFinite(lifetimeMs)) return MAX_REFRESH_MARGIN_MS;
  return Math.min(MAX_REFRESH_MARGIN_MS, Math.max(0, lifetimeMs) / 2);
}

/** The instant after which the cached token must be refreshed (also what kubectl is told as its expiry). */
export function refreshAtMs(entry: CachedToken): number {
  const lifetime = entry.obtainedOnMs === undefined ? undefined : entry.expiresOnMs - entry.obtainedOnMs;
  return entry.expiresOnMs - refreshMarginMs(lifetime);
}

export function isFresh(entry: CachedToken, nowMs: number): boolean {
  return nowMs < refreshAtMs(entry);
}

/** Missing, unreadable or malformed caches all mean "refresh": a cache can never make the plugin fail. */
export async function readTokenCache(path: string): Promise<CachedToken | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  return parseTokenCache(text);
}

export function parseTokenCache(text: string): CachedToken | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { token, expiresOnMs, obtainedOnMs } = value as Record<string, unknown>;
  if (typeof token !== 'string' || token === '' || typeof expiresOnMs !== 'number' || !Number.isFinite(expiresOnMs)) {
    return undefined;
  }
  return {
    token,
    expiresOnMs,
    obtainedOnMs: typeof obtainedOnMs === 'number' && Number.isFinite(obtainedOnMs) ? obtainedOnMs : undefined,
  };
}

/** `obtainedOnMs` absent (a token handed over by the main step) means the full 5 min margin applies. */
export async function writeTokenCache(
  path: string,
  entry: AccessToken & { readonly obtainedOnMs?: number | undefined },
): Promise<void> {
  const text = JSON.stringify({ token: entry.token, expiresOnMs: entry.expiresOnMs, obtainedOnMs: entry.obtainedOnMs });
  await writePrivateFileAtomic(path, text);
}

export interface CacheOptions {
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  readonly staleLockMs?: number;
}

/**
 * The cached token if fresh; otherwise one caller refreshes under the lock while the others wait for its result.
 * `refresh` is only called on the slow path, so it is where the identity modules get imported.
 */
export async function getOrRefreshToken(
  path: string,
  refresh: () => Promise<AccessToken>,
  options: CacheOptions = {},
): Promise<CachedToken> {
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const staleMs = options.staleLockMs ?? STALE_LOCK_MS;

  const cached = await readTokenCache(path);
  if (cached && isFresh(cached, clock.now())) return cached;

  const lockPath = `${path}.lock`;
  const refreshAndStore = async (): Promise<CachedToken> => {
    const obtainedOnMs = clock.now();
    const fresh = await refresh();
    const entry: CachedToken = { token: fresh.token, expiresOnMs: fresh.expiresOnMs, obtainedOnMs };
    // A cache we cannot write costs a refresh next time; the token in hand is still good.
    await writeTokenCache(path, entry).catch(() => undefined);
    return entry;
  };
  for (;;) {
    const lock = await tryLock(lockPath);
    // No lock possible at all (directory gone or read-only): correctness over stampede protection.
    if (lock === 'unavailable') return refreshAndStore();
    if (lock !== 'held') {
      try {
        // Someone may have refreshed between our read and our lock.
        const again = await readTokenCache(path);
        if (again && isFresh(again, clock.now())) return again;
        return await refreshAndStore();
      } finally {
        await unlock(lockPath, lock);
      }
    }
    // Lock age is judged on the wall clock: it is compared with the file system's mtime, not with token times.
    await breakIfStale(lockPath, Date.now(), staleMs);
    await sleep(LOCK_POLL_MS);
    const now = await readTokenCache(path);
    if (now && isFresh(now, clock.now())) return now;
  }
}

/** The lock's nonce if we created it, 'held' if another process holds it, 'unavailable' if it cannot be created. */
async function tryLock(lockPath: string): Promise<string> {
  const nonce = `${process.pid}:${randomBytes(8).toString('hex')}`;
  try {
    const handle = await open(lockPath, 'wx', 0o600);
    try {
      await handle.writeFile(nonce, 'utf8');
    } finally {
      await handle.close();
    }
    return nonce;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EEXIST' ? 'held' : 'unavailable';
  }
}

async function breakIfStale(lockPath: string, nowMs: number, staleMs: number): Promise<void> {
  try {
    const info = await stat(lockPath);
    if (nowMs - info.mtimeMs > staleMs) await rm(lockPath, { force: true });
  } catch {
    // gone already: the next tryLock will tell
  }
}

/** Removes the lock only if it is still ours: after a stale break another process may own the path. */
async function unlock(lockPath: string, nonce: string): Promise<void> {
  try {
    if ((await readFile(lockPath, 'utf8')) === nonce) await rm(lockPath, { force: true });
  } catch {
    // already removed
  }
}
