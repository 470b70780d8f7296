import { parseForbiddenMessage } from '../cluster/forbidden.js';
import type { KubeStatus } from '../cluster/types.js';
import { ArgoEntraError } from '../errors.js';
import { type AccessTokenClaims, audiences, isoSeconds } from './claims.js';
import { type AccessCheck, leastPrivilegeRbac } from './rbac.js';

/**
 * Turn Kubernetes 401/403/404 answers into one sentence of cause and one fix. Pure: callers pass the Status
 * (and for 401 the decoded claims of the token they sent) and print the returned coded error.
 */

// ---------------------------------------------------------------------------------------------------------- 401

export type UnauthorizedCause =
  'undecodable' | 'expired' | 'not-yet-valid' | 'audience' | 'issuer-version' | 'tenant' | 'issuer' | 'unknown';

export interface ClusterExpectations {
  /** the audience the cluster accepts (AKS: 6dae42f8-4368-4678-94ff-3960e28e3630), if known */
  readonly audience?: string | undefined;
  /** the cluster's jwt issuer.url, if known */
  readonly issuer?: string | undefined;
}

export interface UnauthorizedFinding {
  readonly cause: UnauthorizedCause;
  readonly sentence: string;
  readonly fix: string;
}

export const AKS_SERVER_APP_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';

const V1_ISSUER = /^https:\/\/sts\.windows\.net\/([^/]+)\/$/i;
const V2_ISSUER = /^https:\/\/login\.microsoftonline\.com\/([^/]+)\/v2\.0$/i;
/** Resources people request by mistake instead of the cluster's app. */
const FOREIGN_AUDIENCES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^https:\/\/management\.(core\.windows\.net|azure\.com)\/?$/i, 'Azure Resource Manager'],
  [/^(https:\/\/graph\.microsoft\.com\/?|00000003-0000-0000-c000-000000000000)$/i, 'Microsoft Graph'],
  [
    /^api:\/\/AzureADTokenExchange/i,
    'the federated-credential exchange audience (a CI token, not an Entra access token)',
  ],
];
/** Entra tokens may be a few minutes off between Entra and the API server before anything breaks. */
const CLOCK_LEEWAY_S = 60;

function tenantOf(issuer: string): string | undefined {
  return V1_ISSUER.exec(issuer)?.[1] ?? V2_ISSUER.exec(issuer)?.[1];
}

