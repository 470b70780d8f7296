import { discoverAksCluster } from '../cluster/aks.js';
import { createCiTokenSource } from '../identity/ci/index.js';
import { createEntraTokenProvider } from '../identity/entra.js';
import { audiences, summarizeClaims } from '../identity/jwt.js';
import type { Settings } from '../settings/types.js';
import type { MainDeps } from './main.js';

/**
 * `aks-cluster`: the same federated identity signs in for Azure Resource Manager (scope `<arm-endpoint>/.default`),
 * and ARM's listClusterUserCredential names the API server and its CA. Returns Settings whose cluster.server and
 * caData are filled, so every later stage (kubeconfig, preflight, explainers, post) runs as with `server` + CA.
 * Without `aks-cluster` the settings come back unchanged.
 */
export async function resolveAksCluster(settings: Settings, deps: MainDeps): Promise<Settings> {
  const aks = settings.cluster.aks;
  if (aks === undefined) return settings;
  const { reporter, clock } = deps;
  return reporter.group(`Discover AKS cluster ${aks.name} through Azure Resource Manager`, async () => {
    const ci = createCiTokenSource(settings.identity.ciSource);
    // onToken masks the CI token and the ARM token the moment they exist, as for the cluster token.
    const arm = createEntraTokenProvider({ ...settings.identity, scope: `${aks.armEndpoint}/.default` }, ci, {
      clock,
      onToken: (secret) => reporter.secret(secret),
    });
    const token = await arm.getToken(deps.cancel);
    const claims = summarizeClaims(token.token);
    reporter.info(
      `ARM token: object id ${claims.oid ?? '?'}, audience ${audiences(claims).join(',') || '?'}, expires ${new Date(token.expiresOnMs).toISOString()}`,
    );
    const found = await discoverAksCluster({
      armEndpoint: aks.armEndpoint,
      cluster: aks,
      token: token.token,
      clientId: settings.identity.clientId,
      signal: deps.cancel,
    });
    reporter.info(`AKS cluster ${aks.id}: API server ${found.server} (CA from ARM)`);
    return Object.freeze({
      ...settings,
      cluster: Object.freeze({ ...settings.cluster, server: found.server, caData: found.caData }),
    });
  });
}
