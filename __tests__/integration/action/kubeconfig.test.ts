/**
 * dist/main as the GitHub runner runs it, operation kubeconfig: what the kubeconfig holds (exec and token mode),
 * where it lives and with which modes, what the step exports and outputs, and that every token was masked.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { bundlePath, runBundle, stackTraceLines } from '../../helpers/run-bundle.js';
import { execBlockOf, readKubeconfig } from '../../helpers/kubeconfig.js';
import { FAKE_SERVER, kubeconfigInputs, RunLog, startIdentityWorld, type IdentityWorld } from './fixture.js';

let world: IdentityWorld;
const log = new RunLog();

beforeAll(async () => {
  world = await startIdentityWorld();
});
afterAll(async () => {
  await world?.stop();
});
afterEach(() => {
  log.expectClean(world);
});

const STATE_DIR = 'argo-entra-dir';

describe('operation kubeconfig, exec mode (default)', () => {
  it('writes one cluster, one context with the namespace, one exec user running dist/credential', async () => {
    const before = world.entra.tokenRequests.length;
    const main = log.add(
      await runBundle('main', { inputs: kubeconfigInputs(world), oidc: world.github, caPath: world.pki.caPath }),
    );
    expect(main.stderr).toBe('');
    expect(main.code).toBe(0);
    expect(stackTraceLines(main.stdout)).toEqual([]);
    expect(world.entra.tokenRequests.length - before).toBe(1);

    // kubeconfig output, KUBECONFIG exported through GITHUB_ENV, state for the post step
    const file = main.outputs['kubeconfig'];
    expect(file).toBeDefined();
    expect(main.env['KUBECONFIG']).toBe(file);
    const dir = path.dirname(file ?? '');
    expect(main.state[STATE_DIR]).toBe(dir);
    expect(dir.startsWith(main.runnerTemp + path.sep)).toBe(true);
    expect(statSync(file ?? '').mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(main.outputs['error-code']).toBeUndefined();

    const config = readKubeconfig(file ?? '');
    expect(config.kind).toBe('Config');
    expect(config.clusters).toHaveLength(1);
    expect(config.contexts).toHaveLength(1);
    expect(config.users).toHaveLength(1);
    const [cluster] = config.clusters;
    expect(cluster?.cluster.server).toBe(FAKE_SERVER);
    expect(cluster?.cluster['certificate-authority-data']).toBe(Buffer.from(world.pki.caPem).toString('base64'));
    expect(cluster?.cluster['insecure-skip-tls-verify']).toBeUndefined();
    const [context] = config.contexts;
    expect(context?.context).toEqual({ cluster: cluster?.name, user: config.users[0]?.name, namespace: 'team-a' });
    expect(config['current-context']).toBe(context?.name);

    const exec = execBlockOf(config);
    expect(exec.apiVersion).toBe('client.authentication.k8s.io/v1');
    expect(exec.interactiveMode).toBe('Never');
    expect(exec.command).toBe(process.execPath);
    expect(exec.args[0]).toBe(bundlePath('credential'));
    const flags = Object.fromEntries(
      exec.args.slice(1).reduce<Array<[string, string]>>((pairs, arg, i, all) => {
        if (i % 2 === 0) pairs.push([arg, all[i + 1] ?? '']);
        return pairs;
      }, []),
    );
    expect(flags).toEqual({
      '--cache': path.join(dir, 'token-cache.json'),
      '--client-id': world.app.clientId,
      '--tenant-id': world.tenantId,
      '--authority-host': world.entra.authorityHost,
      '--audience': 'api://AzureADTokenExchange',
      '--scope': '6dae42f8-4368-4678-94ff-3960e28e3630/.default',
      '--ci': 'github',
    });
    expect(exec.env ?? []).toEqual([]);
    // The kubeconfig carries nothing that can mint tokens, and in exec mode no token either.
    const text = JSON.stringify(config);
    expect(text).not.toContain(world.github.requestToken);
    for (const token of world.entra.issued) expect(text).not.toContain(token);

    // the token cache the plugin starts from: private, and the access token Entra issued
    expect(statSync(path.join(dir, 'token-cache.json')).mode & 0o777).toBe(0o600);

    // Every token was registered with the runner's masker the moment it existed.
    const masked = main.stdout
      .split('\n')
      .filter((l) => l.startsWith('::add-mask::'))
      .map((l) => l.slice('::add-mask::'.length));
    expect(masked).toContain(world.github.requestToken);
    expect(masked).toEqual(expect.arrayContaining(world.github.issuerCore.minted.slice(-1)));
    expect(masked).toEqual(expect.arrayContaining(world.entra.issued.slice(-1)));
  }, 60_000);

  it('export-kubeconfig false: output only, nothing in GITHUB_ENV', async () => {
    const main = log.add(
      await runBundle('main', {
        inputs: kubeconfigInputs(world, { 'export-kubeconfig': 'false' }),
        oidc: world.github,
        caPath: world.pki.caPath,
      }),
    );
    expect(main.code).toBe(0);
    expect(main.outputs['kubeconfig']).toMatch(/kubeconfig$/);
    expect(main.env).toEqual({});
  }, 60_000);
});

describe('operation kubeconfig, token mode', () => {
  it('the user holds the Entra access token itself; file 0600 in a 0700 dir', async () => {
    const main = log.add(
      await runBundle('main', {
        inputs: kubeconfigInputs(world, { 'kubeconfig-mode': 'token' }),
        oidc: world.github,
        caPath: world.pki.caPath,
      }),
    );
    expect(main.code).toBe(0);
    const file = main.outputs['kubeconfig'] ?? '';
    expect(main.env['KUBECONFIG']).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const config = readKubeconfig(file);
    expect(config.users).toHaveLength(1);
    const user = config.users[0]?.user;
    expect(user?.exec).toBeUndefined();
    expect(world.entra.issued).toContain(user?.token);
    expect(config.contexts[0]?.context.namespace).toBe('team-a');
    // the token is masked before anything could print it
    expect(main.stdout).toContain(`::add-mask::${user?.token ?? 'missing'}`);
  }, 60_000);

  it('insecure-skip-tls-verify: no CA in the cluster entry, and a warning', async () => {
    const main = log.add(
      await runBundle('main', {
        inputs: kubeconfigInputs(world, { 'insecure-skip-tls-verify': 'true', 'certificate-authority-data': '' }),
        oidc: world.github,
        caPath: world.pki.caPath,
      }),
    );
    expect(main.code).toBe(0);
    const cluster = readKubeconfig(main.outputs['kubeconfig'] ?? '').clusters[0]?.cluster;
    expect(cluster?.['insecure-skip-tls-verify']).toBe(true);
    expect(cluster?.['certificate-authority-data']).toBeUndefined();
    expect(main.stdout).toMatch(/^::warning::insecure-skip-tls-verify is on/m);
  }, 60_000);
});
