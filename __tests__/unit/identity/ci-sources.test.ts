import { ArgoEntraError } from '../../../src/errors.js';
import { createCiTokenSource } from '../../../src/identity/ci/index.js';
import type { CiSourceConfig } from '../../../src/settings/types.js';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
const REQUEST_TOKEN = 'ghs_secret_request_token';

interface Call {
  url: string;
  init: RequestInit | undefined;
}

/** A fetch that replays scripted replies; a string entry throws like undici does on a reset. */
function scriptedFetch(script: Array<Response | 'reset'>) {
  const calls: Call[] = [];
  const impl = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init });
    const next = script.shift() ?? new Response('{}', { status: 500 });
    if (next === 'reset')
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      });
    return next;
  }) as typeof fetch;
  return { calls, impl };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const github: CiSourceConfig = {
  kind: 'github',
  requestUrl: 'https://gh.invalid/idtoken?api-version=2.0',
  requestToken: REQUEST_TOKEN,
};
const ado: CiSourceConfig = {
  kind: 'azure-devops',
  oidcRequestUri: 'https://ado.invalid/org/p/_apis/oidctoken',
  accessToken: 'ado_secret',
  serviceConnectionId: 'sc-1',
};

function deps(fetchImpl: typeof fetch) {
  const sleeps: number[] = [];
  return {
    sleeps,
    deps: { fetchImpl, sleep: async (ms: number) => void sleeps.push(ms), random: () => 0.5, baseMs: 100, capMs: 1000 },
  };
}

async function codeOf(p: Promise<unknown>): Promise<ArgoEntraError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ArgoEntraError);
    return e as ArgoEntraError;
  }
  throw new Error('expected a rejection');
}

describe('GitHub source', () => {
  it('GETs <url>&audience=<encoded> with the bearer and returns value', async () => {
    const f = scriptedFetch([json(200, { value: JWT })]);
    const token = await createCiTokenSource(github, deps(f.impl).deps).getToken('api://AzureADTokenExchange');
    expect(token).toBe(JWT);
    expect(f.calls[0]?.url).toBe(
      'https://gh.invalid/idtoken?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange',
    );
    expect(f.calls[0]?.init?.method).toBe('GET');
    expect((f.calls[0]?.init?.headers as Record<string, string>)['Authorization']).toBe(`Bearer ${REQUEST_TOKEN}`);
  });

  it('retries 5xx, resets and 429 (honouring Retry-After)', async () => {
    const f = scriptedFetch([json(503, {}), 'reset', json(429, {}, { 'retry-after': '2' }), json(200, { value: JWT })]);
    const d = deps(f.impl);
    expect(await createCiTokenSource(github, d.deps).getToken('a')).toBe(JWT);
    expect(f.calls).toHaveLength(4);
    expect(d.sleeps).toEqual([50, 100, 2000]);
  });

  it.each([
    ['401 is terminal', [json(401, { message: 'bad' })], 'ERR_CI_TOKEN_REQUEST', '401', 1],
    ['403 is terminal', [json(403, {})], 'ERR_CI_TOKEN_REQUEST', '403', 1],
    [
      '5xx exhausted',
      [json(500, {}), json(502, {}), json(503, {}), json(504, {}), json(500, {})],
      'ERR_CI_TOKEN_REQUEST',
      '500',
      5,
    ],
    ['resets exhausted', ['reset', 'reset', 'reset', 'reset', 'reset'], 'ERR_CI_TOKEN_REQUEST', 'none', 5],
    ['not JSON', [new Response('<html>', { status: 200 })], 'ERR_CI_TOKEN_INVALID', undefined, 1],
    ['no value', [json(200, { count: 0 })], 'ERR_CI_TOKEN_INVALID', undefined, 1],
    ['value not a JWT', [json(200, { value: 'opaque' })], 'ERR_CI_TOKEN_INVALID', undefined, 1],
  ] as const)('%s -> %s', async (_n, script, code, status, calls) => {
    const f = scriptedFetch([...script]);
    const err = await codeOf(createCiTokenSource(github, deps(f.impl).deps).getToken('a'));
    expect(err.code).toBe(code);
    if (status !== undefined) expect(err.details['status']).toBe(status);
    expect(f.calls).toHaveLength(calls);
    expect(`${err.message} ${err.hint} ${JSON.stringify(err.details)}`).not.toContain(REQUEST_TOKEN);
  });

  it('names id-token: write in the 401 hint', async () => {
    const f = scriptedFetch([json(401, {})]);
    const err = await codeOf(createCiTokenSource(github, deps(f.impl).deps).getToken('a'));
    expect(err.hint).toContain('id-token: write');
  });

  it('maps an aborted signal to ERR_CANCELLED', async () => {
    const controller = new AbortController();
    controller.abort();
    const f = scriptedFetch([json(200, { value: JWT })]);
    const err = await codeOf(createCiTokenSource(github, deps(f.impl).deps).getToken('a', controller.signal));
    expect(err.code).toBe('ERR_CANCELLED');
  });
});

