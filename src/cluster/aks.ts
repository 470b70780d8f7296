/**
 * AKS cluster discovery through ARM (wire-facts section 2, "ARM"): an AKS resource id -> `listClusterUserCredential`
 * (format=exec) -> the API server URL and CA bundle of the cluster. Only the `clusters` section of the returned
 * kubeconfig is read; its `users` section (an exec/kubelogin stanza, or on non-Entra clusters a real credential) is
 * never looked at, kept or logged.
 */
import { parse as parseYaml } from 'yaml';
import { ArgoEntraError } from '../errors.js';
import type { AksClusterId } from '../settings/aks-cluster.js';

// The resource id is an input: settings parses it; discovery only uses the parsed form.
export { parseAksResourceId, type AksClusterId } from '../settings/aks-cluster.js';

export const DEFAULT_ARM_ENDPOINT = 'https://management.azure.com';
export const ARM_API_VERSION = '2025-07-01';
export const CLUSTER_USER_ROLE = 'Azure Kubernetes Service Cluster User Role';

export interface DiscoveredCluster {
  /** https URL of the API server */
  readonly server: string;
  /** base64 PEM bundle, as in a kubeconfig */
  readonly caData: string;
}

/** `POST {arm}{id}/listClusterUserCredential?api-version=...&format=exec` */
export function listCredentialUrl(armEndpoint: string, cluster: AksClusterId): string {
  return `${armEndpoint.replace(/\/+$/, '')}${cluster.id}/listClusterUserCredential?api-version=${ARM_API_VERSION}&format=exec`;
}

function malformed(cluster: AksClusterId, why: string): ArgoEntraError {
  return new ArgoEntraError(
    'ERR_AKS_DISCOVERY',
    `ARM's listClusterUserCredential answer for AKS cluster ${cluster.name} could not be used: ${why}.`,
    {
      hint:
        'Check "arm-endpoint" points at Azure Resource Manager (https://management.azure.com, or your sovereign ' +
        'cloud\'s), or give "server" and "certificate-authority-data" yourself instead of "aks-cluster".',
      details: { cluster: cluster.id },
    },
  );
}

/**
 * The `{"kubeconfigs":[{name, value: base64 kubeconfig}]}` answer -> server + CA. Takes the `clusterUser`
 * kubeconfig (else the only one), and its first cluster.
 */
export function extractCluster(body: unknown, cluster: AksClusterId): DiscoveredCluster {
  const list = (body as { kubeconfigs?: unknown } | null)?.kubeconfigs;
  if (!Array.isArray(list) || list.length === 0) throw malformed(cluster, 'no "kubeconfigs" in the response');
  const entries = list as Array<{ name?: unknown; value?: unknown } | null>;
  const chosen = entries.find((k) => k?.name === 'clusterUser') ?? (entries.length === 1 ? entries[0] : undefined);
  if (chosen === undefined || chosen === null || typeof chosen.value !== 'string') {
    throw malformed(cluster, 'no "clusterUser" kubeconfig in the response');
  }
  let doc: unknown;
  try {
    doc = parseYaml(Buffer.from(chosen.value, 'base64').toString('utf8'));
  } catch {
    throw malformed(cluster, 'the kubeconfig is not base64 YAML');
  }
  const clusters = (doc as { clusters?: unknown } | null)?.clusters;
  const first = Array.isArray(clusters)
    ? (clusters[0] as { cluster?: Record<string, unknown> } | undefined)
    : undefined;
  const entry = first?.cluster;
  if (entry === undefined || entry === null || typeof entry !== 'object') {
    throw malformed(cluster, 'the kubeconfig has no cluster');
  }
  const server = entry['server'];
  if (typeof server !== 'string' || !/^https:\/\/[^\s/]+/.test(server)) {
    throw malformed(cluster, 'the kubeconfig\'s cluster has no https "server"');
  }
  const caData = entry['certificate-authority-data'];
  if (typeof caData !== 'string' || caData.trim() === '') {
    throw malformed(cluster, 'the kubeconfig\'s cluster has no "certificate-authority-data"');
  }
  const pem = Buffer.from(caData.trim(), 'base64').toString('utf8');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw malformed(cluster, '"certificate-authority-data" is not base64 of a PEM certificate');
  }
  return { server: server.replace(/\/+$/, ''), caData: caData.trim() };
}

/** ARM's error body: `{"error":{"code","message"}}`; the message names principals and scopes, never a token. */
function armError(text: string): { code: string | undefined; message: string | undefined } {
  try {
    const e = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    return {
      code: typeof e?.code === 'string' ? e.code : undefined,
      message: typeof e?.message === 'string' ? e.message.slice(0, 600) : undefined,
    };
  } catch {
    return { code: undefined, message: undefined };
  }
}

