/**
 * Reading the API server's answers: which 404 is which, and which failures are worth retrying.
 * Kept apart so submit, wait and ops classify the same body the same way.
 */
import { ArgoEntraError, isArgoEntraError } from '../errors.js';
import type { KubeClient, KubeRequest, KubeResponse, KubeStatus } from '../cluster/types.js';

export function asStatus(body: unknown): KubeStatus | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  return b['kind'] === 'Status' || typeof b['code'] === 'number' ? (body as KubeStatus) : undefined;
}

export function statusMessage(body: unknown): string {
  const status = asStatus(body);
  if (status?.message) return status.message;
  if (typeof body === 'string' && body.trim() !== '') return body.trim().slice(0, 500);
  return 'no message';
}

export type NotFoundKind = 'object' | 'namespace' | 'resource-type';

/**
 * A 404 on a named object carries `details.name`; a missing namespace names kind `namespaces`; a resource type the
 * server does not serve (CRD not installed) comes back as a bare 404 (`404 page not found` text, or a Status with
 * no details) because no handler exists for the path.
 */
export function classifyNotFound(body: unknown): NotFoundKind {
  const status = asStatus(body);
  const details = status?.details;
  if (details?.kind === 'namespaces') return 'namespace';
  if (details?.name !== undefined && details.name !== '') return 'object';
  return 'resource-type';
}

/** Connection faults, 429 and 5xx: the caller backs off and tries again. 401/403/4xx are answers, not faults. */
export function isTransient(error: unknown): boolean {
  if (!isArgoEntraError(error)) return false;
  if (error.code === 'ERR_KUBE_UNREACHABLE') return true;
  if (error.code !== 'ERR_KUBE_REQUEST') return false;
  const status = Number(error.details['status']);
  return status === 429 || status >= 500 || Number.isNaN(status);
}

export function crdMissing(namespace: string, cause?: unknown): ArgoEntraError {
  return new ArgoEntraError(
    'ERR_ARGO_CRD_MISSING',
    `The API server does not serve workflows.argoproj.io/v1alpha1 (looked in namespace "${namespace}"): Argo's CRDs are not installed on this cluster.`,
    {
      cause,
      hint: 'Install Argo Workflows (its CRDs, applied server-side: kubectl apply --server-side -f ...), or point the action at the cluster that runs it.',
      details: { namespace },
    },
  );
}

export function namespaceMissing(namespace: string): ArgoEntraError {
  return new ArgoEntraError(
    'ERR_KUBE_NAMESPACE_NOT_FOUND',
    `Namespace "${namespace}" does not exist on this cluster.`,
    {
      hint: 'Check the namespace input: it must name an existing namespace that Argo watches.',
      details: { namespace },
    },
  );
}

export function workflowNotFound(namespace: string, name: string): ArgoEntraError {
  return new ArgoEntraError(
    'ERR_ARGO_WORKFLOW_NOT_FOUND',
    `Workflow "${name}" was not found in namespace "${namespace}".`,
    {
      hint: 'Check workflow-name and namespace; a workflow may also have been deleted by its TTL strategy or podGC settings.',
      details: { namespace, name },
    },
  );
}

/** Turn a 404 body on a workflow path into the right coded error. */
export function notFoundError(namespace: string, name: string, body: unknown): ArgoEntraError {
  switch (classifyNotFound(body)) {
    case 'namespace':
      return namespaceMissing(namespace);
    case 'resource-type':
      return crdMissing(namespace);
    case 'object':
      return workflowNotFound(namespace, name);
  }
}

/**
 * client.request for Argo paths. When the argoproj.io group is not served at all the API server answers 404 with
 * the plain text `404 page not found`, which the client cannot hand back as a body (it is not JSON) and throws as
 * ERR_KUBE_REQUEST status 404: that is the CRD-missing case, so it is named as such here.
 */
export async function argoRequest<T>(
  client: KubeClient,
  req: KubeRequest,
  namespace: string,
): Promise<KubeResponse<T>> {
  try {
    return await client.request<T>(req);
  } catch (error) {
    if (isArgoEntraError(error) && error.code === 'ERR_KUBE_REQUEST' && error.details['status'] === '404')
      throw crdMissing(namespace, error);
    throw error;
  }
}
