import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { SignJWT } from 'jose';
import { mapHttpError, mapNetworkError } from '../../../src/cluster/kube-errors.js';
import type { KubeClient } from '../../../src/cluster/types.js';
import { clockSentence } from '../../../src/diagnose/clock.js';
import {
  explainingClient,
  explainKubeError,
  isExplained,
  type KubeExplainContext,
} from '../../../src/diagnose/explain-kube.js';
import { AKS_SERVER_APP_ID, diagnoseUnauthorized } from '../../../src/diagnose/kube-errors.js';
import { ArgoEntraError } from '../../../src/errors.js';
import { createTestPki, type TestPki } from '../../harness/pki.js';

const SERVER = 'https://127.0.0.1:6443';
const TID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const OID = '11111111-2222-4333-8444-555555555555';
const NOW = Date.parse('2026-11-29T12:00:00Z');
const nowS = NOW / 1000;

async function jwt(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('k'.repeat(32)));
}

const http = (
  status: number,
  body: unknown,
  path = '/apis/argoproj.io/v1alpha1/namespaces/team-a/workflows',
): ArgoEntraError => mapHttpError({ status, body, method: 'GET', path }, SERVER);

const status = (code: number, message: string, reason: string, details?: Record<string, string>) => ({
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  message,
  reason,
  code,
  ...(details === undefined ? {} : { details }),
});

let token: string;
let pki: TestPki;
let otherPki: TestPki;

beforeAll(async () => {
  token = await jwt({
    aud: 'https://management.azure.com',
    iss: `https://sts.windows.net/${TID}/`,
    ver: '1.0',
    tid: TID,
    oid: OID,
    nbf: nowS - 60,
    exp: nowS + 3000,
  });
  pki = createTestPki();
  otherPki = createTestPki();
});
afterAll(() => {
  pki.dispose();
  otherPki.dispose();
});

function ctx(extra: Partial<KubeExplainContext> = {}): KubeExplainContext {
  return {
    server: SERVER,
    caData: undefined,
    accessToken: () => token,
    objectId: OID,
    clock: { now: () => NOW },
    ...extra,
  };
}

describe('explainKubeError: every failure of a Kubernetes call comes out explained', () => {
  it.each([
    [
      '401 -> claims of the token sent (ARM audience)',
      () => http(401, status(401, 'Unauthorized', 'Unauthorized')),
      'ERR_KUBE_UNAUTHORIZED',
      [`${AKS_SERVER_APP_ID}/.default`],
      { likelyCause: 'audience', oid: OID },
    ],
    [
      '403 -> RoleBinding YAML for the user and verb',
      () =>
        http(
          403,
          status(
            403,
            `workflows.argoproj.io is forbidden: User "${OID}" cannot create resource "workflows" in API group "argoproj.io" in the namespace "team-a"`,
            'Forbidden',
          ),
        ),
      'ERR_KUBE_FORBIDDEN',
      ['kind: RoleBinding', `name: ${OID}`, '- create'],
      { verb: 'create', path: '/apis/argoproj.io/v1alpha1/namespaces/team-a/workflows' },
    ],
    [
      '403 for system:anonymous -> no token reached the server',
      () => http(403, status(403, 'forbidden: User "system:anonymous" cannot get path "/apis"', 'Forbidden')),
      'ERR_KUBE_UNAUTHORIZED',
      ['Do not grant RBAC to system:anonymous'],
      { likelyCause: 'anonymous' },
    ],
    [
      '404 namespace',
      () =>
        http(404, status(404, 'namespaces "team-zz" not found', 'NotFound', { name: 'team-zz', kind: 'namespaces' })),
      'ERR_KUBE_NAMESPACE_NOT_FOUND',
      ['kubectl create namespace team-zz'],
      { namespace: 'team-zz' },
    ],
    [
      '404 without Status on an Argo path -> CRDs missing',
      () => http(404, undefined),
      'ERR_ARGO_CRD_MISSING',
      ['Install Argo Workflows'],
      {},
    ],
    [
      '404 template',
      () =>
        http(
          404,
          status(404, 'workflowtemplates.argoproj.io "greet" not found', 'NotFound', {
            name: 'greet',
            group: 'argoproj.io',
            kind: 'workflowtemplates',
          }),
          '/apis/argoproj.io/v1alpha1/namespaces/team-a/workflowtemplates/greet',
        ),
      'ERR_ARGO_TEMPLATE_NOT_FOUND',
      ['cluster-scope'],
      { name: 'greet' },
    ],
    [
      '404 workflow',
      () =>
        http(
          404,
          status(404, 'workflows.argoproj.io "wf-1" not found', 'NotFound', {
            name: 'wf-1',
            group: 'argoproj.io',
            kind: 'workflows',
          }),
          '/apis/argoproj.io/v1alpha1/namespaces/team-a/workflows/wf-1',
        ),
      'ERR_ARGO_WORKFLOW_NOT_FOUND',
      ['ttlStrategy'],
      { name: 'wf-1' },
    ],
  ] as const)('%s', async (_name, make, code, hint, details) => {
    const raw = make();
    const out = (await explainKubeError(raw, ctx())) as ArgoEntraError;
    expect(out.code).toBe(code);
    for (const h of hint) expect(out.hint).toContain(h);
    expect(out.details).toMatchObject(details);
    expect(isExplained(out)).toBe(true);
    // a second pass changes nothing
    expect(await explainKubeError(out, ctx())).toBe(out);
    // the token never appears
    expect(JSON.stringify({ m: out.message, h: out.hint, d: out.details })).not.toContain(token.split('.')[2]);
  });

  it.each([
    ['a 500', () => http(500, status(500, 'etcd', 'InternalError'))],
    ['a 409', () => http(409, status(409, 'exists', 'AlreadyExists', { name: 'x', kind: 'workflows' }))],
    [
      'an unreachable server',
      () => mapNetworkError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), SERVER, 'connect'),
    ],
    ['an error of another stage', () => new ArgoEntraError('ERR_ARGO_TIMEOUT', 'timed out')],
  ])('%s passes through unchanged (same object)', async (_name, make) => {
    const raw = make();
    expect(await explainKubeError(raw, ctx())).toBe(raw);
  });

  it('TLS: the probed chain is compared with ca-data (CA of another cluster)', async () => {
    const server = pki.issueServerCert({ ips: ['127.0.0.1'] });
    const chain = [new X509Certificate(server.certPem)];
    const raw = mapNetworkError(
      Object.assign(new Error('unable to verify'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }),
      SERVER,
      'connect',
    );
    let probes = 0;
    const out = (await explainKubeError(
      raw,
      ctx({
        caData: Buffer.from(otherPki.caPem).toString('base64'),
        probe: async () => {
          probes += 1;
          return chain;
        },
      }),
    )) as ArgoEntraError;
    expect(probes).toBe(1);
    expect(out.code).toBe('ERR_KUBE_TLS');
    expect(out.details['likelyCause']).toBe('ca-mismatch');
    expect(out.hint).toContain('another cluster');
  });

  it('401 whose likely cause is time carries the measured clock sentence', async () => {
    const expired = await jwt({
      aud: AKS_SERVER_APP_ID,
      iss: `https://sts.windows.net/${TID}/`,
      ver: '1.0',
      nbf: nowS - 4000,
      exp: nowS - 400,
    });
    const out = (await explainKubeError(
      http(401, status(401, 'Unauthorized', 'Unauthorized')),
      ctx({ accessToken: () => expired, clockNote: async () => 'Clock skew measured: 400 s' }),
    )) as ArgoEntraError;
    expect(out.details['likelyCause']).toBe('expired');
    expect(out.message).toContain('Clock skew measured: 400 s');
  });
});

