import { decodeJwt } from 'jose';
import { getTestPki, trustTestCa } from '../pki.js';
import { AzureDevOpsOidcEmulator } from './azure-devops.js';
import { OidcIssuerEmulator } from './oidc-issuer.js';

const pki = getTestPki();
trustTestCa(pki.caPem);

let ado: AzureDevOpsOidcEmulator;
beforeEach(async () => {
  ado = await new AzureDevOpsOidcEmulator({ pki }).start();
});
afterEach(() => ado.stop());

function post(
  query = `api-version=7.1&serviceConnectionId=${ado.defaultServiceConnectionId}`,
  headers: Record<string, string> = { Authorization: `Bearer ${ado.accessToken}`, 'Content-Type': 'application/json' },
): Promise<Response> {
  return fetch(`${ado.oidcRequestUri}?${query}`, { method: 'POST', headers, body: '{}' });
}

describe('Azure DevOps OIDC emulator wire facts', () => {
  it('POST ...?api-version=7.1&serviceConnectionId= -> {"oidcToken": jwt} with vstoken-style issuer', async () => {
    const res = await post();
    expect(res.status).toBe(200);
    const body = (await res.json()) as { oidcToken: string };
    const claims = decodeJwt(body.oidcToken);
    expect(claims.iss).toBe(`${ado.server.url}/${ado.orgGuid}`);
    expect(claims.sub).toBe('sc://contoso/platform/aks-prod');
    expect(claims.aud).toBe('api://AzureADTokenExchange');
    const d = (await (await fetch(`${ado.issuer}/.well-known/openid-configuration`)).json()) as { issuer: string };
    expect(d.issuer).toBe(ado.issuer);
  });

  it.each([
    ['wrong bearer', undefined, { Authorization: 'Bearer nope', 'Content-Type': 'application/json' }, 401],
    ['not JSON', undefined, { Authorization: 'Bearer X', 'Content-Type': 'text/plain' }, 415],
    [
      'unknown service connection',
      'api-version=7.1&serviceConnectionId=00000000-0000-0000-0000-000000000000',
      undefined,
      400,
    ],
    ['no api-version', 'serviceConnectionId=X', undefined, 400],
  ] as const)('%s -> %d', async (_n, query, headers, status) => {
    const h =
      headers === undefined
        ? undefined
        : { ...headers, Authorization: headers.Authorization.replace('Bearer X', `Bearer ${ado.accessToken}`) };
    const q = query?.replace('serviceConnectionId=X', `serviceConnectionId=${ado.defaultServiceConnectionId}`);
    expect((await post(q, h)).status).toBe(status);
  });

  it('env() mirrors a pipeline job', () => {
    expect(ado.env()).toMatchObject({
      TF_BUILD: 'True',
      SYSTEM_OIDCREQUESTURI: ado.oidcRequestUri,
      SYSTEM_ACCESSTOKEN: ado.accessToken,
      SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: 'https://dev.azure.com/contoso/',
      BUILD_BUILDID: expect.any(String),
      BUILD_REPOSITORY_NAME: expect.any(String),
    });
  });
});

describe('generic OIDC issuer', () => {
  it('mints service-account tokens with the workload-identity shape', async () => {
    const issuer = await new OidcIssuerEmulator({ pki }).start();
    try {
      const claims = decodeJwt(await issuer.mintServiceAccountToken('ci', 'runner'));
      expect(claims).toMatchObject({
        iss: issuer.issuer,
        sub: 'system:serviceaccount:ci:runner',
        aud: ['api://AzureADTokenExchange'],
      });
      expect(claims.exp! - claims.iat!).toBe(3600);
      const jwks = (await (await fetch(`${issuer.issuer}/.well-known/jwks`)).json()) as { keys: unknown[] };
      expect(jwks.keys).toHaveLength(1);
    } finally {
      await issuer.stop();
    }
  });
});
