import { ArgoEntraError } from '../../../src/errors.js';
import { createEntraTokenProvider, effectiveMarginMs, needsInstanceDiscovery } from '../../../src/identity/entra.js';
import type { CiTokenSource } from '../../../src/identity/types.js';
import type { IdentitySettings } from '../../../src/settings/types.js';

const identity: IdentitySettings = {
  clientId: 'c',
  tenantId: 't',
  authorityHost: 'https://login.microsoftonline.com',
  audience: 'api://AzureADTokenExchange',
  scope: '6dae42f8-4368-4678-94ff-3960e28e3630/.default',
  ciSource: { kind: 'explicit', token: 'x' },
};
const CI = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2kiLCJzdWIiOiJzIiwiYXVkIjoiYSJ9.c2ln';

/**
 * Stand-in for @azure/identity's ClientAssertionCredential (a third-party boundary; the real one runs in the
 * integration tests): calls getAssertion like MSAL does and hands out tokens with a scripted lifetime.
 */
function fakeIdentity(behaviour: { lifetimeMs?: number; fail?: () => Error } = {}) {
  const created: Array<{ tenantId: string; clientId: string; options: Record<string, unknown> }> = [];
  let n = 0;
  class ClientAssertionCredential {
    constructor(
      tenantId: string,
      clientId: string,
      private readonly getAssertion: () => Promise<string>,
      readonly options: Record<string, unknown>,
    ) {
      created.push({ tenantId, clientId, options });
    }
    async getToken(): Promise<{ token: string; expiresOnTimestamp: number }> {
      await this.getAssertion();
      if (behaviour.fail !== undefined) throw behaviour.fail();
      n += 1;
      return { token: `access-${n}`, expiresOnTimestamp: Date.now() + (behaviour.lifetimeMs ?? 3_599_000) };
    }
  }
  return { created, load: async () => ({ ClientAssertionCredential }) as never };
}

function ciSource(): CiTokenSource & { calls: number } {
  const s = {
    kind: 'explicit' as const,
    calls: 0,
    async getToken() {
      s.calls += 1;
      return CI;
    },
  };
  return s;
}

describe('effectiveMarginMs', () => {
  it.each([
    [300_000, 3_599_000, 300_000],
    [300_000, 60_000, 30_000],
    [300_000, 0, 0],
    [10_000, 60_000, 10_000],
  ])('margin %d, lifetime %d -> %d', (margin, lifetime, expected) => {
    expect(effectiveMarginMs(margin, lifetime)).toBe(expected);
  });
});

describe('needsInstanceDiscovery', () => {
  it.each([
    ['https://login.microsoftonline.com', true],
    ['https://login.microsoftonline.us', true],
    ['https://login.chinacloudapi.cn', true],
    ['https://127.0.0.1:8443', false],
    ['https://login.example.com', false],
    ['not a url', false],
  ])('%s -> %s', (host, expected) => {
    expect(needsInstanceDiscovery(host)).toBe(expected);
  });
});

describe('createEntraTokenProvider (caching and refresh)', () => {
  it('loads @azure/identity lazily and only once, passing authority options', async () => {
    const fake = fakeIdentity();
    let loads = 0;
    const provider = createEntraTokenProvider({ ...identity, authorityHost: 'https://127.0.0.1:1' }, ciSource(), {
      loadIdentity: async () => {
        loads += 1;
        return fake.load();
      },
    });
    expect(loads).toBe(0);
    await provider.getToken();
    expect(loads).toBe(1);
    expect(fake.created[0]?.options).toEqual({ authorityHost: 'https://127.0.0.1:1', disableInstanceDiscovery: true });
  });

  it('serves from cache until the margin, then refreshes; 60 s tokens refresh at half-life', async () => {
    let now = Date.now();
    const clock = { now: () => now };
    const ci = ciSource();
    const secrets: string[] = [];
    const provider = createEntraTokenProvider(identity, ci, {
      clock,
      loadIdentity: fakeIdentity({ lifetimeMs: 60_000 }).load,
      onToken: (s) => secrets.push(s),
    });
    const a = await provider.getToken();
    now += 29_000;
    expect((await provider.getToken()).token).toBe(a.token);
    now += 2_000;
    const b = await provider.getToken();
    expect(b.token).not.toBe(a.token);
    expect(ci.calls).toBe(2);
    expect(secrets).toEqual([CI, 'access-1', CI, 'access-2']);
    expect(provider.lastAssertionClaims()?.sub).toBe('s');
  });

  it('shares one exchange between concurrent callers', async () => {
    const ci = ciSource();
    const provider = createEntraTokenProvider(identity, ci, { loadIdentity: fakeIdentity().load });
    const [a, b, c] = await Promise.all([provider.getToken(), provider.getToken(), provider.getToken()]);
    expect(new Set([a.token, b.token, c.token]).size).toBe(1);
    expect(ci.calls).toBe(1);
  });

  it('surfaces the CI source error itself, not the credential wrapper', async () => {
    const failing: CiTokenSource = {
      kind: 'github',
      getToken: async () => {
        throw new ArgoEntraError('ERR_CI_TOKEN_REQUEST', 'boom');
      },
    };
    const fake = fakeIdentity({ fail: () => new Error('AuthenticationRequiredError: boom') });
    await expect(
      createEntraTokenProvider(identity, failing, { loadIdentity: fake.load }).getToken(),
    ).rejects.toMatchObject({ code: 'ERR_CI_TOKEN_REQUEST' });
  });

  it.each([
    [
      "invalid_client: Error(s): 700213 - Description: AADSTS700213: No matching federated identity record found for presented assertion subject 's'.",
      'ERR_ENTRA_SUBJECT_MISMATCH',
    ],
    ['request to https://x failed, reason: connect ECONNREFUSED 127.0.0.1:1', 'ERR_ENTRA_UNREACHABLE'],
    ['self-signed certificate in certificate chain', 'ERR_ENTRA_UNREACHABLE'],
    ['injected_fault: Error(s): Not Available - Timestamp: Not Available', 'ERR_ENTRA_UNREACHABLE'],
    ['something else entirely', 'ERR_ENTRA_EXCHANGE'],
  ])('%s -> %s', async (message, code) => {
    const provider = createEntraTokenProvider(identity, ciSource(), {
      loadIdentity: fakeIdentity({ fail: () => new Error(message) }).load,
    });
    await expect(provider.getToken()).rejects.toMatchObject({ code });
  });

  it('maps endpoints_resolution_error through a probe of the discovery document', async () => {
    const provider = createEntraTokenProvider(identity, ciSource(), {
      loadIdentity: fakeIdentity({
        fail: () => new Error('endpoints_resolution_error: See https://aka.ms/msal.js.errors'),
      }).load,
      fetchImpl: (async () =>
        new Response(
          JSON.stringify({ error: 'invalid_tenant', error_description: "AADSTS90002: Tenant 't' not found." }),
          { status: 400 },
        )) as typeof fetch,
    });
    await expect(provider.getToken()).rejects.toMatchObject({ code: 'ERR_ENTRA_TENANT_NOT_FOUND' });
  });

  it('rejects at once when already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(
      createEntraTokenProvider(identity, ciSource(), { loadIdentity: fakeIdentity().load }).getToken(controller.signal),
    ).rejects.toThrow('stop');
  });
});
