import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { createKubeClient, type ClosableKubeClient, type KubeClientOptions } from '../../../src/cluster/kube-client.js';
import { canI, rulesReview, whoAmI } from '../../../src/cluster/access.js';
import type { WatchEvent } from '../../../src/cluster/types.js';
import type { AccessTokenProvider } from '../../../src/identity/types.js';
import { createTestPki, type TestPki } from '../../harness/pki.js';
import { json, startKubeServer, status, type KubeServer } from './kube-server.js';

let pki: TestPki;
let otherPki: TestPki;
let server: KubeServer;
let client: ClosableKubeClient;
let sleeps: number[];
let tokenCalls: number;

const b64 = (pem: string): string => Buffer.from(pem).toString('base64');

const tokens: AccessTokenProvider = {
  getToken: async () => {
    tokenCalls++;
    return { token: `token-${tokenCalls}`, expiresOnMs: Date.now() + 3_600_000 };
  },
};

function makeClient(overrides: Partial<KubeClientOptions> = {}): ClosableKubeClient {
  return createKubeClient({
    server: server.url,
    caData: b64(pki.caPem),
    insecureSkipTlsVerify: false,
    tokenProvider: tokens,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...overrides,
  });
}

beforeAll(async () => {
  pki = createTestPki();
  otherPki = createTestPki();
  server = await startKubeServer(pki.issueServerCert());
});
afterAll(async () => {
  await server.close();
  pki.dispose();
  otherPki.dispose();
});
beforeEach(() => {
  server.seen.length = 0;
  sleeps = [];
  tokenCalls = 0;
  client = makeClient();
});
afterEach(() => client.close());

async function codeOf(
  promise: Promise<unknown>,
): Promise<{ code: string; details: Record<string, string>; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; details: Record<string, string>; message: string };
  }
  throw new Error('expected a rejection');
}

