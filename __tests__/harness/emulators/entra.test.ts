import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { getTestPki, trustTestCa } from '../pki.js';
import { AKS_SERVER_APP_ID, type AppRegistration, EntraEmulator, JWT_BEARER } from './entra.js';
import { GitHubOidcEmulator } from './github.js';

const pki = getTestPki();
trustTestCa(pki.caPem);
const AUD = 'api://AzureADTokenExchange';

let entra: EntraEmulator;
let gh: GitHubOidcEmulator;
let tid: string;
let app: AppRegistration;

beforeEach(async () => {
  entra = await new EntraEmulator({ pki }).start();
  gh = await new GitHubOidcEmulator({ pki }).start();
  tid = entra.addTenant();
  app = entra.addApp(tid, { federatedCredentials: [{ issuer: gh.issuer, subject: gh.subject(), audiences: [AUD] }] });
});
afterEach(async () => {
  await entra.stop();
  await gh.stop();
});

async function token(
  over: Record<string, string | undefined> = {},
  tenant = tid,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const form: Record<string, string | undefined> = {
    grant_type: 'client_credentials',
    client_id: app.clientId,
    scope: `${AKS_SERVER_APP_ID}/.default`,
    client_assertion_type: JWT_BEARER,
    client_assertion: await gh.mint(),
    unknown_param: 'ignored',
    ...over,
  };
  const body = new URLSearchParams(Object.entries(form).filter((e): e is [string, string] => e[1] !== undefined));
  const res = await fetch(
    `${entra.authorityHost}/${tenant}/oauth2/v2.0/token?client-request-id=11111111-2222-3333-4444-555555555555`,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
    },
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

describe('Entra emulator: success', () => {
  it('issues a v1 token for the AKS resource', async () => {
    const res = await token();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      token_type: 'Bearer',
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: expect.any(String),
    });
    const claims = decodeJwt(res.body['access_token'] as string);
    expect(claims).toMatchObject({
      iss: `https://sts.windows.net/${tid}/`,
      aud: AKS_SERVER_APP_ID,
      appid: app.clientId,
      appidacr: '2',
      oid: app.servicePrincipalId,
      sub: app.servicePrincipalId,
      tid,
      idtyp: 'app',
      ver: '1.0',
    });
    expect(claims.exp! - claims.iat!).toBe(3599);
  });

  it('issues a v2 token when the resource asks for v2', async () => {
    const resource = entra.addResource(tid, { requestedAccessTokenVersion: 2, identifierUris: ['api://my-api'] });
    const res = await token({ scope: 'api://my-api/.default' });
    const claims = decodeJwt(res.body['access_token'] as string);
    expect(claims).toMatchObject({
      iss: `${entra.authorityHost}/${tid}/v2.0`,
      aud: resource.appId,
      azp: app.clientId,
      azpacr: '2',
      ver: '2.0',
    });
    expect(claims['appid']).toBeUndefined();
  });

  it('puts groups and roles in, and switches to overage past 200 groups', async () => {
    entra.setGroups(tid, app.clientId, ['g1', 'g2']);
    expect(decodeJwt((await token()).body['access_token'] as string)['groups']).toEqual(['g1', 'g2']);
    entra.setGroups(
      tid,
      app.clientId,
      Array.from({ length: 201 }, (_, i) => `g${i}`),
    );
    const claims = decodeJwt((await token()).body['access_token'] as string);
    expect(claims['groups']).toBeUndefined();
    expect(claims['_claim_names']).toEqual({ groups: 'src1' });
  });

  it('matches a flexible credential', async () => {
    const other = entra.addApp(tid, {
      federatedCredentials: [
        {
          issuer: gh.issuer,
          claimsMatchingExpression: {
            value: "claims['sub'] matches 'repo:octo-org/octo-repo:ref:refs/heads/*'",
            languageVersion: 1,
          },
          audiences: [AUD],
        },
      ],
    });
    expect((await token({ client_id: other.clientId })).status).toBe(200);
  });
});