describe('Azure DevOps source', () => {
  it('POSTs ?api-version=7.1&serviceConnectionId= with JSON content type and returns oidcToken', async () => {
    const f = scriptedFetch([json(200, { oidcToken: JWT })]);
    expect(await createCiTokenSource(ado, deps(f.impl).deps).getToken('ignored')).toBe(JWT);
    expect(f.calls[0]?.url).toBe('https://ado.invalid/org/p/_apis/oidctoken?api-version=7.1&serviceConnectionId=sc-1');
    expect(f.calls[0]?.init?.method).toBe('POST');
    expect(f.calls[0]?.init?.headers).toMatchObject({
      Authorization: 'Bearer ado_secret',
      'Content-Type': 'application/json',
    });
  });

  it.each([
    [401, 'SYSTEM_ACCESSTOKEN'],
    [400, 'sc-1'],
  ])('HTTP %d -> ERR_CI_TOKEN_REQUEST with a hint naming %s', async (status, hintPart) => {
    const f = scriptedFetch([json(status, { message: 'nope' })]);
    const err = await codeOf(createCiTokenSource(ado, deps(f.impl).deps).getToken('a'));
    expect(err.code).toBe('ERR_CI_TOKEN_REQUEST');
    expect(err.hint).toContain(hintPart);
    expect(err.message).not.toContain('ado_secret');
  });
});

describe('token file, GitLab and explicit sources', () => {
  it('re-reads the token file on every call', async () => {
    const contents = [`${JWT}\n`, 'eyJhIjoxfQ.eyJiIjoyfQ.c2ln2'];
    const reads: string[] = [];
    const source = createCiTokenSource(
      { kind: 'token-file', path: '/var/run/t' },
      {
        readFile: async (p) => {
          reads.push(p);
          return contents.shift() ?? '';
        },
      },
    );
    expect(await source.getToken('a')).toBe(JWT);
    expect(await source.getToken('a')).toBe('eyJhIjoxfQ.eyJiIjoyfQ.c2ln2');
    expect(reads).toEqual(['/var/run/t', '/var/run/t']);
  });

  it.each([
    ['missing file', { kind: 'token-file', path: '/nope/token' }, 'ERR_CI_TOKEN_FILE', '/nope/token'],
    [
      'gitlab not a JWT',
      { kind: 'gitlab', variableName: 'ENTRA_ID_TOKEN', token: 'x' },
      'ERR_CI_TOKEN_INVALID',
      'ENTRA_ID_TOKEN',
    ],
    ['explicit not a JWT', { kind: 'explicit', token: 'x y' }, 'ERR_CI_TOKEN_INVALID', 'explicit'],
  ] as const)('%s -> %s', async (_n, config, code, named) => {
    const err = await codeOf(createCiTokenSource(config).getToken('a'));
    expect(err.code).toBe(code);
    expect(err.message).toContain(named);
  });

  it('a file that is not a JWT is ERR_CI_TOKEN_INVALID naming the path', async () => {
    const err = await codeOf(
      createCiTokenSource({ kind: 'token-file', path: '/t' }, { readFile: async () => 'garbage' }).getToken('a'),
    );
    expect(err.code).toBe('ERR_CI_TOKEN_INVALID');
    expect(err.details['path']).toBe('/t');
  });

  it.each([[{ kind: 'gitlab', variableName: 'ID', token: ` ${JWT}\n` }], [{ kind: 'explicit', token: JWT }]] as const)(
    '%j returns the trimmed token every call',
    async (config) => {
      const source = createCiTokenSource(config);
      expect(await source.getToken('a')).toBe(JWT);
      expect(await source.getToken('a')).toBe(JWT);
      expect(source.kind).toBe(config.kind);
    },
  );
});
