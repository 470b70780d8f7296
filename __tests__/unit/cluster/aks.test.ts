import { describe, expect, test } from '@jest/globals';
import { stringify } from 'yaml';
import { extractCluster, listCredentialUrl, parseAksResourceId, type AksClusterId } from '../../../src/cluster/aks.js';
import { ArgoEntraError, type ErrorCode } from '../../../src/errors.js';

const SUB = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
const ID = `/subscriptions/${SUB}/resourceGroups/rg-ci/providers/Microsoft.ContainerService/managedClusters/aks-ci`;
const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
const CLUSTER: AksClusterId = { id: ID, subscriptionId: SUB, resourceGroup: 'rg-ci', name: 'aks-ci' };

function failure(fn: () => unknown): { code: ErrorCode | 'no error'; message: string } {
  try {
    fn();
    return { code: 'no error', message: '' };
  } catch (error) {
    if (error instanceof ArgoEntraError) return { code: error.code, message: error.message };
    throw error;
  }
}

describe('parseAksResourceId', () => {
  test('a well-formed id', () => {
    expect(parseAksResourceId(ID)).toEqual(CLUSTER);
    expect(parseAksResourceId(`  ${ID}/ `)).toEqual(CLUSTER);
  });

  test('provider, type and keywords compare case-insensitively; names are kept as given', () => {
    const lower = ID.replace('Microsoft.ContainerService', 'microsoft.containerservice')
      .replace('managedClusters', 'MANAGEDCLUSTERS')
      .replace('resourceGroups', 'resourcegroups');
    expect(parseAksResourceId(lower)).toMatchObject({ resourceGroup: 'rg-ci', name: 'aks-ci', id: lower });
  });

  test.each<[string, string, ErrorCode, RegExp]>([
    ['a bare name', 'aks-ci', 'ERR_SETTINGS_INVALID', /starting with "\/subscriptions\/"/],
    ['empty', '', 'ERR_SETTINGS_INVALID', /starting with/],
    [
      'subscription not a GUID',
      ID.replace(SUB, 'my-sub'),
      'ERR_SETTINGS_INVALID',
      /subscription id "my-sub" is not a GUID/,
    ],
    [
      'wrong provider',
      ID.replace('Microsoft.ContainerService', 'Microsoft.Compute'),
      'ERR_SETTINGS_INVALID',
      /"Microsoft\.ContainerService" but is "Microsoft\.Compute"/,
    ],
    [
      'wrong type',
      ID.replace('managedClusters', 'virtualMachines'),
      'ERR_SETTINGS_INVALID',
      /"managedClusters" but is "virtualMachines"/,
    ],
    [
      'resource group id only',
      `/subscriptions/${SUB}/resourceGroups/rg-ci`,
      'ERR_SETTINGS_INVALID',
      /"providers" but the id ends before it/,
    ],
    ['no cluster name', ID.replace('/aks-ci', ''), 'ERR_SETTINGS_INVALID', /cluster name \(segment 8\) is missing/],
    [
      'empty resource group',
      ID.replace('rg-ci', ''),
      'ERR_SETTINGS_INVALID',
      /resource group \(segment 4\) is missing/,
    ],
    ['a sub-resource', `${ID}/agentPools/nodepool1`, 'ERR_SETTINGS_INVALID', /unexpected "\/agentPools\/nodepool1"/],
    ['a portal URL', `https://portal.azure.com/#resource${ID}`, 'ERR_SETTINGS_INVALID', /starting with/],
  ])('%s -> %s', (_name, value, code, message) => {
    const f = failure(() => parseAksResourceId(value));
    expect(f.code).toBe(code);
    expect(f.message).toContain('"aks-cluster"');
    expect(f.message).toMatch(message);
  });

  test('the ARM URL', () => {
    expect(listCredentialUrl('https://management.azure.com/', CLUSTER)).toBe(
      `https://management.azure.com${ID}/listClusterUserCredential?api-version=2025-07-01&format=exec`,
    );
  });
});

