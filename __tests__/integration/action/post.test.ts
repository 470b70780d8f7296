/**
 * dist/post removes the private directory (kubeconfig + token cache) whatever happened to dist/main: success, a
 * failure before anything was written (AADSTS), a failure after the kubeconfig was written (401 at preflight), and
 * a cancel (SIGINT/SIGTERM) while main was blocked on the network. The post step gets main's state as STATE_*.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { startKubeStandIn, type KubeStandIn } from '../../helpers/kube-stand-in.js';
import {
  errorAnnotations,
  runBundle,
  runPostAfter,
  stackTraceLines,
  type BundleRun,
} from '../../helpers/run-bundle.js';
import { CANCEL_GRACE_MS } from '../../../src/run/process.js';
import { kubeconfigInputs, RunLog, startIdentityWorld, type IdentityWorld } from './fixture.js';

const STATE_DIR = 'argo-entra-dir';
let world: IdentityWorld;
let kube: KubeStandIn;
/** an HTTPS endpoint that accepts requests and never answers */
let hang: KubeStandIn;
const log = new RunLog();

beforeAll(async () => {
  world = await startIdentityWorld();
  kube = await startKubeStandIn(world.pki);
  hang = await startKubeStandIn(world.pki, 'hang');
});
afterAll(async () => {
  await kube?.stop();
  await hang?.stop();
  await world?.stop();
});
afterEach(() => {
  log.expectClean(world);
});

async function expectPostRemoves(main: BundleRun): Promise<BundleRun> {
  const dir = main.state[STATE_DIR];
  expect(dir).toBeDefined();
  expect(existsSync(dir ?? '')).toBe(true);
  const post = log.add(await runPostAfter(main, { caPath: world.pki.caPath }));
  expect(post.stderr).toBe('');
  expect(post.code).toBe(0);
  expect(existsSync(dir ?? '')).toBe(false);
  expect(post.stdout).toContain('Removed the ephemeral kubeconfig and token cache.');
  expect(post.outputs).toEqual({});
  // Nothing else of ours is left in RUNNER_TEMP (only the file-command dirs the harness made).
  expect(readdirSync(main.runnerTemp).filter((f) => f.startsWith('argo-entra-'))).toEqual([]);
  return post;
}

it('after a successful main', async () => {
  const main = log.add(
    await runBundle('main', { inputs: kubeconfigInputs(world), oidc: world.github, caPath: world.pki.caPath }),
  );
  expect(main.code).toBe(0);
  expect(existsSync(main.outputs['kubeconfig'] ?? '')).toBe(true);
  await expectPostRemoves(main);
}, 60_000);

it('after main failed at the Entra exchange (AADSTS700213), once the directory existed', async () => {
  const stranger = world.entra.addApp(world.tenantId, {
    federatedCredentials: [
      {
        issuer: world.github.issuer,
        subject: 'repo:octo-org/other:ref:refs/heads/main',
        audiences: ['api://AzureADTokenExchange'],
      },
    ],
  });
  const main = log.add(
    await runBundle('main', {
      inputs: kubeconfigInputs(world, { 'client-id': stranger.clientId }),
      oidc: world.github,
      caPath: world.pki.caPath,
    }),
  );
  expect(main.code).toBe(3);
  expect(main.outputs['error-code']).toBe('ERR_ENTRA_SUBJECT_MISMATCH');
  expect(main.outputs['kubeconfig']).toBeUndefined();
  await expectPostRemoves(main);
}, 60_000);

it('after main failed later: kubeconfig and cache written, then the API server answered 401 at preflight', async () => {
  kube.mode = 'unauthorized';
  const main = log.add(
    await runBundle('main', {
      inputs: kubeconfigInputs(world, {
        server: kube.url,
        'certificate-authority-data': kube.caData,
        preflight: 'true',
      }),
      oidc: world.github,
      caPath: world.pki.caPath,
    }),
  );
  expect(main.code).toBe(4);
  expect(main.outputs['error-code']).toBe('ERR_KUBE_UNAUTHORIZED');
  expect(errorAnnotations(main.stdout).map((a) => a.properties)).toEqual(['title=argo-entra ERR_KUBE_UNAUTHORIZED']);
  expect(stackTraceLines(main.stdout + main.stderr)).toEqual([]);
  // the API server saw our Entra token (and only ever the access token, never the CI token)
  const bearer = kube.requests.at(-1)?.authorization?.replace(/^Bearer /, '');
  expect(world.entra.issued).toContain(bearer);
  const dir = main.state[STATE_DIR] ?? '';
  expect(readdirSync(dir).sort()).toEqual(['kubeconfig', 'token-cache.json']);
  await expectPostRemoves(main);
}, 60_000);

describe('cancelled main (the runner sends SIGINT, then SIGTERM ~7.5 s later, then SIGKILL)', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s while the GitHub token request hangs: main stops promptly with ERR_CANCELLED, post removes the dir',
    async (signal) => {
      // The runner's token service stops answering; main waits inside "Sign in to Microsoft Entra ID".
      hang.mode = 'hang';
      const before = hang.requests.length;
      const main = log.add(
        await runBundle('main', {
          inputs: kubeconfigInputs(world),
          oidc: { requestUrl: `${hang.url}/idtoken?api-version=2.0`, requestToken: world.github.requestToken },
          caPath: world.pki.caPath,
          signal: { signal, when: () => hang.requests.length > before, delayMs: 200 },
          timeoutMs: 20_000,
        }),
      );
      expect(main.signalledAtMs).toBeDefined();
      expect(main.signal).toBeNull();
      expect(main.durationMs - (main.signalledAtMs ?? 0)).toBeLessThan(3_000);
      expect(main.code).toBe(6);
      expect(main.outputs['error-code']).toBe('ERR_CANCELLED');
      expect(main.outputs['kubeconfig']).toBeUndefined();
      expect(stackTraceLines(main.stdout + main.stderr)).toEqual([]);
      await expectPostRemoves(main);
    },
    60_000,
  );

  it('SIGTERM while preflight waits on an API server that never answers: post removes kubeconfig and cache', async () => {
    kube.mode = 'hang';
    const before = kube.requests.length;
    const main = log.add(
      await runBundle('main', {
        inputs: kubeconfigInputs(world, {
          server: kube.url,
          'certificate-authority-data': kube.caData,
          preflight: 'true',
        }),
        oidc: world.github,
        caPath: world.pki.caPath,
        signal: {
          signal: 'SIGTERM',
          when: () => kube.requests.length > before,
          delayMs: 200,
          then: { signal: 'SIGKILL', afterMs: 10_000 },
        },
        timeoutMs: 30_000,
      }),
    );
    const dir = main.state[STATE_DIR] ?? '';
    expect(path.dirname(main.outputs['kubeconfig'] ?? '')).toBe(dir);
    expect(existsSync(path.join(dir, 'token-cache.json'))).toBe(true);
    // Exited by itself with its own exit code, before the runner's SIGKILL (~10 s after the first signal): within
    // the cancel grace period at the latest, even though nothing in preflight observes the cancel signal.
    expect(main.signal).toBeNull();
    expect(main.durationMs - (main.signalledAtMs ?? 0)).toBeLessThan(CANCEL_GRACE_MS + 2_000);
    expect(main.code).toBe(6);
    expect(main.outputs['error-code']).toBe('ERR_CANCELLED');
    await expectPostRemoves(main);
  }, 60_000);
});
