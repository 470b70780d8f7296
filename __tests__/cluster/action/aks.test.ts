/**
 * AKS cluster discovery through ARM, the action as the runner runs it (`node dist/main/index.js`): no `server`, no
 * CA, only `aks-cluster` + `arm-endpoint` (the ARM emulator). The same federated identity gets an ARM token from the
 * Entra emulator, listClusterUserCredential names the real test cluster's server and CA, and the run goes on as
 * with server + CA: preflight, submit from a template, wait.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { type Cluster, startCluster } from '../../harness/cluster/cluster.js';
import { ArmEmulator } from '../../harness/emulators/arm.js';
import type { AppRegistration } from '../../harness/emulators/entra.js';
import { startIdentityWorld, TOKEN_EXCHANGE_AUDIENCE, type IdentityWorld } from '../../harness/emulators/world.js';
import { decodeCommand, runBundle, type BundleRun } from '../../helpers/run-bundle.js';
import { emulatorSecrets, expectNoSecrets } from '../../helpers/secret-scan.js';
import { entraTrust } from '../../harness/cluster/entra-trust.js';

const NS = 'team-a';
const SUB = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
const LONG = 240_000;
let world: IdentityWorld;
let arm: ArmEmulator;
let cluster: Cluster;
let clusterId: string;
let noRole: AppRegistration;
const runs: BundleRun[] = [];
let runSeq = 0;

async function admin(args: string[], input?: string): Promise<string> {
  const r = await cluster.kubectl(args, input !== undefined ? { input } : {});
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} -> ${r.code}: ${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  world = await startIdentityWorld();
  arm = await new ArmEmulator(world.entra).start();
  arm.registerAsArmResource(world.tenantId);
  noRole = world.entra.addApp(world.tenantId, {
    displayName: 'argo-entra-no-arm-role',
    federatedCredentials: [
      { issuer: world.github.issuer, subject: world.github.subject(), audiences: [TOKEN_EXCHANGE_AUDIENCE] },
    ],
  });
  cluster = await startCluster({
    ...entraTrust({
      entra: world.entra,
      tenantId: world.tenantId,
      caPem: world.pki.caPem,
      readinessClientId: world.app.clientId,
    }),
  });
  clusterId = arm.addCluster(SUB, 'rg-ci', 'aks-ci', { server: cluster.server, caData: cluster.caData });
  // The role at the resource group: covers aks-ci, and an unknown cluster there is a 404 (not a 403).
  arm.assignClusterUser(world.app.servicePrincipalId, `/subscriptions/${SUB}/resourceGroups/rg-ci`);

  await admin(['create', 'namespace', NS]);
  await admin(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'argo-entra', namespace: NS },
      rules: [
        {
          apiGroups: ['argoproj.io'],
          resources: ['workflows'],
          verbs: ['create', 'get', 'list', 'watch', 'patch', 'update'],
        },
        { apiGroups: ['argoproj.io'], resources: ['workflowtemplates'], verbs: ['get'] },
      ],
    }),
  );
  await admin([
    'create',
    'rolebinding',
    'argo-entra',
    '-n',
    NS,
    '--role=argo-entra',
    `--user=${world.app.servicePrincipalId}`,
  ]);
  await admin(
    ['apply', '-n', NS, '-f', '-'],
    JSON.stringify({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'WorkflowTemplate',
      metadata: { name: 'pause', namespace: NS },
      spec: { entrypoint: 'main', templates: [{ name: 'main', suspend: { duration: '1' } }] },
    }),
  );
}, LONG);

afterAll(async () => {
  await cluster?.stop();
  await arm?.stop();
  await world?.stop();
}, 60_000);

const logText = (r: BundleRun): string => decodeCommand(`${r.stdout}\n${r.stderr}`);

function expectExit(r: BundleRun, code: number): void {
  if (r.code !== code) throw new Error(`expected exit ${code}, got ${r.code} (signal ${r.signal}):\n${logText(r)}`);
}

async function runAks(
  id: string,
  clientId = world.app.clientId,
  extra: Record<string, string> = {},
): Promise<BundleRun> {
  const r = await runBundle('main', {
    inputs: {
      'client-id': clientId,
      'tenant-id': world.tenantId,
      'authority-host': world.entra.authorityHost,
      'aks-cluster': id,
      'arm-endpoint': arm.url,
      namespace: NS,
      'workflow-template': 'pause',
      ...extra,
    },
    github: { GITHUB_RUN_ID: String(70_000 + ++runSeq) },
    oidc: world.github,
    caPath: world.pki.caPath,
    timeoutMs: 120_000,
  });
  runs.push(r);
  return r;
}

describe('aks-cluster: server and CA discovered through ARM', () => {
  it(
    'discovers the cluster, passes preflight, submits from a template and waits: exit 0',
    async () => {
      const armCalls = arm.requests.length;
      const r = await runAks(clusterId);
      expectExit(r, 0);
      const log = logText(r);
      expect(log).toContain(`AKS cluster ${clusterId}: API server ${cluster.server} (CA from ARM)`);
      expect(log).toMatch(/Preflight/);
      expect(r.outputs).toMatchObject({ phase: 'Succeeded', namespace: NS });
      expect(r.outputs['workflow-name']).toMatch(/^pause-/);

      // one ARM call, with an ARM-audience token of the same identity (a second Entra exchange)
      const calls = arm.requests.slice(armCalls);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.outcome).toBe(200);
      const bearer = String(calls[0]?.headers['authorization']).replace(/^Bearer /, '');
      expect(decodeJwt(bearer)).toMatchObject({ aud: arm.url, oid: world.app.servicePrincipalId });
      // the ARM token was masked like the cluster token
      expect(r.stdout).toContain(`::add-mask::${bearer}`);
    },
    LONG,
  );

  it(
    'diagnose-only: doctor prints the aks line and checks the discovered server',
    async () => {
      const r = await runAks(clusterId, world.app.clientId, { 'diagnose-only': 'true' });
      expectExit(r, 0);
      const log = logText(r);
      expect(log).toMatch(new RegExp(`ok +aks +${clusterId}: API server and CA from `));
      expect(log).toContain(`server ${cluster.server}`);
      expect(log).toMatch(/ok +tls +verified against ca-data/);
    },
    LONG,
  );

  it(
    'no "Azure Kubernetes Service Cluster User Role": exit 4 with the az role assignment fix for this cluster',
    async () => {
      const r = await runAks(clusterId, noRole.clientId);
      expectExit(r, 4);
      expect(r.outputs['error-code']).toBe('ERR_AKS_DISCOVERY');
      const log = logText(r);
      expect(log).toContain('AuthorizationFailed');
      expect(log).toContain(
        `az role assignment create --role "Azure Kubernetes Service Cluster User Role" --assignee ${noRole.clientId} --scope ${clusterId}`,
      );
    },
    LONG,
  );

  it(
    'an unknown cluster: 404 naming it',
    async () => {
      const gone = clusterId.replace(/aks-ci$/, 'aks-gone');
      const r = await runAks(gone);
      expectExit(r, 4);
      expect(r.outputs['error-code']).toBe('ERR_AKS_DISCOVERY');
      const log = logText(r);
      expect(log).toMatch(/AKS cluster aks-gone was not found/);
      expect(log).toContain('ResourceNotFound');
    },
    LONG,
  );

  it('no token minted by the emulators (the ARM token included) appears in any output or file', () => {
    expect(runs.length).toBeGreaterThanOrEqual(3);
    const secrets = emulatorSecrets(world.entra, world.github);
    expect(secrets.length).toBeGreaterThan(5);
    expectNoSecrets(runs, secrets);
  });
});
