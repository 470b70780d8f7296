/**
 * One call to a working federation: Entra emulator + GitHub OIDC emulator, a tenant, an app whose federated
 * credential matches the GitHub run exactly, and the IdentitySettings the product would build for it.
 * The test CA is trusted in-process; child processes need NODE_EXTRA_CA_CERTS=world.pki.caPath.
 */
import type { IdentitySettings } from '../../../src/settings/types.js';
import type { Clock } from '../../../src/util/time.js';
import { getTestPki, type TestPki, trustTestCa } from '../pki.js';
import { AKS_SERVER_APP_ID, type AppRegistration, EntraEmulator } from './entra.js';
import { GitHubOidcEmulator } from './github.js';

export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

export interface IdentityWorld {
  pki: TestPki;
  entra: EntraEmulator;
  github: GitHubOidcEmulator;
  tenantId: string;
  app: AppRegistration;
  identity: IdentitySettings;
  stop(): Promise<void>;
}

export async function startIdentityWorld(
  options: { clock?: Clock; accessTokenLifetimeS?: number } = {},
): Promise<IdentityWorld> {
  const pki = getTestPki();
  trustTestCa(pki.caPem);
  const serverOptions = { pki, ...(options.clock === undefined ? {} : { clock: options.clock }) };
  const entra = await new EntraEmulator({
    ...serverOptions,
    ...(options.accessTokenLifetimeS === undefined ? {} : { accessTokenLifetimeS: options.accessTokenLifetimeS }),
  }).start();
  const github = await new GitHubOidcEmulator(serverOptions).start();
  const tenantId = entra.addTenant();
  const app = entra.addApp(tenantId, {
    federatedCredentials: [{ issuer: github.issuer, subject: github.subject(), audiences: [TOKEN_EXCHANGE_AUDIENCE] }],
  });
  const identity: IdentitySettings = {
    clientId: app.clientId,
    tenantId,
    authorityHost: entra.authorityHost,
    audience: TOKEN_EXCHANGE_AUDIENCE,
    scope: `${AKS_SERVER_APP_ID}/.default`,
    ciSource: { kind: 'github', requestUrl: github.requestUrl, requestToken: github.requestToken },
  };
  return {
    pki,
    entra,
    github,
    tenantId,
    app,
    identity,
    async stop() {
      await Promise.all([entra.stop(), github.stop()]);
    },
  };
}
