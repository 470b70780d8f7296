import { ArgoEntraError } from '../../../src/errors.js';
import {
  isTransientKubeError,
  mapHttpError,
  mapNetworkError,
  parseForbiddenFacts,
  type FailurePhase,
} from '../../../src/cluster/kube-errors.js';

const SERVER = 'https://kube.example:6443';

function status(code: number, reason: string, message: string): unknown {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

const FORBIDDEN_NS =
  'workflows.argoproj.io is forbidden: User "3f1c0b7e-0000-4000-8000-000000000001" cannot create resource "workflows" in API group "argoproj.io" in the namespace "ci"';

describe('mapHttpError', () => {
  const table: Array<{ name: string; status: number; body: unknown; code: string; details: Record<string, string> }> = [
    {
      name: '401 Status',
      status: 401,
      body: status(401, 'Unauthorized', 'Unauthorized'),
      code: 'ERR_KUBE_UNAUTHORIZED',
      details: { status: '401', reason: 'Unauthorized' },
    },
    {
      name: '401 without body',
      status: 401,
      body: undefined,
      code: 'ERR_KUBE_UNAUTHORIZED',
      details: { status: '401' },
    },
    {
      name: '403 namespaced resource',
      status: 403,
      body: status(403, 'Forbidden', FORBIDDEN_NS),
      code: 'ERR_KUBE_FORBIDDEN',
      details: {
        user: '3f1c0b7e-0000-4000-8000-000000000001',
        verb: 'create',
        resource: 'workflows',
        group: 'argoproj.io',
        namespace: 'ci',
        message: FORBIDDEN_NS,
      },
    },
    {
      name: '403 cluster scope',
      status: 403,
      body: status(
        403,
        'Forbidden',
        'clusterworkflowtemplates.argoproj.io "x" is forbidden: User "u" cannot get resource "clusterworkflowtemplates" in API group "argoproj.io" at the cluster scope',
      ),
      code: 'ERR_KUBE_FORBIDDEN',
      details: { user: 'u', verb: 'get', resource: 'clusterworkflowtemplates', group: 'argoproj.io' },
    },
    {
      name: '403 subresource in core group',
      status: 403,
      body: status(
        403,
        'Forbidden',
        'pods "p" is forbidden: User "u" cannot get resource "pods/log" in API group "" in the namespace "ci"',
      ),
      code: 'ERR_KUBE_FORBIDDEN',
      details: { verb: 'get', resource: 'pods/log', group: '', namespace: 'ci' },
    },
    {
      name: '403 AKS Azure RBAC',
      status: 403,
      body: status(
        403,
        'Forbidden',
        `${FORBIDDEN_NS}: User does not have access to the resource in Azure. Update role assignment to allow access.`,
      ),
      code: 'ERR_KUBE_FORBIDDEN',
      details: { azureRbac: 'true', verb: 'create', namespace: 'ci' },
    },
    {
      name: '403 non-resource path',
      status: 403,
      body: status(403, 'Forbidden', 'forbidden: User "u" cannot get path "/apis"'),
      code: 'ERR_KUBE_FORBIDDEN',
      details: { user: 'u', verb: 'get', path: '/apis' },
    },
    {
      name: '404 Status',
      status: 404,
      body: status(404, 'NotFound', 'workflows.argoproj.io "wf" not found'),
      code: 'ERR_KUBE_REQUEST',
      details: { status: '404', reason: 'NotFound' },
    },
    {
      name: '502 from a proxy (HTML body is never echoed)',
      status: 502,
      body: undefined,
      code: 'ERR_KUBE_REQUEST',
      details: { status: '502' },
    },
  ];

  it.each(table)('$name -> $code', ({ status: code, body, code: expected, details }) => {
    const error = mapHttpError({ status: code, body, method: 'POST', path: '/apis/x' }, SERVER);
    expect(error).toBeInstanceOf(ArgoEntraError);
    expect(error.code).toBe(expected);
    expect(error.details).toMatchObject({ server: SERVER, ...details });
    expect(error.hint ?? '').not.toContain('undefined');
  });

  it('403 hint names the verb, resource and namespace', () => {
    const error = mapHttpError(
      { status: 403, body: status(403, 'Forbidden', FORBIDDEN_NS), method: 'POST', path: '/x' },
      SERVER,
    );
    expect(error.message).toContain('may not create workflows in namespace ci');
    expect(error.hint).toContain('"create" on "workflows"');
    expect(error.hint).toContain('namespace ci');
  });

  it('keeps Retry-After in details for the retry loop', () => {
    const error = mapHttpError({ status: 429, body: undefined, method: 'GET', path: '/x', retryAfter: '3' }, SERVER);
    expect(error.details['retryAfter']).toBe('3');
  });
});

describe('mapNetworkError', () => {
  const table: Array<{ errno: string; code: string }> = [
    { errno: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', code: 'ERR_KUBE_TLS' },
    { errno: 'SELF_SIGNED_CERT_IN_CHAIN', code: 'ERR_KUBE_TLS' },
    { errno: 'DEPTH_ZERO_SELF_SIGNED_CERT', code: 'ERR_KUBE_TLS' },
    { errno: 'ERR_TLS_CERT_ALTNAME_INVALID', code: 'ERR_KUBE_TLS' },
    { errno: 'CERT_HAS_EXPIRED', code: 'ERR_KUBE_TLS' },
    { errno: 'ERR_SSL_WRONG_VERSION_NUMBER', code: 'ERR_KUBE_TLS' },
    { errno: 'ECONNREFUSED', code: 'ERR_KUBE_UNREACHABLE' },
    { errno: 'ENOTFOUND', code: 'ERR_KUBE_UNREACHABLE' },
    { errno: 'ETIMEDOUT', code: 'ERR_KUBE_UNREACHABLE' },
    { errno: 'ERR_KUBE_TIMEOUT', code: 'ERR_KUBE_UNREACHABLE' },
    { errno: 'ECONNRESET', code: 'ERR_KUBE_UNREACHABLE' },
    { errno: 'ESOMETHINGELSE', code: 'ERR_KUBE_REQUEST' },
  ];
  it.each(table)('$errno -> $code', ({ errno, code }) => {
    const error = mapNetworkError(Object.assign(new Error('x'), { code: errno }), SERVER, 'connect');
    expect(error.code).toBe(code);
    expect(error.message).toContain(SERVER);
    expect(error.message).toContain(errno);
  });

  it('finds the code in a cause chain', () => {
    const inner = Object.assign(new Error('inner'), { code: 'ECONNREFUSED' });
    expect(mapNetworkError(new Error('outer', { cause: inner }), SERVER, 'connect').code).toBe('ERR_KUBE_UNREACHABLE');
  });
});

describe('isTransientKubeError', () => {
  const http = (code: number): ArgoEntraError =>
    mapHttpError({ status: code, body: undefined, method: 'GET', path: '/x' }, SERVER);
  const net = (errno: string, phase: FailurePhase): ArgoEntraError =>
    mapNetworkError(Object.assign(new Error('x'), { code: errno }), SERVER, phase);
  const open = { refusedWindowOpen: true };
  const table: Array<{
    name: string;
    error: unknown;
    idempotent: boolean;
    refusedWindowOpen?: boolean;
    transient: boolean;
  }> = [
    { name: '429 GET', error: http(429), idempotent: true, transient: true },
    { name: '429 POST (APF rejects before any handler)', error: http(429), idempotent: false, transient: true },
    { name: '503 GET', error: http(503), idempotent: true, transient: true },
    { name: '500 POST may have created it', error: http(500), idempotent: false, transient: false },
    { name: '504 POST', error: http(504), idempotent: false, transient: false },
    { name: '401', error: http(401), idempotent: true, transient: false },
    { name: '403', error: http(403), idempotent: true, transient: false },
    { name: '404', error: http(404), idempotent: true, transient: false },
    { name: '409', error: http(409), idempotent: true, transient: false },
    { name: 'ECONNRESET GET', error: net('ECONNRESET', 'sent'), idempotent: true, transient: true },
    { name: 'ECONNRESET POST after send', error: net('ECONNRESET', 'sent'), idempotent: false, transient: false },
    { name: 'ECONNRESET POST at connect', error: net('ECONNRESET', 'connect'), idempotent: false, transient: true },
    { name: 'ECONNREFUSED POST in window', error: net('ECONNREFUSED', 'connect'), idempotent: false, transient: true },
    {
      name: 'ECONNREFUSED after window',
      error: net('ECONNREFUSED', 'connect'),
      idempotent: true,
      refusedWindowOpen: false,
      transient: false,
    },
    { name: 'timeout POST after send', error: net('ERR_KUBE_TIMEOUT', 'sent'), idempotent: false, transient: false },
    { name: 'ENOTFOUND', error: net('ENOTFOUND', 'connect'), idempotent: true, transient: false },
    { name: 'TLS', error: net('CERT_HAS_EXPIRED', 'connect'), idempotent: true, transient: false },
    { name: 'foreign error', error: new Error('x'), idempotent: true, transient: false },
    {
      name: 'identity error from the token provider',
      error: new ArgoEntraError('ERR_ENTRA_EXCHANGE', 'x'),
      idempotent: true,
      transient: false,
    },
  ];
  it.each(table)('$name -> $transient', ({ error, idempotent, refusedWindowOpen, transient }) => {
    expect(
      isTransientKubeError(error, {
        ...open,
        idempotent,
        ...(refusedWindowOpen === undefined ? {} : { refusedWindowOpen }),
      }),
    ).toBe(transient);
  });
});

describe('parseForbiddenFacts', () => {
  it('unescapes quoted user names', () => {
    expect(
      parseForbiddenFacts('User "a\\"b" cannot list resource "pods" in API group "" in the namespace "n"').user,
    ).toBe('a"b');
  });
  it('returns nothing for an unknown wording', () => {
    expect(parseForbiddenFacts('nope')).toEqual({});
  });
});
