/**
 * The sandbox world: the GitHub OIDC and Entra emulators (an app whose federated credential matches the emulated
 * GitHub run; optionally an Azure DevOps emulator whose service connection is federated to the same app), a real
 * cluster whose kube-apiserver trusts the Entra emulator exactly as AKS trusts Entra (v1 issuer
 * https://sts.windows.net/{tid}/, audience = the AKS server app, username = oid), a namespace, a least-privilege
 * Role + RoleBinding for the app's object id produced by `argo-entra rbac` (dogfooding), and a controller-only
 * WorkflowTemplate.
 *
 * Used by `npm run sandbox` (__tests__/harness/sandbox.ts), the act test and the Azure DevOps cluster test.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { loadBinaries } from '../cluster/binaries.js';
import { type Cluster, startCluster } from '../cluster/cluster.js';
import { AzureDevOpsOidcEmulator } from '../emulators/azure-devops.js';
import { type IdentityWorld, startIdentityWorld, TOKEN_EXCHANGE_AUDIENCE } from '../emulators/world.js';
import { runNode } from './github-runner.js';
import { entraTrust } from '../cluster/entra-trust.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const SANDBOX_NAMESPACE = 'demo';
export const SANDBOX_TEMPLATE = 'hello';

/** A DAG of controller-only suspend steps (no kubelet needed); `seconds` sets each step's pause. */
export const HELLO_TEMPLATE = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'WorkflowTemplate',
  metadata: { name: SANDBOX_TEMPLATE, namespace: SANDBOX_NAMESPACE },
  spec: {
    entrypoint: 'main',
    arguments: { parameters: [{ name: 'seconds', value: '2' }] },
    templates: [
      {
        name: 'main',
        dag: {
          tasks: [
            { name: 'checkout', template: 'pause' },
            { name: 'build', template: 'pause', dependencies: ['checkout'] },
            { name: 'test', template: 'pause', dependencies: ['checkout'] },
            { name: 'publish', template: 'pause', dependencies: ['build', 'test'] },
          ].map((t) => ({
            ...t,
            arguments: { parameters: [{ name: 'seconds', value: '{{workflow.parameters.seconds}}' }] },
          })),
        },
      },
      {
        name: 'pause',
        inputs: { parameters: [{ name: 'seconds' }] },
        suspend: { duration: '{{inputs.parameters.seconds}}' },
      },
    ],
  },
};

export interface SandboxOptions {
  /** Folder holding the bundles (main/, post/, cli/, credential/). Default <repo>/dist; env ARGO_ENTRA_DIST. */
  distDir?: string;
  /** Also start an Azure DevOps OIDC emulator whose service connection is federated to the same app. */
  azureDevOps?: boolean;
  /** Called with each phase's name and duration, for the console. */
  onPhase?: (name: string, ms: number) => void;
}

export interface Sandbox {
  identity: IdentityWorld;
  azureDevOps: AzureDevOpsOidcEmulator | undefined;
  cluster: Cluster;
  distDir: string;
  namespace: string;
  template: string;
  /** Object id of the app's service principal: the Kubernetes username. */
  oid: string;
  /** The Role + RoleBinding YAML `argo-entra rbac` printed and the sandbox applied. */
  rbacYaml: string;
  /** Variables a child process needs to trust the emulators' TLS (NODE_EXTRA_CA_CERTS). */
  trustEnv: Record<string, string>;
  /** The action inputs (`with:`) that point at this sandbox. */
  actionInputs: Record<string, string>;
  /** The same as ARGO_ENTRA_* / AZURE_* variables, for the CLI. */
  cliEnv: Record<string, string>;
  /** kubectl as admin (client certificate). */
  kubectl(args: string[], input?: string): Promise<string>;
  stop(): Promise<void>;
}

export class SandboxPrerequisiteError extends Error {
  override name = 'SandboxPrerequisiteError';
}

export function resolveDistDir(given?: string): string {
  return path.resolve(REPO_ROOT, given ?? process.env['ARGO_ENTRA_DIST'] ?? 'dist');
}