/** `api://<guid>` and `<guid>` name the same app but are different audience strings to kube-apiserver. */
function bareAudience(aud: string): string {
  return aud
    .replace(/^api:\/\//i, '')
    .replace(/\/$/, '')
    .toLowerCase();
}

/** Every finding, most likely first. Always returns at least one. */
export function diagnoseUnauthorized(input: {
  readonly claims: AccessTokenClaims | undefined;
  readonly expected?: ClusterExpectations | undefined;
  readonly nowMs: number;
}): UnauthorizedFinding[] {
  const { claims, nowMs } = input;
  const expected = input.expected ?? {};
  if (claims === undefined) {
    return [
      {
        cause: 'undecodable',
        sentence: 'the bearer token sent is not a JWT, so the cluster cannot validate it as an Entra token',
        fix: 'Use kubeconfig-mode exec or token with the Entra access token; check that nothing else (a stale KUBECONFIG, a proxy) replaces the Authorization header.',
      },
    ];
  }
  const findings: UnauthorizedFinding[] = [];
  const nowS = nowMs / 1000;
  if (claims.exp !== undefined && claims.exp <= nowS) {
    findings.push({
      cause: 'expired',
      sentence: `the access token expired at ${isoSeconds(claims.exp) ?? ''} (${Math.round(nowS - claims.exp)} s ago)`,
      fix: 'Use kubeconfig-mode exec so kubectl refreshes the token, or shorten the job; if the token was just issued, the local clock is ahead: sync it (chrony / timedatectl set-ntp true).',
    });
  }
  if (claims.nbf !== undefined && claims.nbf > nowS + CLOCK_LEEWAY_S) {
    findings.push({
      cause: 'not-yet-valid',
      sentence: `the access token is not valid before ${isoSeconds(claims.nbf) ?? ''}, ${Math.round(claims.nbf - nowS)} s in the future by this machine's clock`,
      fix: "Clocks disagree: sync the runner's and the API server's clocks with NTP (argo-entra doctor measures the skew).",
    });
  }
  const auds = audiences(claims);
  if (expected.audience !== undefined && !auds.includes(expected.audience)) {
    const sameApp = auds.some((a) => bareAudience(a) === bareAudience(expected.audience ?? ''));
    findings.push({
      cause: 'audience',
      sentence: sameApp
        ? `the token's audience ${JSON.stringify(auds.join(', '))} names the cluster's app in another form than the ${JSON.stringify(expected.audience)} the cluster accepts (kube-apiserver compares audiences as exact strings)`
        : `the token's audience ${JSON.stringify(auds.join(', '))} is not the cluster's ${JSON.stringify(expected.audience)}`,
      fix: sameApp
        ? `Request scope "${expected.audience}/.default", or add "${auds[0] ?? ''}" to the cluster's jwt[].issuer.audiences.`
        : `Set scope to "${expected.audience}/.default" (the cluster's server application), or add "${auds[0] ?? ''}" to the cluster's jwt[].issuer.audiences.`,
    });
  } else if (expected.audience === undefined) {
    for (const [pattern, what] of FOREIGN_AUDIENCES) {
      if (auds.some((a) => pattern.test(a))) {
        findings.push({
          cause: 'audience',
          sentence: `the token is for ${what} (aud ${JSON.stringify(auds.join(', '))}), not for the cluster`,
          fix: `Set scope to the cluster's application: "${AKS_SERVER_APP_ID}/.default" on AKS, or "<cluster app id>/.default" for a self-managed cluster's structured authentication.`,
        });
      }
    }
  }
  if (expected.issuer !== undefined && claims.iss !== undefined && claims.iss !== expected.issuer) {
    findings.push(issuerFinding(claims, claims.iss, expected.issuer));
  }
  if (findings.length === 0 && isV2Token(claims)) {
    // AKS and most Entra-integrated clusters trust the v1 issuer (https://sts.windows.net/{tid}/); a v2 token
    // (chosen by the resource app, not the endpoint) fails there with a bare 401 and nothing else to see.
    const resource = auds[0] ?? '<resource app id>';
    const v1 =
      claims.tid === undefined ? 'https://sts.windows.net/<tenant>/' : `https://sts.windows.net/${claims.tid}/`;
    findings.push({
      cause: 'issuer-version',
      sentence: `the token is a v2 token (iss ${claims.iss ?? '?'}, ver ${claims.ver ?? '2.0'}), and clusters that trust Entra (AKS included) usually expect v1 tokens (iss ${v1}); the version is chosen by the resource app's requestedAccessTokenVersion, not by the endpoint`,
      fix: `Set requestedAccessTokenVersion to 1 (null) on the resource app (az ad app update --id ${resource} --set api.requestedAccessTokenVersion=1) so Entra issues v1 tokens for the cluster's v1 issuer ${v1}, or set the cluster's jwt[].issuer.url to exactly "${claims.iss ?? ''}" (discoveryURL: its /.well-known/openid-configuration).`,
    });
  }
  if (findings.length === 0) {
    findings.push({
      cause: 'unknown',
      sentence: `the cluster did not accept a token with issuer ${JSON.stringify(claims.iss ?? '')} and audience ${JSON.stringify(auds.join(', '))}`,
      fix: `Check the cluster's authentication configuration: jwt[].issuer.url must equal "${claims.iss ?? ''}" byte for byte (v1 tokens end in a slash), audiences must contain "${auds[0] ?? ''}", the issuer's discovery and certificateAuthority must be reachable/valid, and claimMappings.username.claim (oid on AKS) must be present. kube-apiserver's log names the exact reason.`,
    });
  }
  return findings;
}

function isV2Token(claims: AccessTokenClaims): boolean {
  return claims.ver === '2.0' || (claims.iss !== undefined && /\/v2\.0\/?$/.test(claims.iss));
}

function issuerFinding(claims: AccessTokenClaims, iss: string, expected: string): UnauthorizedFinding {
  const tokenTenant = tenantOf(iss);
  const expectedTenant = tenantOf(expected);
  const resource = audiences(claims)[0] ?? '<resource app id>';
  if (
    tokenTenant !== undefined &&
    expectedTenant !== undefined &&
    tokenTenant.toLowerCase() !== expectedTenant.toLowerCase()
  ) {
    return {
      cause: 'tenant',
      sentence: `the token was issued by tenant ${tokenTenant} but the cluster trusts tenant ${expectedTenant}`,
      fix: `Use tenant-id ${expectedTenant} (the tenant the cluster trusts), or point the cluster's issuer.url at "${iss}".`,
    };
  }
  if (V1_ISSUER.test(iss) && V2_ISSUER.test(expected)) {
    return {
      cause: 'issuer-version',
      sentence: `the token is a v1 token (iss ${iss}, ver ${claims.ver ?? '1.0'}) but the cluster expects v2 tokens (issuer ${expected}); the version is chosen by the resource app's requestedAccessTokenVersion, not by the endpoint`,
      fix: `Set requestedAccessTokenVersion to 2 on the resource app (az ad app update --id ${resource} --set api.requestedAccessTokenVersion=2), or set the cluster's issuer.url to "${iss}".`,
    };
  }
  if (V2_ISSUER.test(iss) && V1_ISSUER.test(expected)) {
    return {
      cause: 'issuer-version',
      sentence: `the token is a v2 token (iss ${iss}) but the cluster expects v1 tokens (issuer ${expected}); the version is chosen by the resource app's requestedAccessTokenVersion`,
      fix: `Set the cluster's issuer.url to "${iss}" (and discoveryURL to its /.well-known/openid-configuration), or set requestedAccessTokenVersion to 1 (null) on the resource app ${resource}.`,
    };
  }
  const nearMiss = iss.replace(/\/+$/, '').toLowerCase() === expected.replace(/\/+$/, '').toLowerCase();
  return {
    cause: 'issuer',
    sentence: nearMiss
      ? `the token's issuer "${iss}" differs from the cluster's "${expected}" only in case or a trailing slash; kube-apiserver compares byte for byte`
      : `the token's issuer "${iss}" is not the cluster's "${expected}"`,
    fix: `Set the cluster's jwt[].issuer.url to exactly "${iss}".`,
  };
}

export function explainUnauthorized(input: {
  readonly claims: AccessTokenClaims | undefined;
  readonly expected?: ClusterExpectations | undefined;
  readonly nowMs: number;
  readonly cause?: unknown;
}): ArgoEntraError {
  const findings = diagnoseUnauthorized(input);
  const [first] = findings;
  const likely = first ?? { cause: 'unknown', sentence: 'unknown', fix: '' };
  const others = findings.slice(1).map((f) => f.sentence);
  const c = input.claims;
  const details: Record<string, string> = { likelyCause: likely.cause, causes: findings.map((f) => f.cause).join(',') };
  const put = (k: string, v: string | undefined): void => {
    if (v !== undefined) details[k] = v;
  };
  if (c !== undefined) {
    put('aud', audiences(c).join(', '));
    put('iss', c.iss);
    put('ver', c.ver);
    put('exp', isoSeconds(c.exp));
    put('nbf', isoSeconds(c.nbf));
    put('tid', c.tid);
    put('oid', c.oid);
    put('appid', c.appid ?? c.azp);
  }
  put('expectedAudience', input.expected?.audience);
  put('expectedIssuer', input.expected?.issuer);
  return new ArgoEntraError(
    'ERR_KUBE_UNAUTHORIZED',
    `The API server rejected the Entra access token (401 Unauthorized): most likely ${likely.sentence}.${
      others.length > 0 ? ` Also: ${others.join('; ')}.` : ''
    }`,
    { cause: input.cause, hint: [likely.fix, ...findings.slice(1).map((f) => f.fix)].join(' '), details },
  );
}

// ---------------------------------------------------------------------------------------------------------- 403

export { parseForbiddenMessage, type ForbiddenInfo } from '../cluster/forbidden.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function azureRoleAssignmentCommand(
  assignee: string,
  clusterResourceId: string | undefined,
  namespace: string | undefined,
): string {
  const cluster =
    clusterResourceId ??
    '/subscriptions/<subscription>/resourceGroups/<resource-group>/providers/Microsoft.ContainerService/managedClusters/<cluster>';
  const scope = namespace === undefined ? cluster : `${cluster}/namespaces/${namespace}`;
  return `az role assignment create --role "Azure Kubernetes Service RBAC Writer" --assignee ${assignee} --scope ${scope}`;
}

