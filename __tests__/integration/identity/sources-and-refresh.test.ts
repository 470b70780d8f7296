/**
 * CI sources end to end (GitHub faults, Azure DevOps, GitLab, token file) and refresh across several short Entra
 * token lifetimes with an injected clock shared by the product and the emulators: no real waiting.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { ArgoEntraError } from '../../../src/errors.js';
import { createCiTokenSource } from '../../../src/identity/ci/index.js';
import { createEntraTokenProvider } from '../../../src/identity/entra.js';
import type { IdentitySettings } from '../../../src/settings/types.js';
import { AzureDevOpsOidcEmulator } from '../../harness/emulators/azure-devops.js';
import { OidcIssuerEmulator } from '../../harness/emulators/oidc-issuer.js';
import { startIdentityWorld, TOKEN_EXCHANGE_AUDIENCE, type IdentityWorld } from '../../harness/emulators/world.js';

class FakeClock {
  offsetMs = 0;
  now = (): number => Date.now() + this.offsetMs;
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

const fastRetry = (sleeps: number[]) => ({ sleep: async (ms: number) => void sleeps.push(ms), random: () => 0.5 });

describe('refresh across 60 s Entra tokens (injected clock)', () => {
  let w: IdentityWorld;
  const clock = new FakeClock();
  beforeAll(async () => {
    w = await startIdentityWorld({ clock, accessTokenLifetimeS: 60 });
  });
  afterAll(() => w.stop());

  it('refreshes at half-life with a fresh CI token each time, serving the cache in between', async () => {
    const secrets: string[] = [];
    const provider = createEntraTokenProvider(w.identity, createCiTokenSource(w.identity.ciSource), {
      clock,
      onToken: (s) => secrets.push(s),
    });
    const seen: string[] = [];
    // 5 lifetimes in 12 s steps: a 60 s token with the 5 min default margin refreshes once it is ~30 s old (MSAL
    // rounds expiry to the second, so steps stay clear of that boundary): fetched at t = 0, 36, 72, ... 288.
    for (let t = 0; t <= 300; t += 12) {
      const token = await provider.getToken();
      seen.push(token.token);
      const exp = decodeJwt(token.token).exp! * 1000;
      expect(exp - clock.now()).toBeGreaterThan(29_000); // never hands out a token with less than half its life
      clock.advance(12_000);
    }
    const distinct = [...new Set(seen)];
    expect(distinct.length).toBe(9);
    expect(w.entra.tokenRequests).toHaveLength(9);
    const assertions = w.entra.tokenRequests.map((r) => new URLSearchParams(r.body).get('client_assertion'));
    expect(new Set(assertions).size).toBe(9);
    expect(w.github.tokenRequests).toHaveLength(9);
    for (const t of [...distinct, ...assertions]) expect(secrets).toContain(t);
  });
});

describe('CI sources through the real exchange', () => {
  let w: IdentityWorld;
  beforeEach(async () => {
    w = await startIdentityWorld();
  });
  afterEach(() => w.stop());

  it('GitHub 5xx, reset and 429 Retry-After are retried with backoff, then the exchange succeeds', async () => {
    const sleeps: number[] = [];
    w.github.failNext(2, 503);
    w.github.resetNext(1);
    w.github.throttleNext(1, 2);
    const provider = createEntraTokenProvider(w.identity, createCiTokenSource(w.identity.ciSource, fastRetry(sleeps)));
    await provider.getToken();
    expect(w.github.tokenRequests.map((r) => r.outcome)).toEqual([503, 503, 'reset', 429, 200]);
    expect(sleeps).toEqual([250, 500, 1000, 2000]);
  });

  it('GitHub wrong request token -> ERR_CI_TOKEN_REQUEST 401, not retried, token never printed', async () => {
    const identity: IdentitySettings = {
      ...w.identity,
      ciSource: { kind: 'github', requestUrl: w.github.requestUrl, requestToken: 'ghs_wrong_secret' },
    };
    const err = (await createEntraTokenProvider(identity, createCiTokenSource(identity.ciSource))
      .getToken()
      .catch((e: unknown) => e)) as ArgoEntraError;
    expect(err.code).toBe('ERR_CI_TOKEN_REQUEST');
    expect(err.details['status']).toBe('401');
    expect(w.github.tokenRequests).toHaveLength(1);
    expect(`${err.message}${err.hint}${JSON.stringify(err.details)}`).not.toContain('ghs_wrong_secret');
  });

  it('Azure DevOps service connection', async () => {
    const ado = await new AzureDevOpsOidcEmulator({ pki: w.pki }).start();
    try {
      const sc = ado.serviceConnections[0]!;
      const app = w.entra.addApp(w.tenantId, {
        federatedCredentials: [
          { issuer: ado.issuer, subject: ado.subjectFor(sc), audiences: [TOKEN_EXCHANGE_AUDIENCE] },
        ],
      });
      const identity: IdentitySettings = {
        ...w.identity,
        clientId: app.clientId,
        ciSource: {
          kind: 'azure-devops',
          oidcRequestUri: ado.oidcRequestUri,
          accessToken: ado.accessToken,
          serviceConnectionId: sc.id,
        },
      };
      const token = await createEntraTokenProvider(identity, createCiTokenSource(identity.ciSource)).getToken();
      expect(decodeJwt(token.token).appid).toBe(app.clientId);
      expect(ado.tokenRequests[0]?.query).toEqual({ 'api-version': '7.1', serviceConnectionId: sc.id });
    } finally {
      await ado.stop();
    }
  });

  it('GitLab id_tokens variable; an expired one gives 700024 with its times', async () => {
    const gitlab = await new OidcIssuerEmulator({ pki: w.pki }).start();
    try {
      const sub = 'project_path:platform/deploy:ref_type:branch:ref:main';
      const app = w.entra.addApp(w.tenantId, {
        federatedCredentials: [{ issuer: gitlab.issuer, subject: sub, audiences: [TOKEN_EXCHANGE_AUDIENCE] }],
      });
      const make = async (clockOffsetS = 0): Promise<IdentitySettings> => ({
        ...w.identity,
        clientId: app.clientId,
        ciSource: {
          kind: 'gitlab',
          variableName: 'ENTRA_ID_TOKEN',
          token: await gitlab.mint({ sub, aud: TOKEN_EXCHANGE_AUDIENCE }, { clockOffsetS }),
        },
      });
      const ok = await make();
      await createEntraTokenProvider(ok, createCiTokenSource(ok.ciSource)).getToken();
      const stale = await make(-7200);
      const err = (await createEntraTokenProvider(stale, createCiTokenSource(stale.ciSource))
        .getToken()
        .catch((e: unknown) => e)) as ArgoEntraError;
      expect(err.code).toBe('ERR_ENTRA_ASSERTION_TIME');
      const exp = decodeJwt((stale.ciSource as { token: string }).token).exp!;
      expect(err.hint).toContain(new Date(exp * 1000).toISOString());
    } finally {
      await gitlab.stop();
    }
  });

  it('workload-identity token file is re-read on every exchange', async () => {
    const clock = new FakeClock();
    const aks = await new OidcIssuerEmulator({ pki: w.pki }).start();
    const dir = mkdtempSync(path.join(tmpdir(), 'argo-entra-wi-'));
    try {
      const file = path.join(dir, 'azure-identity-token');
      const app = w.entra.addApp(w.tenantId, {
        federatedCredentials: [
          { issuer: aks.issuer, subject: 'system:serviceaccount:ci:runner', audiences: [TOKEN_EXCHANGE_AUDIENCE] },
        ],
      });
      const identity: IdentitySettings = {
        ...w.identity,
        clientId: app.clientId,
        ciSource: { kind: 'token-file', path: file },
      };
      w.entra.accessTokenLifetimeS = 60;
      const provider = createEntraTokenProvider(identity, createCiTokenSource(identity.ciSource), { clock });
      const first = await aks.mintServiceAccountToken('ci', 'runner');
      writeFileSync(file, first);
      await provider.getToken();
      const second = await aks.mintServiceAccountToken('ci', 'runner');
      writeFileSync(file, `${second}\n`);
      clock.advance(40_000);
      await provider.getToken();
      const presented = w.entra.tokenRequests.map((r) => new URLSearchParams(r.body).get('client_assertion'));
      expect(presented).toEqual([first, second]);
      rmSync(file);
      clock.advance(40_000);
      const err = (await provider.getToken().catch((e: unknown) => e)) as ArgoEntraError;
      expect(err.code).toBe('ERR_CI_TOKEN_FILE');
      expect(err.message).toContain(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await aks.stop();
    }
  });
});

describe('refresh of a 1 h token when our clock runs ahead of MSAL cache', () => {
  it('gets a genuinely new token instead of MSAL cached one', async () => {
    const clock = new FakeClock();
    const w = await startIdentityWorld({ clock });
    try {
      const provider = createEntraTokenProvider(w.identity, createCiTokenSource(w.identity.ciSource), { clock });
      const first = await provider.getToken();
      clock.advance(3_400_000); // 200 s left: inside the 5 min margin for us, still fresh for MSAL's real clock
      const second = await provider.getToken();
      expect(second.token).not.toBe(first.token);
      expect(second.expiresOnMs - clock.now()).toBeGreaterThan(3_500_000);
      expect(w.entra.tokenRequests).toHaveLength(2);
    } finally {
      await w.stop();
    }
  });
});