export interface DiscoverOptions {
  readonly armEndpoint: string;
  readonly cluster: AksClusterId;
  readonly token: string;
  /** shown in the role-assignment hint */
  readonly clientId: string;
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number;
  readonly fetchImpl?: typeof fetch;
}

/** One POST to ARM. 401/403/404/other statuses, network and TLS faults all become ERR_AKS_DISCOVERY with a fix. */
export async function discoverAksCluster(o: DiscoverOptions): Promise<DiscoveredCluster> {
  const { cluster } = o;
  const url = listCredentialUrl(o.armEndpoint, cluster);
  const timeout = AbortSignal.timeout(o.timeoutMs ?? 30_000);
  const signal = o.signal === undefined ? timeout : AbortSignal.any([o.signal, timeout]);
  const base = { details: { cluster: cluster.id } };
  let response: Response;
  try {
    response = await (o.fetchImpl ?? fetch)(url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${o.token}`, Accept: 'application/json', 'Content-Length': '0' },
      signal,
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const text = `${cause?.code ?? ''} ${cause?.message ?? (error as Error).message ?? ''}`.trim();
    const tls = /certificate|CERT_|SSL|TLS|self[- ]signed/i.test(text);
    const timedOut = timeout.aborted;
    throw new ArgoEntraError(
      'ERR_AKS_DISCOVERY',
      `Could not reach Azure Resource Manager at ${o.armEndpoint} to discover AKS cluster ${cluster.name}: ` +
        `${timedOut ? 'timed out' : text || 'network error'}.`,
      {
        ...base,
        cause: error,
        hint: tls
          ? `The TLS certificate of ${o.armEndpoint} is not trusted: a TLS-inspecting proxy needs its CA in NODE_EXTRA_CA_CERTS.`
          : `Check the runner can reach ${o.armEndpoint} (proxy, firewall, DNS) and "arm-endpoint" is right for your cloud.`,
      },
    );
  }
  const text = await response.text().catch(() => '');
  if (response.status === 401 || response.status === 403) {
    const e = armError(text);
    throw new ArgoEntraError(
      'ERR_AKS_DISCOVERY',
      `Azure Resource Manager refused listClusterUserCredential on AKS cluster ${cluster.name} (HTTP ${response.status}` +
        `${e.code === undefined ? '' : ` ${e.code}`})${e.message === undefined ? '' : `: ${e.message}`}`,
      {
        ...base,
        hint:
          (response.status === 401
            ? `ARM did not accept the token: check "arm-endpoint" (${o.armEndpoint}) is your cloud's Resource Manager, whose token audience it is. Then: `
            : '') +
          `The identity needs the "${CLUSTER_USER_ROLE}" on the cluster (action Microsoft.ContainerService/managedClusters/listClusterUserCredential/action):\n` +
          `az role assignment create --role "${CLUSTER_USER_ROLE}" --assignee ${o.clientId} --scope ${cluster.id}\n` +
          'Role assignments can take a few minutes to apply.',
      },
    );
  }
  if (response.status === 404) {
    const e = armError(text);
    const what =
      e.code === 'ResourceGroupNotFound' ? `Resource group ${cluster.resourceGroup}` : `AKS cluster ${cluster.name}`;
    throw new ArgoEntraError(
      'ERR_AKS_DISCOVERY',
      `${what} was not found (subscription ${cluster.subscriptionId}, resource group ${cluster.resourceGroup}, cluster ${cluster.name})` +
        `${e.code === undefined ? '' : `: ${e.code}`}.`,
      {
        ...base,
        hint: `Check "aks-cluster" (${cluster.id}): az aks show -g ${cluster.resourceGroup} -n ${cluster.name} --subscription ${cluster.subscriptionId} --query id -o tsv`,
      },
    );
  }
  if (!response.ok) {
    const e = armError(text);
    throw new ArgoEntraError(
      'ERR_AKS_DISCOVERY',
      `Azure Resource Manager answered HTTP ${response.status}${e.code === undefined ? '' : ` ${e.code}`} to listClusterUserCredential on AKS cluster ${cluster.name}` +
        `${e.message === undefined ? '' : `: ${e.message}`}.`,
      {
        ...base,
        hint: "Retry later; if it persists, check the Azure status page and the cluster's state (az aks show).",
      },
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw malformed(cluster, 'the response is not JSON');
  }
  return extractCluster(body, cluster);
}
