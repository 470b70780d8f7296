import { ArgoEntraError } from '../errors.js';

/** An AKS cluster's ARM resource id, checked as settings are parsed (the `aks-cluster` input). */
export interface AksClusterId {
  /** the resource id as given (trailing slash removed) */
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
}

const EXAMPLE_ID =
  '/subscriptions/<subscription-id>/resourceGroups/<resource-group>/providers/Microsoft.ContainerService/managedClusters/<name>';

function invalidId(value: string, why: string): ArgoEntraError {
  const shown = value.length > 200 ? `${value.slice(0, 197)}...` : value;
  return new ArgoEntraError('ERR_SETTINGS_INVALID', `Input "aks-cluster" is "${shown}": ${why}.`, {
    hint: `Set "aks-cluster" to the cluster's ARM resource id, ${EXAMPLE_ID} (az aks show -g RG -n NAME --query id -o tsv).`,
    details: { input: 'aks-cluster' },
  });
}

const SEGMENT = /^[^/?#\s]+$/;

/** Parse and check an AKS resource id. Keywords and the provider/type compare case-insensitively, as ARM does. */
export function parseAksResourceId(value: string): AksClusterId {
  const id = value.trim().replace(/\/+$/, '');
  if (!id.startsWith('/')) throw invalidId(value, `expected an ARM resource id starting with "/subscriptions/"`);
  const parts = id.slice(1).split('/');
  const expect = (index: number, keyword: string): void => {
    const got = parts[index];
    if (got === undefined || got.toLowerCase() !== keyword.toLowerCase()) {
      throw invalidId(
        value,
        `segment ${index + 1} should be "${keyword}"${got === undefined ? ' but the id ends before it' : ` but is "${got}"`}`,
      );
    }
  };
  const value_ = (index: number, what: string): string => {
    const got = parts[index];
    if (got === undefined || got === '' || !SEGMENT.test(got)) {
      throw invalidId(
        value,
        `the ${what} (segment ${index + 1}) is ${got === undefined || got === '' ? 'missing' : `"${got}", not a valid name`}`,
      );
    }
    return got;
  };
  expect(0, 'subscriptions');
  const subscriptionId = value_(1, 'subscription id');
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(subscriptionId)) {
    throw invalidId(value, `the subscription id "${subscriptionId}" is not a GUID`);
  }
  expect(2, 'resourceGroups');
  const resourceGroup = value_(3, 'resource group');
  expect(4, 'providers');
  expect(5, 'Microsoft.ContainerService');
  expect(6, 'managedClusters');
  const name = value_(7, 'cluster name');
  if (parts.length > 8) {
    throw invalidId(
      value,
      `unexpected "/${parts.slice(8).join('/')}" after the cluster name (give the cluster itself)`,
    );
  }
  return { id, subscriptionId, resourceGroup, name };
}
