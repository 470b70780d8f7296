import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { getTestPki, trustTestCa } from '../pki.js';
import { GitHubOidcEmulator } from './github.js';

const pki = getTestPki();
trustTestCa(pki.caPem);

let gh: GitHubOidcEmulator;
beforeEach(async () => {
  gh = await new GitHubOidcEmulator({ pki }).start();
});
afterEach(() => gh.stop());

async function request(audience = 'api://AzureADTokenExchange', token = gh.requestToken): Promise<Response> {
  return fetch(`${gh.requestUrl}&audience=${encodeURIComponent(audience)}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
}

describe('GitHub OIDC emulator wire facts', () => {
  it('hands out a request URL carrying ?api-version=2.0 and answers {"value": jwt}', async () => {
    expect(gh.requestUrl).toMatch(/\?api-version=2\.0$/);
    const res = await request();
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['value']);
    const jwt = body['value'] as string;
    const header = decodeProtectedHeader(jwt);
    expect(header).toEqual({ typ: 'JWT', alg: 'RS256', kid: expect.any(String), x5t: expect.any(String) });
    const claims = decodeJwt(jwt);
    expect(claims.iss).toBe(gh.issuer);
    expect(claims.aud).toBe('api://AzureADTokenExchange');
    expect(claims.exp! - claims.iat!).toBe(300);
    expect(claims.nbf!).toBeLessThan(claims.iat!);
    for (const key of [
      'jti',
      'sub',
      'actor',
      'actor_id',
      'base_ref',
      'head_ref',
      'event_name',
      'job_workflow_ref',
      'job_workflow_sha',
      'ref',
      'ref_type',
      'ref_protected',
      'repository',
      'repository_id',
      'repository_owner',
      'repository_owner_id',
      'repository_visibility',
      'run_id',
      'run_number',
      'run_attempt',
      'runner_environment',
      'sha',
      'workflow',
      'workflow_ref',
      'workflow_sha',
      'check_run_id',
    ]) {
      expect(typeof claims[key]).toBe('string');
    }
  });

  it('signs with a key served by discovery -> JWKS', async () => {
    const discovery = (await (await fetch(`${gh.issuer}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
      jwks_uri: string;
    };
    expect(discovery.issuer).toBe(gh.issuer);
    expect(discovery.jwks_uri).toBe(`${gh.issuer}/.well-known/jwks`);
    const jwks = (await (await fetch(discovery.jwks_uri)).json()) as Parameters<typeof createLocalJWKSet>[0];
    const { payload } = await jwtVerify(await gh.mint(), createLocalJWKSet(jwks), { issuer: gh.issuer });
    expect(payload.sub).toBe(gh.subject());
  });

  it('rejects a wrong or missing request token with 401', async () => {
    expect((await request(undefined, 'nope')).status).toBe(401);
    expect((await fetch(gh.requestUrl)).status).toBe(401);
  });

  it.each([
    ['branch', {}, { kind: 'default' }, 'repo:octo-org/octo-repo:ref:refs/heads/main'],
    ['tag', { ref: 'refs/tags/v1.2.0' }, { kind: 'default' }, 'repo:octo-org/octo-repo:ref:refs/tags/v1.2.0'],
    [
      'pull_request',
      { eventName: 'pull_request', ref: 'refs/pull/7/merge' },
      { kind: 'default' },
      'repo:octo-org/octo-repo:pull_request',
    ],
    [
      'environment wins over ref',
      { environment: 'prod' },
      { kind: 'default' },
      'repo:octo-org/octo-repo:environment:prod',
    ],
    [
      'environment wins over pull_request',
      { environment: 'prod', eventName: 'pull_request' },
      { kind: 'default' },
      'repo:octo-org/octo-repo:environment:prod',
    ],
    [
      ': in a value is %3A',
      { environment: 'prod:eu' },
      { kind: 'default' },
      'repo:octo-org/octo-repo:environment:prod%3Aeu',
    ],
    ['immutable', {}, { kind: 'immutable' }, 'repo:octo-org@4242/octo-repo@987654:ref:refs/heads/main'],
    [
      'include_claim_keys',
      { environment: 'prod' },
      { kind: 'custom', includeClaimKeys: ['repo', 'context', 'job_workflow_ref'] },
      'repo:octo-org/octo-repo:environment:prod:job_workflow_ref:octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main',
    ],
    [
      'custom keys only',
      {},
      { kind: 'custom', includeClaimKeys: ['repository_owner_id', 'run_attempt'] },
      'repository_owner_id:4242:run_attempt:1',
    ],
  ] as const)('sub form: %s', async (_name, context, form, expected) => {
    gh.context = { ...gh.context, ...context };
    gh.subjectForm = form as GitHubOidcEmulator['subjectForm'];
    const res = await request();
    const { value } = (await res.json()) as { value: string };
    expect(decodeJwt(value).sub).toBe(expected);
  });

  it('injects 5xx, 429 with Retry-After and resets, then recovers', async () => {
    gh.failNext(2, 502);
    gh.throttleNext(1, 7);
    expect((await request()).status).toBe(502);
    expect((await request()).status).toBe(502);
    const throttled = await request();
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('7');
    gh.resetNext(1);
    await expect(request()).rejects.toThrow();
    expect((await request()).status).toBe(200);
    expect(gh.tokenRequests.map((r) => r.outcome)).toEqual([502, 502, 429, 'reset', 200]);
  });

  it('honours lifetime and clock-offset knobs', async () => {
    gh.lifetimeS = 60;
    gh.clockOffsetS = -3600;
    const claims = decodeJwt(await gh.mint());
    expect(claims.exp! - claims.iat!).toBe(60);
    expect(claims.exp! * 1000).toBeLessThan(Date.now());
  });

  it('supports an enterprise custom issuer path', async () => {
    const ent = await new GitHubOidcEmulator({ pki, enterpriseSlug: 'octo-ent' }).start();
    try {
      expect(ent.issuer).toMatch(/\/octo-ent$/);
      const d = (await (await fetch(`${ent.issuer}/.well-known/openid-configuration`)).json()) as { issuer: string };
      expect(d.issuer).toBe(ent.issuer);
    } finally {
      await ent.stop();
    }
  });

  it('env() gives the OIDC variables and GITHUB_* context', () => {
    const env = gh.env();
    expect(env['ACTIONS_ID_TOKEN_REQUEST_URL']).toBe(gh.requestUrl);
    expect(env['ACTIONS_ID_TOKEN_REQUEST_TOKEN']).toBe(gh.requestToken);
    expect(env).toMatchObject({
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'octo-org/octo-repo',
      GITHUB_RUN_ID: '7001',
      GITHUB_REF: 'refs/heads/main',
    });
  });

  it('sends a Date header', async () => {
    const res = await request();
    expect(Math.abs(Date.parse(res.headers.get('date') ?? '') - Date.now())).toBeLessThan(5_000);
  });
});