export function explainForbidden(input: {
  readonly status: KubeStatus | string;
  /** the principal's Entra object id, for the Azure role assignment when the username is not one */
  readonly objectId?: string | undefined;
  /** ARM id of the AKS cluster, if known */
  readonly clusterResourceId?: string | undefined;
  readonly cause?: unknown;
}): ArgoEntraError {
  const message = typeof input.status === 'string' ? input.status : (input.status.message ?? '');
  const info = parseForbiddenMessage(message);
  if (info === undefined) {
    return new ArgoEntraError('ERR_KUBE_FORBIDDEN', `The API server refused the request (403): ${message}`, {
      cause: input.cause,
      hint: 'Run argo-entra doctor to see who the cluster thinks you are and which permissions are missing.',
      details: { status: message },
    });
  }
  const what =
    info.path ??
    `${info.resource}${info.subresource === undefined ? '' : `/${info.subresource}`}${info.group === '' ? '' : `.${info.group}`}`;
  const where =
    info.namespace === undefined
      ? info.path === undefined
        ? ' at the cluster scope'
        : ''
      : ` in namespace "${info.namespace}"`;
  const details: Record<string, string> = { user: info.user, verb: info.verb, resource: what };
  if (info.namespace !== undefined) details['namespace'] = info.namespace;
  if (info.name !== undefined) details['name'] = info.name;

  if (info.user === 'system:anonymous') {
    // Anonymous means no credential reached the API server at all: an RBAC grant would be the wrong fix.
    return new ArgoEntraError(
      'ERR_KUBE_UNAUTHORIZED',
      `The API server treated the request as anonymous (403 for system:anonymous on ${info.verb} ${what}): no bearer token reached it.`,
      {
        cause: input.cause,
        hint: 'The kubeconfig user sent no token: check that kubectl uses the argo-entra kubeconfig (KUBECONFIG) and that its exec plugin runs, and that no proxy strips the Authorization header. Do not grant RBAC to system:anonymous.',
        details: { ...details, likelyCause: 'anonymous' },
      },
    );
  }
  if (info.azureRbac) {
    const assignee = GUID.test(info.user) ? info.user : (input.objectId ?? info.user);
    const command = azureRoleAssignmentCommand(assignee, input.clusterResourceId, info.namespace);
    return new ArgoEntraError(
      'ERR_KUBE_FORBIDDEN',
      `User "${info.user}" may not ${info.verb} ${what}${where}: this AKS cluster authorizes with Azure RBAC, and no Azure role assignment allows it.`,
      {
        cause: input.cause,
        hint: `Add an Azure role assignment (a Kubernetes RoleBinding is not consulted for this): ${command}`,
        details: { ...details, azureRbac: 'true', command },
      },
    );
  }
  if (info.path !== undefined) {
    return new ArgoEntraError('ERR_KUBE_FORBIDDEN', `User "${info.user}" may not ${info.verb} path ${info.path}.`, {
      cause: input.cause,
      hint: `Grant a ClusterRole with nonResourceURLs ["${info.path}"] and verbs ["${info.verb}"] to "${info.user}".`,
      details,
    });
  }
  const check: AccessCheck = {
    verb: info.verb,
    group: info.group,
    resource: info.resource,
    ...(info.subresource === undefined ? {} : { subresource: info.subresource }),
    ...(info.namespace === undefined ? {} : { namespace: info.namespace }),
    ...(info.name === undefined ? {} : { name: info.name }),
  };
  const rbac = leastPrivilegeRbac({
    principal: { kind: 'user', name: info.user },
    namespace: info.namespace ?? 'default',
    checks: [check],
  });
  return new ArgoEntraError('ERR_KUBE_FORBIDDEN', `User "${info.user}" may not ${info.verb} ${what}${where}.`, {
    cause: input.cause,
    hint: `Bind a role that allows it (kubectl apply -f - with the YAML below; argo-entra rbac prints the full set for an operation):\n${rbac.yaml}`,
    details: { ...details, rbacYaml: rbac.yaml },
  });
}

