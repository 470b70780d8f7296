import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import {
  buildKubeconfig,
  makePrivateDir,
  removeKubeconfigDir,
  writeKubeconfig,
  type KubeconfigUser,
} from '../../../src/cluster/kubeconfig.js';
import type { ClusterSettings } from '../../../src/settings/types.js';

const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');

function cluster(overrides: Partial<ClusterSettings> = {}): ClusterSettings {
  return {
    server: 'https://kube.example:6443',
    aks: undefined,
    caData: CA,
    insecureSkipTlsVerify: false,
    namespace: 'ci',
    kubeconfigMode: 'exec',
    exportKubeconfig: false,
    tempDir: '/tmp',
    ...overrides,
  };
}

const EXEC: KubeconfigUser = {
  mode: 'exec',
  command: '/usr/bin/node',
  args: ['/opt/dist/credential/index.js', '--cache', '/tmp/x/token-cache.json'],
  env: { ARGO_ENTRA_DEBUG: '0' },
};

let parent: string;
beforeEach(async () => {
  parent = await mkdtemp(path.join(tmpdir(), 'kubeconfig-test-'));
});
afterEach(async () => {
  await rm(parent, { recursive: true, force: true });
});

describe('buildKubeconfig', () => {
  it('exec user: one cluster, one namespaced context, client.authentication.k8s.io/v1 exec', () => {
    expect(buildKubeconfig(cluster(), EXEC)).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      preferences: {},
      clusters: [
        { name: 'argo-entra', cluster: { server: 'https://kube.example:6443', 'certificate-authority-data': CA } },
      ],
      contexts: [{ name: 'argo-entra', context: { cluster: 'argo-entra', user: 'argo-entra', namespace: 'ci' } }],
      'current-context': 'argo-entra',
      users: [
        {
          name: 'argo-entra',
          user: {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1',
              command: '/usr/bin/node',
              args: ['/opt/dist/credential/index.js', '--cache', '/tmp/x/token-cache.json'],
              env: [{ name: 'ARGO_ENTRA_DEBUG', value: '0' }],
              interactiveMode: 'Never',
              provideClusterInfo: false,
              installHint: expect.any(String),
            },
          },
        },
      ],
    });
  });

  it.each([
    { name: 'CA', c: cluster(), expected: { server: 'https://kube.example:6443', 'certificate-authority-data': CA } },
    { name: 'system trust', c: cluster({ caData: undefined }), expected: { server: 'https://kube.example:6443' } },
    {
      name: 'insecure drops the CA (client-go refuses both)',
      c: cluster({ insecureSkipTlsVerify: true }),
      expected: { server: 'https://kube.example:6443', 'insecure-skip-tls-verify': true },
    },
  ])('cluster entry: $name', ({ c, expected }) => {
    const doc = buildKubeconfig(c, { mode: 'token', token: 't' }) as { clusters: Array<{ cluster: unknown }> };
    expect(doc.clusters[0]?.cluster).toEqual(expected);
  });

  it('token user', () => {
    const doc = buildKubeconfig(cluster(), { mode: 'token', token: 'eyJ.a.b' }) as { users: Array<{ user: unknown }> };
    expect(doc.users[0]?.user).toEqual({ token: 'eyJ.a.b' });
  });

  it.each([
    'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
    'ACTIONS_ID_TOKEN_REQUEST_URL',
    'SYSTEM_ACCESSTOKEN',
    'SYSTEM_OIDCREQUESTURI',
    'system_accesstoken',
  ])('refuses CI secret %s in exec env', (name) => {
    expect(() => buildKubeconfig(cluster(), { ...EXEC, env: { [name]: 'x' } })).toThrow(
      expect.objectContaining({ code: 'ERR_KUBECONFIG_WRITE' }),
    );
  });
});

describe('writeKubeconfig', () => {
  it('writes YAML 0600 in a 0700 dir, round-trips', async () => {
    const dir = path.join(parent, 'run');
    const { path: file } = await writeKubeconfig({ dir, cluster: cluster(), user: EXEC });
    expect(file).toBe(path.join(dir, 'kubeconfig'));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(parse(await readFile(file, 'utf8'))).toEqual(buildKubeconfig(cluster(), EXEC));
    expect(await readdir(dir)).toEqual(['kubeconfig']);
  });

  it('tightens an existing group-readable dir', async () => {
    const dir = path.join(parent, 'loose');
    await mkdir(dir, { mode: 0o755 });
    await writeKubeconfig({ dir, cluster: cluster(), user: EXEC });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('replaces the previous file whole', async () => {
    const dir = path.join(parent, 'run');
    await writeKubeconfig({ dir, cluster: cluster(), user: { mode: 'token', token: 'old' } });
    await writeKubeconfig({ dir, cluster: cluster(), user: { mode: 'token', token: 'new' } });
    expect(await readFile(path.join(dir, 'kubeconfig'), 'utf8')).toContain('token: new');
    expect(await readdir(dir)).toEqual(['kubeconfig']);
  });

  it('a failed write leaves no partial file and no temp file', async () => {
    const dir = path.join(parent, 'run');
    // A non-empty directory where the kubeconfig goes makes the final rename fail.
    await mkdir(path.join(dir, 'kubeconfig'), { recursive: true });
    await writeFile(path.join(dir, 'kubeconfig', 'keep'), 'x');
    await expect(writeKubeconfig({ dir, cluster: cluster(), user: EXEC })).rejects.toMatchObject({
      code: 'ERR_KUBECONFIG_WRITE',
    });
    expect(await readdir(dir)).toEqual(['kubeconfig']);
  });

  it('refusing a secret writes nothing', async () => {
    const dir = path.join(parent, 'run');
    await expect(
      writeKubeconfig({ dir, cluster: cluster(), user: { ...EXEC, env: { SYSTEM_ACCESSTOKEN: 's' } } }),
    ).rejects.toMatchObject({ code: 'ERR_KUBECONFIG_WRITE' });
    await expect(stat(path.join(dir, 'kubeconfig'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('makePrivateDir / removeKubeconfigDir', () => {
  it('creates a 0700 dir and removes it with its contents, twice without error', async () => {
    const dir = await makePrivateDir(parent);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    await writeKubeconfig({ dir, cluster: cluster(), user: EXEC });
    await removeKubeconfigDir(dir);
    await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(removeKubeconfigDir(dir)).resolves.toBeUndefined();
  });

  it('makePrivateDir under a missing parent -> ERR_KUBECONFIG_WRITE', async () => {
    await expect(makePrivateDir(path.join(parent, 'missing', 'deeper'))).rejects.toMatchObject({
      code: 'ERR_KUBECONFIG_WRITE',
    });
  });

  it.each(['/', 'relative/dir', '/tmp'])('refuses to remove %s', async (dir) => {
    await expect(removeKubeconfigDir(dir)).rejects.toMatchObject({ code: 'ERR_INTERNAL' });
  });
});