describe('request', () => {
  it('GET: bearer from the provider on every request, JSON body, Date header', async () => {
    server.handle((_req, res) =>
      json(res, 200, { kind: 'WorkflowList', items: [] }, { Date: 'Sun, 29 Nov 2026 12:00:00 GMT' }),
    );
    const res = await client.request<{ kind: string }>({
      method: 'GET',
      path: '/apis/argoproj.io/v1alpha1/namespaces/ci/workflows',
      query: { limit: '5' },
    });
    await client.request({ method: 'GET', path: '/api' });
    expect(res).toEqual({
      status: 200,
      body: { kind: 'WorkflowList', items: [] },
      date: 'Sun, 29 Nov 2026 12:00:00 GMT',
    });
    expect(server.seen.map((s) => s.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(server.seen[0]?.url).toBe('/apis/argoproj.io/v1alpha1/namespaces/ci/workflows?limit=5');
    expect(server.seen[0]?.headers['user-agent']).toBe('argo-entra');
  });

  it("POST sends JSON with the content type; PATCH with the caller's", async () => {
    server.handle((req, res) =>
      json(res, 201, { echo: JSON.parse(req.body) as unknown, type: req.headers['content-type'] }),
    );
    const created = await client.request<{ echo: unknown; type: string }>({
      method: 'POST',
      path: '/x',
      body: { a: 1 },
    });
    expect(created.body).toEqual({ echo: { a: 1 }, type: 'application/json' });
    const patched = await client.request<{ type: string }>({
      method: 'PATCH',
      path: '/x',
      body: { spec: { shutdown: 'Stop' } },
      contentType: 'application/merge-patch+json',
    });
    expect(patched.body.type).toBe('application/merge-patch+json');
  });

  it('keeps a server path prefix', async () => {
    server.handle((_req, res) => json(res, 200, {}));
    const prefixed = makeClient({ server: `${server.url}/k8s/clusters/c-1/` });
    await prefixed.request({ method: 'GET', path: '/version' });
    prefixed.close();
    expect(server.seen[0]?.url).toBe('/k8s/clusters/c-1/version');
  });

  it.each([
    { status: 401, body: status(401, 'Unauthorized', 'Unauthorized'), code: 'ERR_KUBE_UNAUTHORIZED', details: {} },
    {
      status: 403,
      body: status(
        403,
        'Forbidden',
        'workflows.argoproj.io is forbidden: User "oid-1" cannot create resource "workflows" in API group "argoproj.io" in the namespace "ci"',
      ),
      code: 'ERR_KUBE_FORBIDDEN',
      details: { user: 'oid-1', verb: 'create', resource: 'workflows', namespace: 'ci' },
    },
    {
      status: 409,
      body: status(409, 'AlreadyExists', 'exists'),
      code: 'ERR_KUBE_REQUEST',
      details: { reason: 'AlreadyExists' },
    },
    { status: 400, body: '<html>proxy</html>', code: 'ERR_KUBE_REQUEST', details: { status: '400' } },
  ])('$status -> $code, not retried', async ({ status: code, body, code: expected, details }) => {
    server.handle((_req, res) => {
      if (typeof body === 'string') res.writeHead(code).end(body);
      else json(res, code, body);
    });
    const error = await codeOf(
      client.request({ method: 'POST', path: '/apis/argoproj.io/v1alpha1/namespaces/ci/workflows', body: {} }),
    );
    expect(error.code).toBe(expected);
    expect(error.details).toMatchObject({ status: String(code), ...details });
    expect(error.message).not.toContain('proxy');
    expect(server.seen).toHaveLength(1);
  });

  it('accepted statuses are returned', async () => {
    server.handle((_req, res) => json(res, 404, status(404, 'NotFound', 'nope')));
    const res = await client.request<{ reason: string }>({ method: 'GET', path: '/x', accept: [404] });
    expect(res.status).toBe(404);
    expect(res.body.reason).toBe('NotFound');
  });

  it('429 honours Retry-After, with a fresh bearer per attempt', async () => {
    let n = 0;
    server.handle((_req, res) =>
      ++n < 3
        ? json(res, 429, status(429, 'TooManyRequests', 'slow down'), { 'Retry-After': '2' })
        : json(res, 200, { ok: true }),
    );
    const res = await client.request({
      method: 'POST',
      path: '/apis/argoproj.io/v1alpha1/namespaces/ci/workflows',
      body: {},
    });
    expect(res.status).toBe(200);
    expect(sleeps).toEqual([2000, 2000]);
    expect(server.seen.map((s) => s.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-2',
      'Bearer token-3',
    ]);
  });

  it('503 on GET is retried with capped backoff, then reported', async () => {
    server.handle((_req, res) => json(res, 503, status(503, 'ServiceUnavailable', 'restarting')));
    const error = await codeOf(
      makeClient({ maxAttempts: 3, backoffBaseMs: 100, backoffCapMs: 150 }).request({ method: 'GET', path: '/x' }),
    );
    expect(error.code).toBe('ERR_KUBE_REQUEST');
    expect(error.details['status']).toBe('503');
    expect(server.seen).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
    for (const ms of sleeps) expect(ms).toBeLessThanOrEqual(150);
  });

  it('503 on a creating POST is not retried (it may have created the workflow)', async () => {
    server.handle((_req, res) => json(res, 503, status(503, 'ServiceUnavailable', 'x')));
    const error = await codeOf(client.request({ method: 'POST', path: '/w', body: { kind: 'Workflow' } }));
    expect(error.code).toBe('ERR_KUBE_REQUEST');
    expect(server.seen).toHaveLength(1);
  });

  it('a reset after the POST body arrived is not retried; the same on GET is', async () => {
    server.handle((_req, res) => {
      res.socket?.destroy();
    });
    const post = await codeOf(client.request({ method: 'POST', path: '/w', body: { kind: 'Workflow' } }));
    expect(post.code).toBe('ERR_KUBE_UNREACHABLE');
    expect(server.seen).toHaveLength(1);
    server.seen.length = 0;
    const get = await codeOf(makeClient({ maxAttempts: 3 }).request({ method: 'GET', path: '/w' }));
    expect(get.code).toBe('ERR_KUBE_UNREACHABLE');
    expect(server.seen).toHaveLength(3);
  });

  it('idempotent POST (reviews) retries like a GET', async () => {
    let n = 0;
    server.handle((_req, res) => (++n === 1 ? json(res, 500, status(500, 'InternalError', 'x')) : json(res, 201, {})));
    await client.request({ method: 'POST', path: '/r', body: {}, idempotent: true });
    expect(server.seen).toHaveLength(2);
  });

  it('a server that never answers times out as ERR_KUBE_UNREACHABLE', async () => {
    server.handle(() => undefined);
    const error = await codeOf(
      makeClient({ requestTimeoutMs: 150, maxAttempts: 2 }).request({ method: 'GET', path: '/slow' }),
    );
    expect(error.code).toBe('ERR_KUBE_UNREACHABLE');
    expect(error.details['errno']).toBe('ERR_KUBE_TIMEOUT');
    expect(server.seen).toHaveLength(2);
  });

  it('abort -> ERR_CANCELLED', async () => {
    server.handle(() => undefined);
    const controller = new AbortController();
    const pending = client.request({ method: 'GET', path: '/slow', signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect((await codeOf(pending)).code).toBe('ERR_CANCELLED');
  });
});

describe('TLS and reachability', () => {
  it('a CA that does not sign the server -> ERR_KUBE_TLS naming server and code', async () => {
    server.handle((_req, res) => json(res, 200, {}));
    const wrong = makeClient({ caData: b64(otherPki.caPem) });
    const error = await codeOf(wrong.request({ method: 'GET', path: '/version' }));
    wrong.close();
    expect(error.code).toBe('ERR_KUBE_TLS');
    expect(error.details['tlsCode']).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(error.message).toContain(server.url);
    expect(server.seen).toHaveLength(0);
    expect(sleeps).toEqual([]);
  });

  it('a certificate for another host name -> ERR_KUBE_TLS ERR_TLS_CERT_ALTNAME_INVALID', async () => {
    const other = await startKubeServer(pki.issueServerCert({ dns: ['other.example'], ips: [] }));
    const c = makeClient({ server: other.url });
    const error = await codeOf(c.request({ method: 'GET', path: '/version' }));
    c.close();
    await other.close();
    expect(error.code).toBe('ERR_KUBE_TLS');
    expect(error.details['tlsCode']).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('no CA and an untrusted server -> ERR_KUBE_TLS', async () => {
    const c = makeClient({ caData: undefined });
    const error = await codeOf(c.request({ method: 'GET', path: '/version' }));
    c.close();
    expect(error.code).toBe('ERR_KUBE_TLS');
  });

  it('insecureSkipTlsVerify connects despite the wrong CA', async () => {
    server.handle((_req, res) => json(res, 200, { ok: 1 }));
    const c = makeClient({ caData: b64(otherPki.caPem), insecureSkipTlsVerify: true });
    expect((await c.request({ method: 'GET', path: '/version' })).status).toBe(200);
    c.close();
  });

  it('refused connection: retried within the window, then ERR_KUBE_UNREACHABLE', async () => {
    const port = await freePort();
    const c = makeClient({ server: `https://127.0.0.1:${port}`, maxAttempts: 4 });
    const error = await codeOf(c.request({ method: 'POST', path: '/w', body: {} }));
    c.close();
    expect(error.code).toBe('ERR_KUBE_UNREACHABLE');
    expect(error.details['errno']).toBe('ECONNREFUSED');
    expect(sleeps).toHaveLength(3);
  });

  it('refused connection outside the window is reported at once', async () => {
    const port = await freePort();
    const c = makeClient({ server: `https://127.0.0.1:${port}`, refusedWindowMs: 0 });
    const error = await codeOf(c.request({ method: 'GET', path: '/w' }));
    c.close();
    expect(error.code).toBe('ERR_KUBE_UNREACHABLE');
    expect(sleeps).toEqual([]);
  });

  it('unknown host -> ERR_KUBE_UNREACHABLE (ENOTFOUND), not retried', async () => {
    const c = makeClient({ server: 'https://argo-entra-no-such-host.invalid' });
    const error = await codeOf(c.request({ method: 'GET', path: '/w' }));
    c.close();
    expect(error.code).toBe('ERR_KUBE_UNREACHABLE');
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain(error.details['errno']);
  });

  it.each(['http://127.0.0.1:1', 'not a url'])('server %s -> ERR_SETTINGS_INVALID', (url) => {
    expect(() => makeClient({ server: url })).toThrow(expect.objectContaining({ code: 'ERR_SETTINGS_INVALID' }));
  });
});

describe('watch', () => {
  const ev = (type: string, name: string, extra = ''): string =>
    `${JSON.stringify({ type, object: { metadata: { name, note: `ü€${extra}` } } })}\n`;

  it('streams events split across chunks until the server ends the stream', async () => {
    const text = ev('ADDED', 'a') + ev('MODIFIED', 'a', 'x'.repeat(5000)) + ev('DELETED', 'a');
    const bytes = Buffer.from(text);
    server.handle(async (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      // Cut inside a JSON object and inside the 3-byte "€".
      const cuts = [7, bytes.indexOf(0xe2) + 1, 2000, 5100, bytes.length];
      let from = 0;
      for (const cut of cuts) {
        res.write(bytes.subarray(from, cut));
        from = cut;
        await new Promise((r) => setTimeout(r, 10));
      }
      res.end();
    });
    const events: Array<WatchEvent<{ metadata: { name: string; note: string } }>> = [];
    await client.watch(
      { path: '/apis/argoproj.io/v1alpha1/namespaces/ci/workflows', query: { fieldSelector: 'metadata.name=a' } },
      (e) => events.push(e as (typeof events)[number]),
    );
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(events[1]?.object.metadata.note).toBe(`ü€${'x'.repeat(5000)}`);
    expect(server.seen[0]?.url).toBe(
      '/apis/argoproj.io/v1alpha1/namespaces/ci/workflows?fieldSelector=metadata.name%3Da&watch=1',
    );
    expect(server.seen[0]?.headers.authorization).toBe('Bearer token-1');
  });

  it('resolves when the signal aborts an idle stream', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(ev('ADDED', 'a'));
    });
    const controller = new AbortController();
    const events: unknown[] = [];
    const done = client.watch({ path: '/w', signal: controller.signal }, (e) => {
      events.push(e);
      setTimeout(() => controller.abort(), 20);
    });
    await expect(done).resolves.toBeUndefined();
    expect(events).toHaveLength(1);
  });

  it('rejects with ERR_KUBE_UNREACHABLE when the connection breaks mid-stream', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(ev('ADDED', 'a') + '{"type":"MOD');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const events: unknown[] = [];
    const error = await codeOf(client.watch({ path: '/w' }, (e) => events.push(e)));
    expect(error.code).toBe('ERR_KUBE_UNREACHABLE');
    expect(error.details['phase']).toBe('stream');
    expect(events).toHaveLength(1);
  });

  it('a 403 when opening the watch -> ERR_KUBE_FORBIDDEN', async () => {
    server.handle((_req, res) =>
      json(
        res,
        403,
        status(
          403,
          'Forbidden',
          'workflows.argoproj.io is forbidden: User "u" cannot watch resource "workflows" in API group "argoproj.io" in the namespace "ci"',
        ),
      ),
    );
    const error = await codeOf(client.watch({ path: '/w' }, () => undefined));
    expect(error.code).toBe('ERR_KUBE_FORBIDDEN');
    expect(error.details['verb']).toBe('watch');
  });

  it('a 503 when opening the watch is retried', async () => {
    let n = 0;
    server.handle((_req, res) => {
      if (++n === 1) return json(res, 503, status(503, 'ServiceUnavailable', 'x'));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(ev('ADDED', 'a'));
    });
    const events: unknown[] = [];
    await client.watch({ path: '/w' }, (e) => events.push(e));
    expect(events).toHaveLength(1);
    expect(sleeps).toHaveLength(1);
  });

  it('an exception in onEvent ends the watch with that exception', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(ev('ADDED', 'a'));
    });
    const boom = new Error('consumer failed');
    await expect(
      client.watch({ path: '/w' }, () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
  });

  it('an ERROR event (410 Gone) is delivered, not thrown', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(`${JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', 'too old resource version') })}\n`);
    });
    const events: Array<WatchEvent<unknown>> = [];
    await client.watch({ path: '/w' }, (e) => events.push(e));
    expect(events[0]).toMatchObject({ type: 'ERROR', object: { code: 410 } });
  });
});

