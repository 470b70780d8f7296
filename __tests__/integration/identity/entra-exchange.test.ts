/**
 * The real @azure/identity, through createEntraTokenProvider, against the Entra and GitHub emulators over HTTPS.
 */
import { createServer } from 'node:net';
import { decodeJwt } from 'jose';
import { ArgoEntraError } from '../../../src/errors.js';
import { createCiTokenSource } from '../../../src/identity/ci/index.js';
import { createEntraTokenProvider } from '../../../src/identity/entra.js';
import type { IdentitySettings } from '../../../src/settings/types.js';
import { startIdentityWorld, type IdentityWorld } from '../../harness/emulators/world.js';

/** A port that was free a moment ago: connecting to it is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let w: IdentityWorld;
let secrets: string[];

beforeEach(async () => {
  w = await startIdentityWorld();
  secrets = [];
});
afterEach(() => w.stop());

function provider(identity: IdentitySettings = w.identity) {
  return createEntraTokenProvider(identity, createCiTokenSource(identity.ciSource), {
    onToken: (s) => secrets.push(s),
  });
}

async function failure(identity: IdentitySettings = w.identity): Promise<ArgoEntraError> {
  try {
    await provider(identity).getToken();
  } catch (e) {
    expect(e).toBeInstanceOf(ArgoEntraError);
    return e as ArgoEntraError;
  }
  throw new Error('expected the exchange to fail');
}

/** Every token any emulator produced must stay out of what we print. */
function expectNoTokens(err: ArgoEntraError): void {
  const printed = `${err.message}\n${err.hint ?? ''}\n${JSON.stringify(err.details)}\n${String(err.stack)}`;
  for (const t of [...w.github.issuerCore.minted, ...w.entra.issued, w.github.requestToken])
    expect(printed).not.toContain(t);
}

describe('exchange succeeds', () => {
  it('returns a v1 AKS token, masks every secret, and presents a fresh GitHub token', async () => {
    const token = await provider().getToken();
    const claims = decodeJwt(token.token);
    expect(claims).toMatchObject({
      iss: `https://sts.windows.net/${w.tenantId}/`,
      aud: '6dae42f8-4368-4678-94ff-3960e28e3630',
      appid: w.app.clientId,
      ver: '1.0',
      oid: w.app.servicePrincipalId,
    });
    expect(token.expiresOnMs - Date.now()).toBeGreaterThan(3_500_000);
    expect(secrets).toEqual([w.github.issuerCore.minted[0], token.token]);
    const [tokenRequest] = w.entra.tokenRequests;
    const form = new URLSearchParams(tokenRequest?.body);
    expect(form.get('client_assertion')).toBe(w.github.issuerCore.minted[0]);
    expect(form.get('scope')).toBe('6dae42f8-4368-4678-94ff-3960e28e3630/.default');
    expect(w.github.tokenRequests[0]?.query['audience']).toBe('api://AzureADTokenExchange');
  });

  it('returns a v2 token for a v2 resource', async () => {
    const api = w.entra.addResource(w.tenantId, { requestedAccessTokenVersion: 2, identifierUris: ['api://argo'] });
    const token = await provider({ ...w.identity, scope: 'api://argo/.default' }).getToken();
    expect(decodeJwt(token.token)).toMatchObject({
      iss: `${w.entra.authorityHost}/${w.tenantId}/v2.0`,
      aud: api.appId,
      azp: w.app.clientId,
      ver: '2.0',
    });
  });

  it('rides out Entra 503 x2 via @azure/identity own retries (no second loop)', async () => {
    w.entra.failNext(2);
    await provider().getToken();
    expect(w.entra.tokenRequests.map((r) => r.outcome)).toEqual([503, 503, 200]);
    // MSAL calls getAssertion once per attempt it builds; we do not add attempts of our own
    expect(w.github.tokenRequests.length).toBeLessThanOrEqual(3);
  }, 20_000);

  it('reports ERR_ENTRA_UNREACHABLE when Entra keeps failing', async () => {
    w.entra.failNext(10);
    const err = await failure();
    expect(err.code).toBe('ERR_ENTRA_UNREACHABLE');
    expectNoTokens(err);
  }, 30_000);
});

