/**
 * Reads the RBAC authorizer's 403 wording (k8s.io/apiserver responsewriters forbiddenMessage): who was refused which
 * verb on what. One parser for the client's error details and the diagnostics' fix.
 */
export interface ForbiddenInfo {
  readonly user: string;
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource: string | undefined;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  /** AKS with Azure RBAC appends its own sentence: the fix is an Azure role assignment, not a RoleBinding. */
  readonly azureRbac: boolean;
  /** non-resource URL, e.g. /apis, instead of a resource */
  readonly path: string | undefined;
}

const USER = '"((?:[^"\\\\]|\\\\.)*)"';
const RESOURCE_DENIAL = new RegExp(
  `User ${USER} cannot (\\S+) resource "([^"]+)" in API group "([^"]*)"(?: in the namespace "([^"]*)"| at the cluster scope)?`,
);
const PATH_DENIAL = new RegExp(`User ${USER} cannot (\\S+) path "([^"]+)"`);
const NAMED_OBJECT = /^(\S+) "([^"]+)" is forbidden:/;
const AZURE_RBAC = /does not have access to the resource in Azure/i;

function unescape(quoted: string): string {
  return quoted.replace(/\\(.)/g, '$1');
}

/** Undefined when the message is not the authorizer's (a webhook's or a proxy's own text). */
export function parseForbiddenMessage(message: string): ForbiddenInfo | undefined {
  const azureRbac = AZURE_RBAC.test(message);
  const m = RESOURCE_DENIAL.exec(message);
  if (m !== null) {
    const [resource = '', subresource] = (m[3] ?? '').split('/', 2);
    return {
      user: unescape(m[1] ?? ''),
      verb: m[2] ?? '',
      resource,
      subresource,
      group: m[4] ?? '',
      namespace: m[5],
      name: NAMED_OBJECT.exec(message)?.[2],
      azureRbac,
      path: undefined,
    };
  }
  const p = PATH_DENIAL.exec(message);
  if (p !== null) {
    return {
      user: unescape(p[1] ?? ''),
      verb: p[2] ?? '',
      resource: '',
      subresource: undefined,
      group: '',
      namespace: undefined,
      name: undefined,
      azureRbac,
      path: p[3],
    };
  }
  return undefined;
}