describe('explainingClient', () => {
  it('explains failures of request and watch; successes and close pass through; one TLS probe per client', async () => {
    let closed = false;
    let probes = 0;
    const tlsError = mapNetworkError(
      Object.assign(new Error('x'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }),
      SERVER,
      'connect',
    );
    const inner: KubeClient & { close(): void } = {
      server: SERVER,
      async request(req) {
        if (req.path === '/ok') return { status: 200, body: undefined as never, date: undefined };
        if (req.path === '/tls') throw tlsError;
        throw http(
          403,
          status(
            403,
            `pods is forbidden: User "${OID}" cannot list resource "pods" in API group "" in the namespace "team-a"`,
            'Forbidden',
          ),
        );
      },
      async watch() {
        throw http(401, status(401, 'Unauthorized', 'Unauthorized'));
      },
      close() {
        closed = true;
      },
    };
    const client = explainingClient(inner, ctx({ probe: async () => ((probes += 1), []) }));
    expect((await client.request({ method: 'GET', path: '/ok' })).status).toBe(200);
    await expect(client.request({ method: 'GET', path: '/pods' })).rejects.toMatchObject({
      code: 'ERR_KUBE_FORBIDDEN',
      details: { verb: 'list', resource: 'pods' },
    });
    await expect(client.watch({ path: '/w' }, () => undefined)).rejects.toMatchObject({
      code: 'ERR_KUBE_UNAUTHORIZED',
      details: { likelyCause: 'audience' },
    });
    await expect(client.request({ method: 'GET', path: '/tls' })).rejects.toMatchObject({ code: 'ERR_KUBE_TLS' });
    await expect(client.request({ method: 'GET', path: '/tls' })).rejects.toMatchObject({ code: 'ERR_KUBE_TLS' });
    expect(probes).toBe(1);
    client.close?.();
    expect(closed).toBe(true);
  });
});

describe('diagnoseUnauthorized without cluster expectations', () => {
  it.each([
    [
      'v2 token -> issuer-version (requestedAccessTokenVersion)',
      { ver: '2.0', iss: `https://login.microsoftonline.com/${TID}/v2.0` },
      'issuer-version',
      'requestedAccessTokenVersion=1',
    ],
    [
      'v2 token from another authority host',
      { ver: '2.0', iss: `https://127.0.0.1:8443/${TID}/v2.0` },
      'issuer-version',
      `https://sts.windows.net/${TID}/`,
    ],
    [
      'v1 token, nothing visible -> unknown',
      { ver: '1.0', iss: `https://sts.windows.net/${TID}/` },
      'unknown',
      'byte for byte',
    ],
  ])('%s', (_n, c, cause, fix) => {
    const [first] = diagnoseUnauthorized({
      claims: { aud: AKS_SERVER_APP_ID, tid: TID, nbf: nowS - 60, exp: nowS + 600, ...c },
      nowMs: NOW,
    });
    expect(first?.cause).toBe(cause);
    expect(first?.fix).toContain(fix);
  });
});

describe('clockSentence', () => {
  const at = (offsetS: number, source: string) => ({
    source,
    date: new Date(NOW + offsetS * 1000).toUTCString(),
    localBeforeMs: NOW - 50,
    localAfterMs: NOW + 50,
  });
  it.each([
    ['beyond the threshold', [at(1200, 'Entra')], /120[01] s behind Entra.*NTP/],
    ['ahead of the API server', [at(-300, 'API server')], /300 s ahead of API server/],
    ['within the threshold', [at(5, 'Entra'), undefined], /not the cause/],
  ])('%s', (_n, samples, re) => expect(clockSentence(samples)).toMatch(re));
  it('no samples: nothing to say', () => expect(clockSentence([undefined])).toBeUndefined());
});
