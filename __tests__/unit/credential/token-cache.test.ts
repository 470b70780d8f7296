import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  getOrRefreshToken,
  isFresh,
  parseTokenCache,
  readTokenCache,
  refreshAtMs,
  refreshMarginMs,
  writeTokenCache,
  type CachedToken,
} from '../../../src/identity/token-cache.js';
import type { AccessToken } from '../../../src/identity/types.js';

const MIN = 60_000;
const T0 = Date.parse('2026-11-29T12:00:00Z');

describe('refreshMarginMs', () => {
  it.each([
    { lifetime: 60 * MIN, margin: 5 * MIN },
    { lifetime: 10 * MIN, margin: 5 * MIN },
    { lifetime: 4 * MIN, margin: 2 * MIN },
    { lifetime: 1000, margin: 500 },
    { lifetime: 0, margin: 0 },
    { lifetime: -5, margin: 0 },
    { lifetime: undefined, margin: 5 * MIN },
  ])('lifetime $lifetime -> $margin', ({ lifetime, margin }) => {
    expect(refreshMarginMs(lifetime)).toBe(margin);
  });
});

describe('isFresh', () => {
  const hour: CachedToken = { token: 't', obtainedOnMs: T0, expiresOnMs: T0 + 60 * MIN };
  const short: CachedToken = { token: 't', obtainedOnMs: T0, expiresOnMs: T0 + 4 * MIN };
  const unknown: CachedToken = { token: 't', obtainedOnMs: undefined, expiresOnMs: T0 + 60 * MIN };
  it.each([
    { name: '1 h token, just obtained', entry: hour, now: T0, fresh: true },
    { name: '1 h token, 5 min + 1 ms before expiry', entry: hour, now: T0 + 55 * MIN - 1, fresh: true },
    { name: '1 h token, exactly at the margin', entry: hour, now: T0 + 55 * MIN, fresh: false },
    { name: '1 h token, expired', entry: hour, now: T0 + 61 * MIN, fresh: false },
    { name: '4 min token, 1 min in', entry: short, now: T0 + MIN, fresh: true },
    { name: '4 min token, half-way', entry: short, now: T0 + 2 * MIN, fresh: false },
    { name: 'lifetime unknown, 6 min left', entry: unknown, now: T0 + 54 * MIN, fresh: true },
    { name: 'lifetime unknown, 4 min left', entry: unknown, now: T0 + 56 * MIN, fresh: false },
  ])('$name -> $fresh', ({ entry, now, fresh }) => {
    expect(isFresh(entry, now)).toBe(fresh);
  });
  it('refreshAtMs is expiry minus margin', () => {
    expect(refreshAtMs(hour)).toBe(T0 + 55 * MIN);
  });
});

describe('parseTokenCache', () => {
  it.each([
    { text: '{"token":"a","expiresOnMs":5,"obtainedOnMs":1}', entry: { token: 'a', expiresOnMs: 5, obtainedOnMs: 1 } },
    { text: '{"token":"a","expiresOnMs":5}', entry: { token: 'a', expiresOnMs: 5, obtainedOnMs: undefined } },
    { text: '', entry: undefined },
    { text: '{"token":"a","expires', entry: undefined },
    { text: 'null', entry: undefined },
    { text: '{"token":"","expiresOnMs":5}', entry: undefined },
    { text: '{"token":"a","expiresOnMs":"5"}', entry: undefined },
  ])('$text', ({ text, entry }) => {
    expect(parseTokenCache(text)).toEqual(entry);
  });
});