describe('access reviews over the wire', () => {
  it('whoAmI, canI, rulesReview', async () => {
    server.handle((req, res) => {
      const body = JSON.parse(req.body) as { kind: string; spec?: unknown };
      if (body.kind === 'SelfSubjectReview')
        return json(res, 201, { ...body, status: { userInfo: { username: 'oid-1', groups: ['g'] } } });
      if (body.kind === 'SelfSubjectAccessReview')
        return json(res, 201, { ...body, status: { allowed: true, reason: 'RBAC' } });
      return json(res, 201, {
        ...body,
        status: {
          resourceRules: [{ verbs: ['*'], apiGroups: ['argoproj.io'], resources: ['workflows'] }],
          incomplete: false,
        },
      });
    });
    expect(await whoAmI(client)).toEqual({ username: 'oid-1', uid: undefined, groups: ['g'], extra: {} });
    expect(
      await canI(client, { verb: 'create', resource: 'workflows', group: 'argoproj.io', namespace: 'ci' }),
    ).toMatchObject({ allowed: true });
    expect((await rulesReview(client, 'ci')).resourceRules).toHaveLength(1);
    expect(server.seen.map((s) => s.url)).toEqual([
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
    ]);
    expect(JSON.parse(server.seen[2]?.body ?? '{}')).toEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectRulesReview',
      spec: { namespace: 'ci' },
    });
  });

  it('whoAmI on a server without the v1 API -> undefined', async () => {
    server.handle((_req, res) =>
      json(res, 404, status(404, 'NotFound', 'the server could not find the requested resource')),
    );
    expect(await whoAmI(client)).toBeUndefined();
  });
});

async function freePort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
