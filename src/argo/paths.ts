/** REST paths of the Argo resources on the Kubernetes API (no argo-server involved). */

const GROUP = '/apis/argoproj.io/v1alpha1';

export function workflowsPath(namespace: string): string {
  return `${GROUP}/namespaces/${encodeURIComponent(namespace)}/workflows`;
}

export function workflowPath(namespace: string, name: string): string {
  return `${workflowsPath(namespace)}/${encodeURIComponent(name)}`;
}

export function workflowTemplatePath(namespace: string, name: string): string {
  return `${GROUP}/namespaces/${encodeURIComponent(namespace)}/workflowtemplates/${encodeURIComponent(name)}`;
}

export function clusterWorkflowTemplatePath(name: string): string {
  return `${GROUP}/clusterworkflowtemplates/${encodeURIComponent(name)}`;
}

export function podPath(namespace: string, name: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}`;
}