describe('file cache', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'token-cache-'));
    file = path.join(dir, 'token-cache.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const clockAt = (ms: number): { now: () => number } => ({ now: () => ms });
  const noSleep = async (): Promise<void> => {
    await new Promise((r) => setImmediate(r));
  };
  function refresher(
    token = 'fresh',
    lifetime = 60 * MIN,
    now = T0,
  ): { fn: () => Promise<AccessToken>; calls: () => number } {
    let calls = 0;
    return {
      fn: async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 20));
        return { token: `${token}-${calls}`, expiresOnMs: now + lifetime };
      },
      calls: () => calls,
    };
  }

  it('write is 0600 and reads back; missing file reads as undefined', async () => {
    expect(await readTokenCache(file)).toBeUndefined();
    await writeTokenCache(file, { token: 'a', expiresOnMs: T0 });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readTokenCache(file)).toEqual({ token: 'a', expiresOnMs: T0, obtainedOnMs: undefined });
  });

  it('fresh cache: no refresh', async () => {
    await writeTokenCache(file, { token: 'cached', expiresOnMs: T0 + 60 * MIN, obtainedOnMs: T0 });
    const r = refresher();
    const entry = await getOrRefreshToken(file, r.fn, { clock: clockAt(T0 + MIN), sleep: noSleep });
    expect(entry.token).toBe('cached');
    expect(r.calls()).toBe(0);
  });

  it.each([
    { name: 'expired', content: JSON.stringify({ token: 'old', expiresOnMs: T0 - 1 }) },
    { name: 'inside the margin', content: JSON.stringify({ token: 'old', expiresOnMs: T0 + 4 * MIN }) },
    { name: 'corrupt', content: '{"tok' },
    { name: 'missing', content: undefined },
  ])('$name cache: refresh once, write it, drop the lock', async ({ content }) => {
    if (content !== undefined) await writeFile(file, content);
    const r = refresher();
    const entry = await getOrRefreshToken(file, r.fn, { clock: clockAt(T0), sleep: noSleep });
    expect(entry).toEqual({ token: 'fresh-1', expiresOnMs: T0 + 60 * MIN, obtainedOnMs: T0 });
    expect(r.calls()).toBe(1);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      token: 'fresh-1',
      expiresOnMs: T0 + 60 * MIN,
      obtainedOnMs: T0,
    });
    await expect(stat(`${file}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('parallel callers share one refresh (no stampede)', async () => {
    const r = refresher();
    const entries = await Promise.all(
      Array.from({ length: 8 }, () => getOrRefreshToken(file, r.fn, { clock: clockAt(T0), sleep: noSleep })),
    );
    expect(r.calls()).toBe(1);
    expect(new Set(entries.map((e) => e.token))).toEqual(new Set(['fresh-1']));
  });

  it('waits on a live lock and takes the token its holder writes', async () => {
    await writeFile(`${file}.lock`, 'other');
    const r = refresher();
    let slept = 0;
    const sleep = async (): Promise<void> => {
      slept++;
      if (slept === 3)
        await writeTokenCache(file, { token: 'theirs', expiresOnMs: Date.now() + 60 * MIN, obtainedOnMs: Date.now() });
    };
    // The real clock: lock staleness is judged against the lock file's real mtime.
    const entry = await getOrRefreshToken(file, r.fn, { clock: { now: () => Date.now() }, sleep });
    expect(entry.token).toBe('theirs');
    expect(r.calls()).toBe(0);
    expect(slept).toBe(3);
    expect(await readFile(`${file}.lock`, 'utf8')).toBe('other');
  });

  it('breaks a stale lock (holder crashed) and refreshes', async () => {
    await writeFile(`${file}.lock`, 'dead');
    const old = new Date(Date.now() - 31_000);
    await utimes(`${file}.lock`, old, old);
    const r = refresher();
    const entry = await getOrRefreshToken(file, r.fn, { clock: clockAt(T0), sleep: noSleep });
    expect(entry.token).toBe('fresh-1');
    await expect(stat(`${file}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a failed refresh releases the lock and propagates the error', async () => {
    const boom = Object.assign(new Error('no'), { code: 'ERR_ENTRA_EXCHANGE' });
    await expect(
      getOrRefreshToken(file, () => Promise.reject(boom), { clock: clockAt(T0), sleep: noSleep }),
    ).rejects.toBe(boom);
    await expect(stat(`${file}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a directory that cannot hold a lock or cache still yields a fresh token', async () => {
    const r = refresher();
    const entry = await getOrRefreshToken(path.join(dir, 'gone', 'token-cache.json'), r.fn, {
      clock: clockAt(T0),
      sleep: noSleep,
    });
    expect(entry.token).toBe('fresh-1');
  });
});