describe('Entra emulator: discovery, JWKS, v1 issuer for kube-apiserver', () => {
  it('serves v2 and v1 discovery; v1 names sts.windows.net but points keys here', async () => {
    const v2 = (await (await fetch(entra.discoveryUrlFor(tid, 2))).json()) as Record<string, unknown>;
    expect(v2).toMatchObject({
      issuer: `${entra.authorityHost}/${tid}/v2.0`,
      token_endpoint: `${entra.authorityHost}/${tid}/oauth2/v2.0/token`,
      jwks_uri: `${entra.authorityHost}/${tid}/discovery/v2.0/keys`,
      id_token_signing_alg_values_supported: ['RS256'],
    });
    const v1 = (await (await fetch(entra.discoveryUrlFor(tid, 1))).json()) as Record<string, unknown>;
    expect(v1['issuer']).toBe(`https://sts.windows.net/${tid}/`);
    expect(v1['issuer']).toBe(entra.issuerFor(tid, 1));
    const jwks = (await (await fetch(v1['jwks_uri'] as string)).json()) as Parameters<typeof createLocalJWKSet>[0];
    const at = (await token()).body['access_token'] as string;
    const { payload } = await jwtVerify(at, createLocalJWKSet(jwks), {
      issuer: entra.issuerFor(tid, 1),
      audience: AKS_SERVER_APP_ID,
    });
    expect(payload.tid).toBe(tid);
  });

  it('answers 90002 with 400 on discovery of an unknown tenant', async () => {
    const res = await fetch(entra.discoveryUrlFor('nope', 2));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error_codes: number[] }).error_codes).toEqual([90002]);
  });

  it('mints access tokens directly (wrong audience, expired)', async () => {
    const wrong = decodeJwt(
      await entra.mintAccessToken({ tenantId: tid, clientId: app.clientId, audience: 'api://other' }),
    );
    expect(wrong.aud).toBe('api://other');
    const expired = decodeJwt(
      await entra.mintAccessToken({ tenantId: tid, clientId: app.clientId, lifetimeS: 60, clockOffsetS: -3600 }),
    );
    expect(expired.exp! * 1000).toBeLessThan(Date.now());
    expect(expired.oid).toBe(app.servicePrincipalId);
  });

  it('reports its clock in the Date header', async () => {
    entra.setClockOffsetMs(-600_000);
    const res = await fetch(entra.discoveryUrlFor(tid, 2));
    const skew = Date.parse(res.headers.get('date') ?? '') - Date.now();
    expect(skew).toBeGreaterThan(-602_000);
    expect(skew).toBeLessThan(-598_000);
  });
});