/** Fails early, naming the command to run, when the bundles or the harness binaries are missing. */
export function checkPrerequisites(distDir: string): void {
  const missing = ['main', 'post', 'cli', 'credential'].filter((e) => !existsSync(path.join(distDir, e, 'index.js')));
  if (missing.length > 0) {
    throw new SandboxPrerequisiteError(
      `bundle(s) ${missing.map((e) => `${e}/index.js`).join(', ')} missing in ${distDir}: run \`npm run build\` (or point --dist / ARGO_ENTRA_DIST at a folder of bundles)`,
    );
  }
  try {
    loadBinaries();
  } catch (e) {
    throw new SandboxPrerequisiteError(
      `the control-plane binaries are not built (${(e as Error).message.split(';')[0]}): run \`npm run harness:build\` once (needs Go >= 1.24, ~10 min cold)`,
    );
  }
}

export async function startSandbox(o: SandboxOptions = {}): Promise<Sandbox> {
  const distDir = resolveDistDir(o.distDir);
  checkPrerequisites(distDir);
  const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const r = await fn();
    o.onPhase?.(name, performance.now() - t0);
    return r;
  };
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    stops.length = 0;
  };
  try {
    const identity = await phase('emulators (GitHub OIDC, Entra)', () => startIdentityWorld());
    stops.push(() => identity.stop());
    const { entra, app, tenantId, pki } = identity;
    let azureDevOps: AzureDevOpsOidcEmulator | undefined;
    if (o.azureDevOps) {
      const ado = await new AzureDevOpsOidcEmulator({ pki }).start();
      azureDevOps = ado;
      stops.push(() => ado.stop());
      const connection = ado.serviceConnections[0];
      if (connection === undefined) throw new Error('the Azure DevOps emulator has no service connection');
      entra.addFederatedCredential(tenantId, app.clientId, {
        issuer: ado.issuer,
        subject: ado.subjectFor(connection),
        audiences: [TOKEN_EXCHANGE_AUDIENCE],
      });
    }
    const cluster = await phase('cluster (etcd, kube-apiserver, Argo controller)', () =>
      startCluster({
        ...entraTrust({ entra: entra, tenantId: tenantId, caPem: pki.caPem, readinessClientId: app.clientId }),
      }),
    );
    stops.push(() => cluster.stop());
    const kubectl = async (args: string[], input?: string): Promise<string> => {
      const r = await cluster.kubectl(args, input === undefined ? {} : { input });
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr || r.stdout}`);
      return r.stdout;
    };
    const oid = app.servicePrincipalId;
    const trustEnv = { NODE_EXTRA_CA_CERTS: pki.caPath };
    const rbacYaml = await phase(
      `namespace ${SANDBOX_NAMESPACE}, argo-entra rbac, WorkflowTemplate ${SANDBOX_TEMPLATE}`,
      async () => {
        await kubectl(['create', 'namespace', SANDBOX_NAMESPACE]);
        const rbac = await runNode(
          path.join(distDir, 'cli', 'index.js'),
          { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' },
          REPO_ROOT,
          [
            'rbac',
            '--user',
            oid,
            '-n',
            SANDBOX_NAMESPACE,
            '--operations',
            'submit,wait',
            '--from',
            `workflowtemplate/${SANDBOX_TEMPLATE}`,
          ],
        );
        if (rbac.code !== 0) throw new Error(`argo-entra rbac exited ${rbac.code}: ${rbac.output}`);
        await kubectl(['apply', '-f', '-'], rbac.stdout);
        await kubectl(['apply', '-f', '-'], stringify(HELLO_TEMPLATE));
        return rbac.stdout;
      },
    );
    const actionInputs: Record<string, string> = {
      'client-id': app.clientId,
      'tenant-id': tenantId,
      'authority-host': entra.authorityHost,
      server: cluster.server,
      'certificate-authority-data': cluster.caData,
      namespace: SANDBOX_NAMESPACE,
    };
    const cliEnv: Record<string, string> = {
      AZURE_CLIENT_ID: app.clientId,
      AZURE_TENANT_ID: tenantId,
      AZURE_AUTHORITY_HOST: entra.authorityHost,
      ARGO_ENTRA_SERVER: cluster.server,
      ARGO_ENTRA_CERTIFICATE_AUTHORITY_DATA: cluster.caData,
      ARGO_ENTRA_NAMESPACE: SANDBOX_NAMESPACE,
    };
    return {
      identity,
      azureDevOps,
      cluster,
      distDir,
      namespace: SANDBOX_NAMESPACE,
      template: SANDBOX_TEMPLATE,
      oid,
      rbacYaml,
      trustEnv,
      actionInputs,
      cliEnv,
      kubectl,
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
