/**
 * ARM emulator self-test, through the product's own code: the real @azure/identity gets an ARM token from the Entra
 * emulator (scope `<arm emulator>/.default`), and discoverAksCluster calls listClusterUserCredential over HTTPS.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { discoverAksCluster, parseAksResourceId } from '../../../src/cluster/aks.js';
import { ArgoEntraError } from '../../../src/errors.js';
import { createCiTokenSource } from '../../../src/identity/ci/index.js';
import { createEntraTokenProvider } from '../../../src/identity/entra.js';
import { decodeJwt } from 'jose';
import { ArmEmulator } from './arm.js';
import { startIdentityWorld, type IdentityWorld } from './world.js';

const SUB = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
let world: IdentityWorld;
let arm: ArmEmulator;
let clusterId: string;
let armToken: string;

beforeAll(async () => {
  world = await startIdentityWorld();
  arm = await new ArmEmulator(world.entra).start();
  arm.registerAsArmResource(world.tenantId);
  clusterId = arm.addCluster(SUB, 'rg-ci', 'aks-ci', { server: 'https://aks-ci.example:443', caData: CA });
  const tokens = createEntraTokenProvider(
    { ...world.identity, scope: `${arm.url}/.default` },
    createCiTokenSource(world.identity.ciSource),
  );
  armToken = (await tokens.getToken()).token;
});
afterAll(async () => {
  await arm?.stop();
  await world?.stop();
});

async function discover(id: string, token = armToken): Promise<unknown> {
  try {
    return await discoverAksCluster({
      armEndpoint: arm.url,
      cluster: parseAksResourceId(id),
      token,
      clientId: world.app.clientId,
    });
  } catch (error) {
    return error;
  }
}

describe('ARM emulator', () => {
  it('the ARM token is a v1 token for the ARM resource, for the app object id', () => {
    const claims = decodeJwt(armToken);
    expect(claims.aud).toBe(arm.url);
    expect(claims['oid']).toBe(world.app.servicePrincipalId);
  });

  it('no role assignment: 403 AuthorizationFailed, explained with the az role assignment fix', async () => {
    const e = (await discover(clusterId)) as ArgoEntraError;
    expect(e).toBeInstanceOf(ArgoEntraError);
    expect(e.code).toBe('ERR_AKS_DISCOVERY');
    expect(e.exitCode).toBe(4);
    expect(e.message).toContain('HTTP 403 AuthorizationFailed');
    expect(e.message).toContain(`object id '${world.app.servicePrincipalId}'`);
    expect(e.hint).toContain(
      `az role assignment create --role "Azure Kubernetes Service Cluster User Role" --assignee ${world.app.clientId} --scope ${clusterId}`,
    );
    expect(arm.requests.at(-1)?.outcome).toBe(403);
  });

  it('with the role: server and CA from the kubeconfig (exec user section ignored)', async () => {
    arm.assignClusterUser(world.app.servicePrincipalId, clusterId);
    expect(await discover(clusterId)).toEqual({ server: 'https://aks-ci.example:443', caData: CA });
    const req = arm.requests.at(-1);
    expect(req?.method).toBe('POST');
    expect(req?.query).toEqual({ 'api-version': '2025-07-01', format: 'exec' });
    // ARM compares the provider and type case-insensitively
    expect(await discover(clusterId.replace('Microsoft.ContainerService', 'microsoft.containerservice'))).toEqual({
      server: 'https://aks-ci.example:443',
      caData: CA,
    });
  });

  it('role on the resource group, unknown cluster: 404 naming it; unknown resource group: 404 naming that', async () => {
    arm.assignClusterUser(world.app.servicePrincipalId, `/subscriptions/${SUB}`);
    const e = (await discover(clusterId.replace('aks-ci', 'aks-gone'))) as ArgoEntraError;
    expect(e.code).toBe('ERR_AKS_DISCOVERY');
    expect(e.message).toMatch(/AKS cluster aks-gone was not found .*ResourceNotFound/);
    expect(e.hint).toContain('az aks show -g rg-ci -n aks-gone');
    const g = (await discover(clusterId.replace('rg-ci', 'rg-gone'))) as ArgoEntraError;
    expect(g.message).toMatch(/Resource group rg-gone was not found .*ResourceGroupNotFound/);
  });

  it('a token for another audience (the AKS server app) is refused: 401', async () => {
    const aksToken = await world.entra.mintAccessToken({ tenantId: world.tenantId, clientId: world.app.clientId });
    const e = (await discover(clusterId, aksToken)) as ArgoEntraError;
    expect(e.message).toContain('HTTP 401 InvalidAuthenticationTokenAudience');
    const forged = (await discover(clusterId, `${armToken.slice(0, -4)}AAAA`)) as ArgoEntraError;
    expect(forged.message).toContain('HTTP 401 InvalidAuthenticationToken');
  });

  it('malformed answers and an unreachable ARM are coded errors', async () => {
    arm.server.injectFaults(/listClusterUserCredential$/, [{ kind: 'status', status: 200, json: { value: [] } }]);
    expect(((await discover(clusterId)) as ArgoEntraError).message).toMatch(/no "kubeconfigs"/);
    arm.server.injectFaults(/listClusterUserCredential$/, [{ kind: 'reset' }]);
    const reset = (await discover(clusterId)) as ArgoEntraError;
    expect(reset.code).toBe('ERR_AKS_DISCOVERY');
    expect(reset.message).toMatch(/Could not reach Azure Resource Manager/);
    expect(JSON.stringify({ m: reset.message, h: reset.hint })).not.toContain(armToken);
  });
});
