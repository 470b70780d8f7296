/**
 * Issue 3, "what the tests must show": a real kube-apiserver (structured JWT authentication, RBAC) trusting the
 * Entra emulator's v1 issuer exactly as AKS does (iss https://sts.windows.net/{tid}/, audience = the AKS server app,
 * username = oid with prefix "", groups from `groups`), real tokens from the real exchange (GitHub OIDC emulator ->
 * Entra emulator through the product's createEntraTokenProvider, or through the action bundle), and the real Argo
 * workflow-controller.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Cluster, startCluster } from '../../harness/cluster/cluster.js';
import { AKS_SERVER_APP_ID } from '../../harness/emulators/entra.js';
import { startIdentityWorld, type IdentityWorld } from '../../harness/emulators/world.js';
import { createKubeClient, type ClosableKubeClient } from '../../../src/cluster/kube-client.js';
import { whoAmI } from '../../../src/cluster/access.js';
import { createCiTokenSource } from '../../../src/identity/ci/index.js';
import { createEntraTokenProvider, type EntraTokenProvider } from '../../../src/identity/entra.js';
import { waitForWorkflow } from '../../../src/argo/wait.js';
import { explainIfUnauthorized } from '../../../src/run/access.js';
import type { Workflow } from '../../../src/argo/types.js';
import { ArgoEntraError } from '../../../src/errors.js';
import { runBundle, runPostAfter, type BundleRun } from '../../helpers/run-bundle.js';
import { emulatorSecrets, expectNoSecrets } from '../../helpers/secret-scan.js';
import { entraTrust } from '../../harness/cluster/entra-trust.js';

const LONG = 240_000;
const GROUPS = ['6a1d1f0e-1111-4c4c-8888-000000000001', '6a1d1f0e-2222-4c4c-8888-000000000002'];
let world: IdentityWorld;
let cluster: Cluster;
let provider: EntraTokenProvider;
let client: ClosableKubeClient;
let oid: string;
const runs: BundleRun[] = [];

async function admin(args: string[], input?: string): Promise<string> {
  const r = await cluster.kubectl(args, input !== undefined ? { input } : {});
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} -> ${r.code}: ${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  world = await startIdentityWorld();
  world.entra.setGroups(world.tenantId, world.app.clientId, GROUPS);
  oid = world.app.servicePrincipalId;
  cluster = await startCluster({
    ...entraTrust({
      entra: world.entra,
      tenantId: world.tenantId,
      caPem: world.pki.caPem,
      readinessClientId: world.app.clientId,
    }),
  });
  console.log(`identity suite: cluster up in ${Math.round(cluster.startMs)} ms`);
  for (const ns of ['team-a', 'team-b']) await admin(['create', 'namespace', ns]);
  await admin([
    'create',
    'role',
    'wf-submitter',
    '-n',
    'team-a',
    '--verb=create,get,list,watch,patch',
    '--resource=workflows.argoproj.io',
  ]);
  await admin(['create', 'rolebinding', 'wf-submitter', '-n', 'team-a', '--role=wf-submitter', `--user=${oid}`]);
  provider = createEntraTokenProvider(world.identity, createCiTokenSource(world.identity.ciSource));
  client = createKubeClient({
    server: cluster.server,
    caData: cluster.caData,
    insecureSkipTlsVerify: false,
    tokenProvider: provider,
  });
}, LONG);

afterAll(async () => {
  client?.close();
  await cluster?.stop();
  await world?.stop();
}, 60_000);

/** A client that sends exactly this token. */
function clientWith(token: string): ClosableKubeClient {
  return createKubeClient({
    server: cluster.server,
    caData: cluster.caData,
    insecureSkipTlsVerify: false,
    tokenProvider: { getToken: async () => ({ token, expiresOnMs: Date.now() + 3_600_000 }) },
    maxAttempts: 1,
  });
}

async function caught(p: Promise<unknown>): Promise<ArgoEntraError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ArgoEntraError) return e;
    throw e;
  }
  throw new Error('expected a coded error, got success');
}

