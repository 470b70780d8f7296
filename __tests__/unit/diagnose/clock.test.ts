import { describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { KubeClient } from '../../../src/cluster/types.js';
import {
  checkClockSkew,
  entraDiscoveryUrl,
  measureSkew,
  sampleKubeDate,
  sampleUrlDate,
} from '../../../src/diagnose/clock.js';

const LOCAL = Date.parse('2026-11-29T12:00:00Z');
const sample = (offsetS: number, rttMs = 200, source = 'Entra') => ({
  source,
  date: new Date(LOCAL + offsetS * 1000).toUTCString(),
  localBeforeMs: LOCAL - rttMs / 2,
  localAfterMs: LOCAL + rttMs / 2,
});

describe('clock skew', () => {
  it.each([
    ['in sync', [sample(0)], undefined],
    ['59 s behind: below threshold', [sample(59)], undefined],
    ['90 s: local clock behind', [sample(90)], 'behind'],
    ['-300 s: local clock ahead', [sample(-300, 200, 'API server')], 'ahead of'],
    ['uncertain (slow round trip) is not reported', [sample(61, 4000)], undefined],
    ['no Date header', [{ ...sample(500), date: undefined }], undefined],
  ])('%s', (_n, samples, direction) => {
    const report = checkClockSkew(samples);
    if (direction === undefined) {
      expect(report.error).toBeUndefined();
      return;
    }
    expect(report.error?.code).toBe('ERR_CLOCK_SKEW');
    expect(report.error?.message).toContain(direction);
  });

  it('reports the worst source with the measured skew', () => {
    const report = checkClockSkew([sample(-90, 100, 'Entra'), sample(-400, 100, 'API server')]);
    expect(report.error?.details['source']).toBe('API server');
    expect(report.error?.details['skewSeconds']).toMatch(/^-(399|400)$/); // Date has 1 s resolution
    expect(report.error?.message).toContain('400 s ahead of API server');
  });

  it('measureSkew accounts for Date truncation', () => {
    expect(measureSkew(sample(0, 0))?.skewMs).toBe(500);
  });

  it('samples Date from a local HTTP server and from a KubeClient', async () => {
    const server = createServer((_req, res) => {
      res.setHeader('date', new Date(Date.now() + 120_000).toUTCString());
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
    try {
      const s = await sampleUrlDate('Entra', `http://127.0.0.1:${port}/t/v2.0/.well-known/openid-configuration`, {
        now: () => Date.now(),
      });
      expect(checkClockSkew(s === undefined ? [] : [s]).error?.code).toBe('ERR_CLOCK_SKEW');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    expect(await sampleUrlDate('x', 'http://127.0.0.1:1/', { now: () => 0 })).toBeUndefined();
    const kube: KubeClient = {
      server: 'https://k',
      request: async <T>() => ({ status: 200, body: {} as T, date: new Date(LOCAL).toUTCString() }),
      watch: async () => undefined,
    };
    const k = await sampleKubeDate(kube, { now: () => LOCAL });
    expect(k?.source).toBe('API server (https://k)');
    expect(checkClockSkew(k === undefined ? [] : [k]).error).toBeUndefined();
  });

  it('entraDiscoveryUrl', () => {
    expect(entraDiscoveryUrl('https://login.microsoftonline.com/', 'tid')).toBe(
      'https://login.microsoftonline.com/tid/v2.0/.well-known/openid-configuration',
    );
  });
});
