import { AKS_SERVER_APP_ID, type EntraEmulator } from '../emulators/entra.js';
import type { ClusterOptions } from './cluster.js';

/**
 * Cluster options for an API server that trusts the Entra emulator the way AKS trusts Entra: the v1 issuer
 * `https://sts.windows.net/{tid}/` (served from the emulator's discovery URL), audience the AKS server app, username
 * the token's `oid` (the launcher's default). Readiness waits until a token for `readinessClientId` is accepted.
 */
export function entraTrust(o: {
  readonly entra: EntraEmulator;
  readonly tenantId: string;
  readonly caPem: string;
  readonly readinessClientId: string;
  readonly audiences?: readonly string[];
}): Pick<ClusterOptions, 'jwt' | 'readinessToken'> {
  return {
    jwt: [
      {
        issuerUrl: o.entra.issuerFor(o.tenantId, 1),
        discoveryUrl: o.entra.discoveryUrlFor(o.tenantId, 1),
        caPem: o.caPem,
        audiences: [...(o.audiences ?? [AKS_SERVER_APP_ID])],
      },
    ],
    readinessToken: () => o.entra.mintAccessToken({ tenantId: o.tenantId, clientId: o.readinessClientId }),
  };
}