const dag = (ns: string): Workflow => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Workflow',
  metadata: { generateName: 'identity-', namespace: ns },
  spec: {
    entrypoint: 'main',
    templates: [
      {
        name: 'main',
        dag: {
          tasks: [
            { name: 'a', template: 'pause' },
            { name: 'b', template: 'pause', dependencies: ['a'] },
            { name: 'c', template: 'pause', dependencies: ['a'] },
          ],
        },
      },
      { name: 'pause', suspend: { duration: '1' } },
    ],
  },
});

const createIn = (c: ClosableKubeClient, ns: string) =>
  c.request<Workflow>({ method: 'POST', path: `/apis/argoproj.io/v1alpha1/namespaces/${ns}/workflows`, body: dag(ns) });

/** What a later `run: kubectl ...` step of a job with id-token: write has (the plugin refreshes from these). */
function ghEnv(): Record<string, string> {
  return {
    ACTIONS_ID_TOKEN_REQUEST_URL: world.github.requestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: world.github.requestToken,
    NODE_EXTRA_CA_CERTS: world.pki.caPath,
  };
}

function identityInputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'client-id': world.app.clientId,
    'tenant-id': world.tenantId,
    'authority-host': world.entra.authorityHost,
    server: cluster.server,
    'certificate-authority-data': cluster.caData,
    namespace: 'team-a',
    ...extra,
  };
}

/** The action's main step (a job with id-token: write), then optionally its post step. */
async function runMain(inputs: Record<string, string>): Promise<BundleRun> {
  const r = await runBundle('main', { inputs, oidc: world.github, caPath: world.pki.caPath, timeoutMs: 120_000 });
  runs.push(r);
  return r;
}
async function runPost(main: BundleRun): Promise<BundleRun> {
  const r = await runPostAfter(main, { oidc: world.github, caPath: world.pki.caPath });
  runs.push(r);
  return r;
}