describe('extractCluster', () => {
  const USER_TOKEN = 'a-static-user-token-never-read';
  const kubeconfig = (clusters: unknown[], extra: Record<string, unknown> = {}): string =>
    Buffer.from(
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters,
        users: [{ name: 'clusterUser_rg-ci_aks-ci', user: { token: USER_TOKEN } }],
        ...extra,
      }),
    ).toString('base64');
  const good = (server = 'https://aks-ci-dns-1234.hcp.westeurope.azmk8s.io:443') => [
    { name: 'aks-ci', cluster: { server, 'certificate-authority-data': CA } },
  ];
  const body = (...kubeconfigs: Array<{ name: string; value: string }>) => ({ kubeconfigs });

  test('server and CA from clusters[0]; nothing from users', () => {
    const found = extractCluster(body({ name: 'clusterUser', value: kubeconfig(good()) }), CLUSTER);
    expect(found).toEqual({ server: 'https://aks-ci-dns-1234.hcp.westeurope.azmk8s.io:443', caData: CA });
    expect(JSON.stringify(found)).not.toContain(USER_TOKEN);
  });

  test('two kubeconfigs: takes clusterUser', () => {
    const other = kubeconfig(good('https://other.example:443'));
    const mine = kubeconfig(good('https://mine.example:443'));
    const found = extractCluster(
      body({ name: 'clusterAdmin', value: other }, { name: 'clusterUser', value: mine }),
      CLUSTER,
    );
    expect(found.server).toBe('https://mine.example:443');
  });

  test('one kubeconfig with another name is taken; two without clusterUser are not', () => {
    expect(extractCluster(body({ name: 'user', value: kubeconfig(good()) }), CLUSTER).caData).toBe(CA);
    expect(
      failure(() =>
        extractCluster(
          body({ name: 'a', value: kubeconfig(good()) }, { name: 'b', value: kubeconfig(good()) }),
          CLUSTER,
        ),
      ).message,
    ).toMatch(/no "clusterUser" kubeconfig/);
  });

  test.each<[string, unknown, RegExp]>([
    ['not an object', null, /no "kubeconfigs"/],
    ['empty list', { kubeconfigs: [] }, /no "kubeconfigs"/],
    ['value not a string', { kubeconfigs: [{ name: 'clusterUser', value: 42 }] }, /no "clusterUser"/],
    [
      'value not YAML',
      { kubeconfigs: [{ name: 'clusterUser', value: Buffer.from('a: [').toString('base64') }] },
      /not base64 YAML/,
    ],
    ['missing cluster', body({ name: 'clusterUser', value: kubeconfig([]) }), /has no cluster/],
    [
      'cluster without server',
      body({ name: 'clusterUser', value: kubeconfig([{ name: 'x', cluster: { 'certificate-authority-data': CA } }]) }),
      /no https "server"/,
    ],
    ['http server', body({ name: 'clusterUser', value: kubeconfig(good('http://aks.example')) }), /no https "server"/],
    [
      'no CA',
      body({ name: 'clusterUser', value: kubeconfig([{ name: 'x', cluster: { server: 'https://a.example' } }]) }),
      /no "certificate-authority-data"/,
    ],
    [
      'CA not PEM',
      body({
        name: 'clusterUser',
        value: kubeconfig([
          {
            name: 'x',
            cluster: {
              server: 'https://a.example',
              'certificate-authority-data': Buffer.from('nope').toString('base64'),
            },
          },
        ]),
      }),
      /not base64 of a PEM/,
    ],
  ])('%s -> ERR_AKS_DISCOVERY', (_name, response, message) => {
    const f = failure(() => extractCluster(response, CLUSTER));
    expect(f.code).toBe('ERR_AKS_DISCOVERY');
    expect(f.message).toContain('aks-ci');
    expect(f.message).toMatch(message);
  });

  test('exit code 4', () => {
    try {
      extractCluster({}, CLUSTER);
    } catch (error) {
      expect((error as ArgoEntraError).exitCode).toBe(4);
    }
    expect.assertions(1);
  });
});