describe('every AADSTS case maps to its code with the specific values in the hint', () => {
  type Case = [name: string, arrange: () => IdentitySettings | void, code: string, hintParts: () => string[]];
  const cases: Case[] = [
    [
      '700213 subject',
      () => {
        w.github.context = { ...w.github.context, ref: 'refs/heads/dev' };
      },
      'ERR_ENTRA_SUBJECT_MISMATCH',
      () => ['repo:octo-org/octo-repo:ref:refs/heads/dev', `--id ${w.app.clientId}`, `"issuer":"${w.github.issuer}"`],
    ],
    [
      '7002138 subject case',
      () => {
        w.github.context = { ...w.github.context, owner: 'Octo-Org' };
      },
      'ERR_ENTRA_SUBJECT_CASE',
      () => ['repo:Octo-Org/octo-repo:ref:refs/heads/main'],
    ],
    [
      '700213 environment wins',
      () => {
        w.github.context = { ...w.github.context, environment: 'prod' };
      },
      'ERR_ENTRA_SUBJECT_MISMATCH',
      () => ['repo:octo-org/octo-repo:environment:prod', "environment 'prod'"],
    ],
    [
      '700213 immutable form',
      () => {
        w.github.subjectForm = { kind: 'immutable' };
      },
      'ERR_ENTRA_SUBJECT_MISMATCH',
      () => ['repo:octo-org@4242/octo-repo@987654:ref:refs/heads/main', 'immutable'],
    ],
    [
      '700211 issuer',
      () => {
        w.app.federatedCredentials[0]!.issuer = `${w.github.issuer}/`;
      },
      'ERR_ENTRA_ISSUER_MISMATCH',
      () => [`issuer '${w.github.issuer}'`],
    ],
    [
      '700212 audience',
      () => ({ ...w.identity, audience: 'api://wrong' }),
      'ERR_ENTRA_AUDIENCE_MISMATCH',
      () => ["audience 'api://wrong'", '"audiences":["api://wrong"]'],
    ],
    [
      '70021 propagation',
      () => {
        const fresh = w.entra.addApp(w.tenantId);
        w.entra.addFederatedCredential(
          w.tenantId,
          fresh.clientId,
          { issuer: w.github.issuer, subject: w.github.subject(), audiences: ['api://AzureADTokenExchange'] },
          { propagationDelayMs: 300_000 },
        );
        return { ...w.identity, clientId: fresh.clientId };
      },
      'ERR_ENTRA_NO_MATCHING_FIC',
      () => ['propagated', w.github.subject()],
    ],
    [
      '70025 no credentials',
      () => ({ ...w.identity, clientId: w.entra.addApp(w.tenantId).clientId }),
      'ERR_ENTRA_NO_FIC',
      () => ['az ad app federated-credential create'],
    ],
    [
      '700024 expired assertion',
      () => {
        w.github.clockOffsetS = -3600;
      },
      'ERR_ENTRA_ASSERTION_TIME',
      () => ["Entra's current time", 'from Entra'],
    ],
    [
      '700016 unknown app',
      () => ({ ...w.identity, clientId: '00000000-0000-0000-0000-00000000dead' }),
      'ERR_ENTRA_APP_NOT_FOUND',
      () => ['00000000-0000-0000-0000-00000000dead'],
    ],
    [
      '90002 unknown tenant',
      () => ({ ...w.identity, tenantId: '00000000-0000-0000-0000-00000000beef' }),
      'ERR_ENTRA_TENANT_NOT_FOUND',
      () => ['tenant-id'],
    ],
    [
      '700027 bad signature',
      () => {
        w.github.mintOptions = { unpublishedKey: true };
      },
      'ERR_ENTRA_SIGNATURE',
      () => [w.github.issuer],
    ],
    ['50013 Entra token as assertion', () => undefined, 'ERR_ENTRA_INVALID_ASSERTION', () => ['openid-configuration']],
  ];

  it.each(cases)('%s', async (name, arrange, code, hintParts) => {
    let identity = arrange() ?? w.identity;
    if (name.startsWith('50013')) {
      identity = {
        ...identity,
        ciSource: {
          kind: 'explicit',
          token: await w.entra.mintAccessToken({ tenantId: w.tenantId, clientId: w.app.clientId }),
        },
      };
    }
    const err = await failure(identity);
    expect(err.code).toBe(code);
    for (const part of hintParts()) expect(`${err.message} ${err.hint}`).toContain(part);
    expect(err.exitCode).toBe(3);
    expectNoTokens(err);
  });

  it('700024 shows the skew when the runner clock is wrong', async () => {
    w.entra.setClockOffsetMs(3_600_000);
    const err = await failure();
    expect(err.code).toBe('ERR_ENTRA_ASSERTION_TIME');
    expect(err.hint).toMatch(/\(-3\d{3} s from Entra\)/);
  });

  it('ERR_ENTRA_UNREACHABLE when nothing listens at the authority host', async () => {
    const err = await failure({ ...w.identity, authorityHost: `https://127.0.0.1:${await closedPort()}` });
    expect(err.code).toBe('ERR_ENTRA_UNREACHABLE');
    expect(err.details['errno']).toBe('ECONNREFUSED');
  }, 30_000);
});
