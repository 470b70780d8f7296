import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explainTlsError, inspectCaData, tlsFailureOf } from '../../../src/diagnose/tls.js';
import { probeServerCertificates } from '../../../src/diagnose/tls-probe.js';

/** Two CAs and a leaf for 127.0.0.1 signed by the first, made with openssl for this test only. */
let dir: string;
let caPem: string;
let otherCaPem: string;
let leafPem: string;
let leafKey: string;
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const NOW = Date.now();

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tls-'));
  for (const name of ['ca', 'other']) {
    openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=${name} test CA`,
    );
  }
  openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'leaf.key',
    '-out',
    'leaf.csr',
    '-subj',
    '/CN=apiserver',
  );
  writeFileSync(join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1,DNS:kubernetes.default\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'leaf.pem',
    '-days',
    '1',
    '-extfile',
    'ext',
  );
  caPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
  otherCaPem = readFileSync(join(dir, 'other.pem'), 'utf8');
  leafPem = readFileSync(join(dir, 'leaf.pem'), 'utf8');
  leafKey = readFileSync(join(dir, 'leaf.key'), 'utf8');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const err = (code: string): Error =>
  Object.assign(new Error('fetch failed'), { cause: Object.assign(new Error(code), { code }) });

describe('inspectCaData', () => {
  it.each<[string, () => string | undefined, string | undefined, number | undefined]>([
    ['absent', () => undefined, undefined, undefined],
    ['good', () => b64(caPem), undefined, 1],
    ['bundle', () => b64(caPem + otherCaPem), undefined, 2],
    ['raw PEM', () => caPem, 'raw-pem', 1],
    ['double base64', () => b64(b64(caPem)), 'double-base64', 0],
    ['garbage', () => 'not base64 !!', 'not-base64-pem', 0],
    ['no certificate', () => b64('-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----'), 'no-certificate', 0],
  ])('%s', (_n, data, problem, count) => {
    const r = inspectCaData(data());
    expect(r.problem).toBe(problem);
    expect(r.certificates?.length).toBe(count);
  });
});

describe('explainTlsError', () => {
  const server = 'https://127.0.0.1:6443';
  it.each<
    [string, () => { error: unknown; caData: string | undefined; chain?: X509Certificate[] }, string | undefined]
  >([
    ['not TLS at all', () => ({ error: new Error('ECONNREFUSED'), caData: undefined }), undefined],
    ['http port', () => ({ error: err('ERR_SSL_WRONG_VERSION_NUMBER'), caData: b64(caPem) }), 'not-tls'],
    [
      'hostname',
      () => ({ error: err('ERR_TLS_CERT_ALTNAME_INVALID'), caData: b64(caPem), chain: [new X509Certificate(leafPem)] }),
      'hostname',
    ],
    ['expired server cert', () => ({ error: err('CERT_HAS_EXPIRED'), caData: b64(caPem) }), 'expired'],
    ['raw PEM ca-data', () => ({ error: err('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), caData: caPem }), 'ca-data-format'],
    ['no ca-data', () => ({ error: err('SELF_SIGNED_CERT_IN_CHAIN'), caData: undefined }), 'ca-data-missing'],
    [
      'CA of another cluster',
      () => ({
        error: err('UNABLE_TO_VERIFY_LEAF_SIGNATURE'),
        caData: b64(otherCaPem),
        chain: [new X509Certificate(leafPem)],
      }),
      'ca-mismatch',
    ],
    [
      'right CA, chain incomplete',
      () => ({ error: err('UNABLE_TO_GET_ISSUER_CERT'), caData: b64(caPem), chain: [new X509Certificate(leafPem)] }),
      'incomplete-chain',
    ],
    [
      'no peer chain known',
      () => ({ error: err('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), caData: b64(otherCaPem) }),
      'ca-mismatch',
    ],
  ])('%s', (_n, make, likely) => {
    const { error, caData, chain } = make();
    const e = explainTlsError(error, { server, caData, peerChain: chain, nowMs: NOW });
    if (likely === undefined) {
      expect(e).toBeUndefined();
      return;
    }
    expect(e?.code).toBe('ERR_KUBE_TLS');
    expect(e?.details['likelyCause']).toBe(likely);
  });

  it('names both sides on a CA mismatch', () => {
    const e = explainTlsError(err('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), {
      server,
      caData: b64(otherCaPem),
      peerChain: [new X509Certificate(leafPem)],
      nowMs: NOW,
    });
    expect(e?.message).toContain('CN=ca test CA');
    expect(e?.message).toContain('CN=other test CA');
    expect(e?.details['serverCertificateSan']).toContain('IP Address:127.0.0.1');
  });

  it('finds the code deep in a cause chain', () => {
    expect(tlsFailureOf({ cause: { cause: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' } } })).toEqual({
      failure: 'untrusted',
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
  });
});

describe('probeServerCertificates against a local TLS server', () => {
  let srv: Server;
  let port = 0;
  beforeAll(async () => {
    srv = createServer({ cert: leafPem + caPem, key: leafKey }, (s) => s.end());
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const addr = srv.address();
    port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  });
  afterAll(async () => new Promise<void>((resolve) => srv.close(() => resolve())));

  it('returns the presented chain, leaf first, and the explanation uses it', async () => {
    const chain = await probeServerCertificates(`https://127.0.0.1:${port}`);
    expect(chain[0]?.subject).toContain('CN=apiserver');
    expect(chain.some((c) => c.subject.includes('CN=ca test CA'))).toBe(true);
    const good = explainTlsError(err('UNABLE_TO_GET_ISSUER_CERT'), {
      server: `https://127.0.0.1:${port}`,
      caData: b64(caPem),
      peerChain: chain,
      nowMs: NOW,
    });
    expect(good?.details['likelyCause']).toBe('incomplete-chain');
    const bad = explainTlsError(err('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), {
      server: `https://127.0.0.1:${port}`,
      caData: b64(otherCaPem),
      peerChain: chain,
      nowMs: NOW,
    });
    expect(bad?.details['likelyCause']).toBe('ca-mismatch');
  });

  it('rejects when nothing listens', async () => {
    await expect(probeServerCertificates('https://127.0.0.1:1', 2000)).rejects.toThrow();
  });
});