// ---------------------------------------------------------------------------------------------------------- 404

/**
 * A 404 from the Kubernetes API means different things: a namespace that does not exist, Argo's CRDs not installed
 * (the group/resource is not served: "the server could not find the requested resource"), or an object that is
 * not there. Undefined when the Status is not a 404.
 */
export function explainNotFound(status: KubeStatus, path: string, cause?: unknown): ArgoEntraError | undefined {
  if (status.code !== undefined && status.code !== 404) return undefined;
  const message = status.message ?? '';
  const ns =
    /^namespaces "([^"]+)" not found/.exec(message)?.[1] ??
    (status.details?.kind === 'namespaces' ? status.details.name : undefined);
  if (ns !== undefined) {
    return new ArgoEntraError('ERR_KUBE_NAMESPACE_NOT_FOUND', `Namespace "${ns}" does not exist on this cluster.`, {
      cause,
      hint: `Create it (kubectl create namespace ${ns}) or set namespace to an existing one where Argo Workflows runs.`,
      details: { namespace: ns },
    });
  }
  const argoPath = /\/apis\/argoproj\.io\//.test(path);
  if (argoPath && (status.details?.name === undefined || /could not find the requested resource/i.test(message))) {
    return new ArgoEntraError(
      'ERR_ARGO_CRD_MISSING',
      'Argo Workflows is not installed on this cluster: the argoproj.io Workflow resources are not served.',
      {
        cause,
        hint: 'Install Argo Workflows (its CRDs and workflow-controller), e.g. kubectl apply --server-side -f https://github.com/argoproj/argo-workflows/releases/latest/download/install.yaml, or point server at the cluster that runs it.',
        details: { path },
      },
    );
  }
  const kind = status.details?.kind;
  const name = status.details?.name;
  if (name !== undefined && (kind === 'workflowtemplates' || kind === 'clusterworkflowtemplates')) {
    return new ArgoEntraError(
      'ERR_ARGO_TEMPLATE_NOT_FOUND',
      `${kind === 'clusterworkflowtemplates' ? 'ClusterWorkflowTemplate' : 'WorkflowTemplate'} "${name}" does not exist.`,
      {
        cause,
        hint: `Check the template name and scope (cluster-scope: ${kind === 'clusterworkflowtemplates' ? 'true' : 'false'}); list them with kubectl get ${kind}${kind === 'workflowtemplates' ? ' -n <namespace>' : ''}.`,
        details: { kind, name },
      },
    );
  }
  if (name !== undefined && kind === 'workflows') {
    return new ArgoEntraError('ERR_ARGO_WORKFLOW_NOT_FOUND', `Workflow "${name}" does not exist.`, {
      cause,
      hint: 'Check the workflow name and namespace; a finished workflow may have been deleted by its ttlStrategy or podGC settings.',
      details: { kind, name },
    });
  }
  return undefined;
}