describe('Entra emulator: AADSTS errors (shape, status, text)', () => {
  type Case = [
    code: number,
    error: string,
    status: number,
    arrange: () => Promise<Record<string, string | undefined>> | Record<string, string | undefined>,
    text: RegExp,
  ];
  const cases: Case[] = [
    [
      700016,
      'unauthorized_client',
      400,
      () => ({ client_id: '00000000-0000-0000-0000-000000000001' }),
      /Application with identifier '00000000-0000-0000-0000-000000000001' was not found in the directory/,
    ],
    [
      7000215,
      'invalid_client',
      401,
      () => ({ client_assertion: undefined, client_assertion_type: undefined, client_secret: 'guess' }),
      /Invalid client secret provided/,
    ],
    [50013, 'invalid_client', 401, () => ({ client_assertion: 'not-a-jwt' }), /Assertion failed signature validation/],
    [
      700024,
      'invalid_client',
      401,
      async () => ({ client_assertion: await gh.mint(undefined, { clockOffsetS: -3600 }) }),
      /Client assertion is not within its valid time range\. Current time: \d{4}-\d\d-\d\dT[\d:.]+Z, assertion valid from .*Z, expiry time of assertion .*Z\./,
    ],
    [
      700211,
      'invalid_client',
      401,
      () => {
        app.federatedCredentials[0]!.issuer = 'https://token.actions.githubusercontent.com';
        return {};
      },
      /presented assertion issuer 'https:\/\/127\.0\.0\.1:\d+'/,
    ],
    [
      700212,
      'invalid_client',
      401,
      async () => ({ client_assertion: await gh.mint('api://wrong') }),
      /presented assertion audience 'api:\/\/wrong'/,
    ],
    [
      700213,
      'invalid_client',
      401,
      () => {
        gh.context = { ...gh.context, ref: 'refs/heads/dev' };
        return {};
      },
      /presented assertion subject 'repo:octo-org\/octo-repo:ref:refs\/heads\/dev'/,
    ],
    [
      7002138,
      'invalid_client',
      401,
      () => {
        gh.context = { ...gh.context, repo: 'Octo-Repo' };
        return {};
      },
      /case-insensitive/,
    ],
    [
      700027,
      'invalid_client',
      401,
      async () => ({ client_assertion: await gh.mint(undefined, { unpublishedKey: true }) }),
      /Client assertion failed signature validation/,
    ],
    [
      70025,
      'invalid_client',
      401,
      () => ({ client_id: entra.addApp(tid).clientId }),
      /has no configured federated identity credentials/,
    ],
    [
      70021,
      'invalid_request',
      400,
      () => {
        entra.ficMismatchStyle = 'generic';
        gh.context = { ...gh.context, ref: 'refs/heads/dev' };
        return {};
      },
      /No matching federated identity record found for presented assertion\. Assertion Issuer: '.*'\. Assertion Subject: 'repo:octo-org\/octo-repo:ref:refs\/heads\/dev'\. Assertion Audience: 'api:\/\/AzureADTokenExchange'\./,
    ],
    [
      500011,
      'invalid_resource',
      400,
      () => ({ scope: 'api://nothing/.default' }),
      /resource principal named api:\/\/nothing was not found/,
    ],
  ];

  it.each(cases)('AADSTS%d -> %s %d', async (code, error, status, arrange, text) => {
    const res = await token(await arrange());
    expect(res.status).toBe(status);
    expect(res.body).toEqual({
      error,
      error_description: expect.stringMatching(
        new RegExp(
          `^AADSTS${code}: [\\s\\S]*\\r\\nTrace ID: [0-9a-f-]{36}\\r\\nCorrelation ID: 11111111-2222-3333-4444-555555555555\\r\\nTimestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`,
        ),
      ),
      error_codes: [code],
      timestamp: expect.stringMatching(/Z$/),
      trace_id: expect.any(String),
      correlation_id: '11111111-2222-3333-4444-555555555555',
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    });
    expect(res.body['error_description']).toMatch(text);
  });

  it('AADSTS90002 for an unknown tenant on the token endpoint', async () => {
    const res = await token({}, 'no-such-tenant');
    expect(res.status).toBe(400);
    expect(res.body['error']).toBe('invalid_tenant');
    expect(res.body['error_description']).toMatch(/^AADSTS90002: Tenant 'no-such-tenant' not found/);
  });

  it('70021 while a new credential propagates, then success', async () => {
    const fresh = entra.addApp(tid);
    entra.addFederatedCredential(
      tid,
      fresh.clientId,
      { issuer: gh.issuer, subject: gh.subject(), audiences: [AUD] },
      { propagationDelayMs: 120_000 },
    );
    expect((await token({ client_id: fresh.clientId })).body['error_codes']).toEqual([70021]);
    entra.setClockOffsetMs(121_000);
    gh.clockOffsetS = 121;
    expect((await token({ client_id: fresh.clientId })).status).toBe(200);
  });

  it('checks time with its own offsettable clock', async () => {
    entra.setClockOffsetMs(3_600_000);
    expect((await token()).body['error_codes']).toEqual([700024]);
  });

  it('rejects an Entra-issued token as the assertion', async () => {
    const at = await entra.mintAccessToken({ tenantId: tid, clientId: app.clientId });
    expect((await token({ client_assertion: at })).body['error_codes']).toEqual([50013]);
  });

  it('enforces the 20-credential limit and unique issuer+subject', () => {
    expect(() =>
      entra.addFederatedCredential(tid, app.clientId, { issuer: gh.issuer, subject: gh.subject(), audiences: [AUD] }),
    ).toThrow(/already exists/);
    for (let i = 1; i < 20; i++)
      entra.addFederatedCredential(tid, app.clientId, { issuer: gh.issuer, subject: `s${i}`, audiences: [AUD] });
    expect(() =>
      entra.addFederatedCredential(tid, app.clientId, { issuer: gh.issuer, subject: 's20', audiences: [AUD] }),
    ).toThrow(/at most 20/);
  });
});

describe('Entra emulator: faults', () => {
  it('503 n times, 429 with Retry-After, reset', async () => {
    entra.failNext(1);
    entra.throttleNext(1, 3);
    expect((await token()).status).toBe(503);
    const throttled = await token();
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('3');
    entra.resetNext(1);
    await expect(token()).rejects.toThrow();
    expect((await token()).status).toBe(200);
  });
});
