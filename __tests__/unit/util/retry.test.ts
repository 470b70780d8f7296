import { backoffDelayMs, parseRetryAfterHeader, retry } from '../../../src/util/retry.js';

class Transient extends Error {
  constructor(readonly retryAfterMs?: number) {
    super('transient');
  }
}

function harness() {
  const sleeps: number[] = [];
  return {
    sleeps,
    opts: {
      isTransient: (e: unknown) => e instanceof Transient,
      retryAfterMs: (e: unknown) => (e instanceof Transient ? e.retryAfterMs : undefined),
      sleep: async (ms: number) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      baseMs: 100,
      capMs: 1000,
    },
  };
}

describe('retry', () => {
  it.each([
    ['succeeds first time', [], 'ok', 1, []],
    ['transient twice then ok', [new Transient(), new Transient()], 'ok', 3, [50, 100]],
    ['Retry-After honoured', [new Transient(2500)], 'ok', 2, [2500]],
    [
      'backoff capped',
      [new Transient(), new Transient(), new Transient(), new Transient(), new Transient()],
      'ok',
      6,
      [50, 100, 200, 400, 500],
    ],
  ] as const)('%s', async (_n, failures, result, calls, sleeps) => {
    const h = harness();
    let n = 0;
    const value = await retry(
      async () => {
        const f = failures[n++];
        if (f !== undefined) throw f;
        return result;
      },
      { ...h.opts, maxAttempts: 10 },
    );
    expect(value).toBe(result);
    expect(n).toBe(calls);
    expect(h.sleeps).toEqual(sleeps);
  });

  it('rethrows a terminal error at once', async () => {
    const h = harness();
    const terminal = new Error('400');
    let n = 0;
    await expect(
      retry(async () => {
        n++;
        throw terminal;
      }, h.opts),
    ).rejects.toBe(terminal);
    expect(n).toBe(1);
    expect(h.sleeps).toEqual([]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const h = harness();
    let n = 0;
    await expect(
      retry(
        async () => {
          n++;
          throw new Transient();
        },
        { ...h.opts, maxAttempts: 3 },
      ),
    ).rejects.toBeInstanceOf(Transient);
    expect(n).toBe(3);
  });

  it('does not wait for a Retry-After beyond maxRetryAfterMs', async () => {
    const h = harness();
    await expect(
      retry(async () => {
        throw new Transient(120_000);
      }, h.opts),
    ).rejects.toBeInstanceOf(Transient);
    expect(h.sleeps).toEqual([]);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    let n = 0;
    await expect(
      retry(
        async () => {
          n++;
          controller.abort(new Error('cancelled'));
          throw new Transient();
        },
        { ...harness().opts, signal: controller.signal },
      ),
    ).rejects.toBeInstanceOf(Transient);
    expect(n).toBe(1);
  });

  it('reports each retry', async () => {
    const seen: Array<[number, number]> = [];
    let n = 0;
    await retry(
      async () => {
        if (n++ < 2) throw new Transient();
        return 1;
      },
      { ...harness().opts, onRetry: (_e, a, d) => seen.push([a, d]) },
    );
    expect(seen).toEqual([
      [1, 50],
      [2, 100],
    ]);
  });

  it('full jitter stays within [0, min(cap, base*2^(n-1))]', () => {
    expect(backoffDelayMs(1, 100, 1000, () => 0.999)).toBe(99);
    expect(backoffDelayMs(10, 100, 1000, () => 0.999)).toBe(999);
    expect(backoffDelayMs(3, 100, 1000, () => 0)).toBe(0);
  });
});

describe('parseRetryAfterHeader', () => {
  const now = Date.parse('2026-11-29T10:00:00Z');
  it.each([
    ['3', 3000],
    [' 0 ', 0],
    ['Sun, 29 Nov 2026 10:00:05 GMT', 5000],
    ['Sun, 29 Nov 2026 09:00:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [null, undefined],
  ] as const)('%s -> %s', (value, expected) => {
    expect(parseRetryAfterHeader(value, now)).toBe(expected);
  });
});