describe('Entra tokens on a real kube-apiserver', () => {
  it(
    'SelfSubjectReview: a token from the real exchange maps to username = the app oid, with its groups',
    async () => {
      const token = await provider.getToken();
      expect(world.entra.issued).toContain(token.token);
      const me = await whoAmI(client);
      expect(me?.username).toBe(oid);
      expect(me?.groups).toEqual(expect.arrayContaining([...GROUPS, 'system:authenticated']));
    },
    LONG,
  );

  it(
    'RBAC: create in team-a runs to Succeeded on the real controller; team-b is a real 403 naming verb and resource',
    async () => {
      const created = await createIn(client, 'team-a');
      expect(created.status).toBe(201);
      const name = created.body.metadata.name ?? '';
      const done = await waitForWorkflow(client, 'team-a', name, { timeoutMs: 90_000 });
      expect(done.status?.phase).toBe('Succeeded');
      expect(
        Object.values(done.status?.nodes ?? {}).filter((n) => n.type === 'Suspend' && n.phase === 'Succeeded'),
      ).toHaveLength(3);

      const err = await caught(createIn(client, 'team-b'));
      expect(err.code).toBe('ERR_KUBE_FORBIDDEN');
      expect(err.exitCode).toBe(4);
      expect(err.details).toMatchObject({
        status: '403',
        reason: 'Forbidden',
        user: oid,
        verb: 'create',
        resource: 'workflows',
        group: 'argoproj.io',
        namespace: 'team-b',
      });
      expect(err.details['message']).toContain(
        `User "${oid}" cannot create resource "workflows" in API group "argoproj.io" in the namespace "team-b"`,
      );
      expect(err.hint).toContain('"create" on "workflows"');
    },
    LONG,
  );

  describe('real 401s', () => {
    it.each([
      ['wrong audience (an ARM token)', { resource: 'https://management.azure.com' }, 'audience'],
      ['wrong issuer (a v2 token on the v1-configured cluster)', { version: 2 as const }, undefined],
      ['expired', { lifetimeS: 600, clockOffsetS: -3600 }, 'expired'],
    ])(
      '%s -> ERR_KUBE_UNAUTHORIZED',
      async (_label, mint, likely) => {
        const token = await world.entra.mintAccessToken({
          tenantId: world.tenantId,
          clientId: world.app.clientId,
          ...mint,
        });
        const c = clientWith(token);
        try {
          const raw = await caught(whoAmI(c));
          expect(raw.code).toBe('ERR_KUBE_UNAUTHORIZED');
          expect(raw.exitCode).toBe(4);
          expect(raw.details).toMatchObject({ status: '401', reason: 'Unauthorized' });
          const explained = explainIfUnauthorized(raw, token, Date.now()) as ArgoEntraError;
          expect(explained.code).toBe('ERR_KUBE_UNAUTHORIZED');
          if (likely !== undefined) expect(explained.details['likelyCause']).toBe(likely);
          if ('version' in mint) {
            // The product cannot know the cluster's issuer.url; it names the token's so the reader can compare.
            expect(explained.details['iss']).toBe(world.entra.issuerFor(world.tenantId, 2));
            expect(explained.message).toContain(world.entra.issuerFor(world.tenantId, 2));
          }
        } finally {
          c.close();
        }
      },
      LONG,
    );

    it(
      'the bundle with an ARM scope: exit 4, ERR_KUBE_UNAUTHORIZED, the likely cause named',
      async () => {
        const r = await runMain(
          identityInputs({ operation: 'kubeconfig', scope: 'https://management.azure.com/.default' }),
        );
        expect(r.code).toBe(4);
        expect(r.outputs['error-code']).toBe('ERR_KUBE_UNAUTHORIZED');
        expect(r.stdout).toContain('Azure Resource Manager');
        expect(r.stdout).toContain(`${AKS_SERVER_APP_ID}/.default`);
        expect((await runPost(r)).code).toBe(0);
      },
      LONG,
    );
  });

  it(
    'kubectl from the module with the exec-mode kubeconfig the bundle writes: team-a allowed, team-b Forbidden',
    async () => {
      const main = await runMain(identityInputs({ operation: 'kubeconfig' }));
      expect(main.stdout + main.stderr).not.toMatch(/::error/);
      expect(main.code).toBe(0);
      // the bundle's own preflight saw the same identity the SelfSubjectReview above did
      expect(main.stdout).toContain(`Cluster identity: username "${oid}", groups: ${GROUPS.join(', ')}`);
      const kubeconfig = main.outputs['kubeconfig'] ?? '';
      expect(main.env['KUBECONFIG']).toBe(kubeconfig);
      const text = readFileSync(kubeconfig, 'utf8');
      expect(text).toContain('exec:');
      // kubectl must start the bundled credential plugin, not a file ncc emitted in its place.
      expect(text).toMatch(/\/credential\/index\.js\b/);
      for (const t of world.entra.issued) expect(text).not.toContain(t);

      // What a later `run: kubectl ...` step has: KUBECONFIG and the job's OIDC request variables, nothing else of ours.
      const env = {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        KUBECONFIG: kubeconfig,
        ...ghEnv(),
      };
      const allowed = await kubectl(['get', 'workflows', '-o', 'name'], env);
      expect(allowed.stderr).toBe('');
      expect(allowed.code).toBe(0);
      expect(allowed.stdout).toMatch(/workflow\.argoproj\.io\/identity-/);

      // Without the cache the plugin must refresh through the federation (one more exchange).
      rmSync(path.join(path.dirname(kubeconfig), 'token-cache.json'), { force: true });
      const before = world.entra.tokenRequests.length;
      const refreshed = await kubectl(['get', 'workflows', '-n', 'team-a', '-o', 'name'], env);
      expect(refreshed.code).toBe(0);
      expect(world.entra.tokenRequests.length).toBe(before + 1);

      const denied = await kubectl(['get', 'workflows', '-n', 'team-b'], env);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toContain('Forbidden');
      expect(denied.stderr).toContain(
        `User "${oid}" cannot list resource "workflows" in API group "argoproj.io" in the namespace "team-b"`,
      );

      const post = await runPost(main);
      expect(post.code).toBe(0);
      expect(existsSync(path.dirname(kubeconfig))).toBe(false);
    },
    LONG,
  );

  it('no token minted by the emulators appears in any output or file of the bundle runs', () => {
    expect(runs.length).toBeGreaterThan(0);
    expectNoSecrets(runs, emulatorSecrets(world.entra, world.github));
  });
});

function kubectl(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cluster.binaries.kubectl, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
