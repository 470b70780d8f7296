import { canI, rulesReview, whoAmI as clusterWhoAmI } from '../cluster/access.js';
import type { KubeClient } from '../cluster/types.js';
import { ArgoEntraError, isArgoEntraError, toArgoEntraError } from '../errors.js';
import type { LeastPrivilegeMode, WorkflowSource } from '../settings/types.js';
import type { AccessReviews, UserInfo } from './access-reviews.js';
import { azureRoleAssignmentCommand } from './kube-errors.js';
import { type OverPrivilegeFinding, analyzeRules } from './over-privilege.js';
import { type AccessCheck, ARGO_GROUP, describeCheck, leastPrivilegeRbac } from './rbac.js';

/**
 * Before touching any workflow: who does the cluster think we are, can we do exactly what this operation needs,
 * and can we do much more than that. Every check runs (so `doctor` can print all of them); `problems` holds the
 * coded errors a run must stop on, in the order a person should fix them.
 */

export interface PreflightInput {
  readonly namespace: string;
  /** from requiredAccess(operation, settings) */
  readonly checks: readonly AccessCheck[];
  readonly leastPrivilege: LeastPrivilegeMode;
  /** the referenced template, checked for existence once access to it is confirmed */
  readonly template?: WorkflowSource | undefined;
  /** ARM id of an AKS cluster, for Azure role assignment commands */
  readonly clusterResourceId?: string | undefined;
}

export interface CheckResult {
  readonly check: AccessCheck;
  readonly allowed: boolean;
  readonly reason: string | undefined;
}

export interface PreflightResult {
  readonly user: UserInfo | undefined;
  readonly checks: readonly CheckResult[];
  readonly missing: readonly AccessCheck[];
  readonly overPrivilege: readonly OverPrivilegeFinding[];
  /** each of these stops a run; doctor prints them all */
  readonly problems: readonly ArgoEntraError[];
  readonly warnings: readonly string[];
  /** facts worth a debug line (e.g. a check that could not be made) */
  readonly notes: readonly string[];
}

const AZURE_RBAC = /access to the resource in Azure|azure/i;

/** The product's review calls (src/cluster/access.ts); tests and callers may pass another implementation. */
export const clusterAccessReviews: AccessReviews = { whoAmI: clusterWhoAmI, canI, rulesReview };

async function whoAmI(client: KubeClient, access: AccessReviews, notes: string[]): Promise<UserInfo | undefined> {
  let user: UserInfo | undefined;
  try {
    user = await access.whoAmI(client);
  } catch (error) {
    // Authentication errors must propagate; a refused review only costs us the username.
    if (!(isArgoEntraError(error) && (error.code === 'ERR_KUBE_REQUEST' || error.code === 'ERR_KUBE_FORBIDDEN')))
      throw error;
    notes.push(`SelfSubjectReview failed (${error.message}); the username in RBAC hints is a placeholder.`);
    return undefined;
  }
  // SelfSubjectReview is GA since 1.28; older clusters answer 404.
  if (user === undefined)
    notes.push('SelfSubjectReview is not served (Kubernetes < 1.28); the username in RBAC hints is a placeholder.');
  return user;
}

async function argoServed(client: KubeClient, problems: ArgoEntraError[]): Promise<void> {
  const path = `/apis/${ARGO_GROUP}/v1alpha1`;
  // Discovery is readable by every authenticated user (system:discovery), unlike the CRD objects themselves.
  const res = await client.request<{ resources?: Array<{ name?: string }> }>({ method: 'GET', path, accept: [404] });
  const served = res.status !== 404 && (res.body.resources ?? []).some((r) => r.name === 'workflows');
  if (!served) {
    problems.push(
      new ArgoEntraError(
        'ERR_ARGO_CRD_MISSING',
        'Argo Workflows is not installed on this cluster: argoproj.io/v1alpha1 workflows are not served.',
        {
          hint: 'Install Argo Workflows (CRDs applied server-side, and the workflow-controller), or point server at the cluster that runs it.',
          details: { path },
        },
      ),
    );
  }
}

async function namespaceExists(
  client: KubeClient,
  namespace: string,
  problems: ArgoEntraError[],
  notes: string[],
): Promise<void> {
  const res = await client.request<unknown>({
    method: 'GET',
    path: `/api/v1/namespaces/${encodeURIComponent(namespace)}`,
    accept: [403, 404],
  });
  if (res.status === 404) {
    problems.push(
      new ArgoEntraError('ERR_KUBE_NAMESPACE_NOT_FOUND', `Namespace "${namespace}" does not exist on this cluster.`, {
        hint: `Create it (kubectl create namespace ${namespace}) or set namespace to the one where Argo Workflows runs.`,
        details: { namespace },
      }),
    );
  } else if (res.status === 403) {
    // The norm for a namespace-scoped identity; not having this permission is good, not a problem.
    notes.push(`Cannot read namespace "${namespace}" (no get on namespaces): its existence is not checked here.`);
  }
}

function forbiddenError(
  user: UserInfo | undefined,
  input: PreflightInput,
  denied: readonly CheckResult[],
): ArgoEntraError {
  const username = user?.username !== undefined && user.username !== '' ? user.username : '<username>';
  const list = denied.map((d) => describeCheck(d.check));
  const azure = denied.some((d) => d.reason !== undefined && AZURE_RBAC.test(d.reason));
  const details: Record<string, string> = {
    user: username,
    missing: list.join('; '),
    verbs: [...new Set(denied.map((d) => d.check.verb))].join(','),
    resources: [
      ...new Set(
        denied.map((d) => d.check.resource + (d.check.subresource === undefined ? '' : `/${d.check.subresource}`)),
      ),
    ].join(','),
  };
  let hint: string;
  if (azure) {
    const command = azureRoleAssignmentCommand(username, input.clusterResourceId, input.namespace);
    details['azureRbac'] = 'true';
    details['command'] = command;
    hint = `This AKS cluster authorizes with Azure RBAC: add a role assignment: ${command}`;
  } else {
    // All required checks, not only the denied ones: a partial grant invites a second round of failures.
    const rbac = leastPrivilegeRbac({
      principal: { kind: 'user', name: username },
      namespace: input.namespace,
      checks: input.checks,
    });
    details['rbacYaml'] = rbac.yaml;
    hint = `Apply this least-privilege Role and RoleBinding (kubectl apply -f -), or bind it to an Entra group instead of the user:\n${rbac.yaml}`;
  }
  return new ArgoEntraError(
    'ERR_KUBE_FORBIDDEN',
    `"${username}" is missing permissions this operation needs: ${list.join('; ')}.`,
    {
      hint,
      details,
    },
  );
}

async function templateExists(client: KubeClient, input: PreflightInput, problems: ArgoEntraError[]): Promise<void> {
  const t = input.template;
  if (t?.kind !== 'template') return;
  const path = t.clusterScope
    ? `/apis/${ARGO_GROUP}/v1alpha1/clusterworkflowtemplates/${encodeURIComponent(t.name)}`
    : `/apis/${ARGO_GROUP}/v1alpha1/namespaces/${encodeURIComponent(input.namespace)}/workflowtemplates/${encodeURIComponent(t.name)}`;
  const res = await client.request<unknown>({ method: 'GET', path, accept: [404] });
  if (res.status === 404) {
    const kind = t.clusterScope ? 'ClusterWorkflowTemplate' : 'WorkflowTemplate';
    const existing = await listTemplateNames(client, path.slice(0, path.lastIndexOf('/')));
    const known =
      existing === undefined
        ? ''
        : existing.length === 0
          ? ` There are no ${kind}s${t.clusterScope ? '' : ` in "${input.namespace}"`}.`
          : ` Existing ${kind}s${t.clusterScope ? '' : ` in "${input.namespace}"`}: ${existing.join(', ')}.`;
    problems.push(
      new ArgoEntraError(
        'ERR_ARGO_TEMPLATE_NOT_FOUND',
        `${kind} "${t.name}" does not exist${t.clusterScope ? '' : ` in namespace "${input.namespace}"`}.`,
        {
          hint: `Check the name "${t.name}" and cluster-scope (currently ${String(t.clusterScope)}); list them with kubectl get ${t.clusterScope ? 'clusterworkflowtemplates' : `workflowtemplates -n ${input.namespace}`}.${known}`,
          details: { kind, name: t.name },
        },
      ),
    );
  }
}

/** Names of the templates there are, when the identity may list them (a hint, never a requirement). */
async function listTemplateNames(client: KubeClient, path: string): Promise<string[] | undefined> {
  try {
    const res = await client.request<{ items?: Array<{ metadata?: { name?: string } }> }>({
      method: 'GET',
      path,
      accept: [403, 404],
    });
    if (res.status !== 200) return undefined;
    return (res.body.items ?? [])
      .map((i) => i.metadata?.name ?? '')
      .filter((n) => n !== '')
      .slice(0, 20);
  } catch {
    return undefined;
  }
}

async function overPrivilege(
  client: KubeClient,
  access: AccessReviews,
  input: PreflightInput,
  notes: string[],
): Promise<OverPrivilegeFinding[]> {
  const review = await access.rulesReview(client, input.namespace);
  if (review.incomplete === true)
    notes.push(
      `Rules review incomplete${review.evaluationError === undefined ? '' : `: ${review.evaluationError}`}; over-privilege findings may be partial (webhook authorizers such as Azure RBAC do not list rules).`,
    );
  const findings = analyzeRules(review);
  // The rules review is per namespace; whether the grant reaches every namespace needs its own question.
  const primary = input.checks.find(
    (c) => c.group === ARGO_GROUP && c.resource === 'workflows' && c.namespace !== undefined,
  );
  if (primary !== undefined) {
    const { namespace: _ns, ...clusterWide } = primary;
    const everywhere = await access.canI(client, clusterWide);
    if (everywhere.allowed) {
      findings.push({
        kind: 'all-namespaces',
        description: `can ${primary.verb} workflows in every namespace, not only "${input.namespace}"`,
      });
    }
  }
  return findings;
}

export async function runPreflight(
  client: KubeClient,
  input: PreflightInput,
  access: AccessReviews = clusterAccessReviews,
): Promise<PreflightResult> {
  const problems: ArgoEntraError[] = [];
  const warnings: string[] = [];
  const notes: string[] = [];
  let user: UserInfo | undefined;
  try {
    user = await whoAmI(client, access, notes);
  } catch (error) {
    // Not authenticated: every later check would fail the same way.
    return {
      user: undefined,
      checks: [],
      missing: [],
      overPrivilege: [],
      problems: [toArgoEntraError(error)],
      warnings,
      notes,
    };
  }
  await argoServed(client, problems);
  await namespaceExists(client, input.namespace, problems, notes);

  const checks: CheckResult[] = await Promise.all(
    input.checks.map(async (check) => {
      const status = await access.canI(client, check);
      return { check, allowed: status.allowed, reason: status.reason ?? status.evaluationError };
    }),
  );
  const denied = checks.filter((c) => !c.allowed);
  if (denied.length > 0) problems.push(forbiddenError(user, input, denied));
  else await templateExists(client, input, problems);

  let findings: OverPrivilegeFinding[] = [];
  if (input.leastPrivilege !== 'off') {
    try {
      findings = await overPrivilege(client, access, input, notes);
    } catch (error) {
      // A cluster that refuses rules reviews must not block a run that has exactly the access it needs.
      notes.push(`Over-privilege check skipped: ${toArgoEntraError(error).message}`);
    }
    if (findings.length > 0) {
      const summary = findings.map((f) => f.description).join('; ');
      if (input.leastPrivilege === 'enforce') {
        problems.push(
          new ArgoEntraError(
            'ERR_LEAST_PRIVILEGE',
            `"${user?.username ?? 'this identity'}" has more access than argo-entra needs: ${summary}.`,
            {
              hint: leastPrivilegeHint(user, input),
              details: { findings: findings.map((f) => f.kind).join(','), user: user?.username ?? '' },
            },
          ),
        );
      } else {
        warnings.push(
          `Over-privileged identity "${user?.username ?? ''}": ${summary}. argo-entra needs only the Role that argo-entra rbac prints.`,
        );
      }
    }
  }
  return { user, checks, missing: denied.map((d) => d.check), overPrivilege: findings, problems, warnings, notes };
}

function leastPrivilegeHint(user: UserInfo | undefined, input: PreflightInput): string {
  const username = user?.username !== undefined && user.username !== '' ? user.username : '<username>';
  const names = [username, ...(user?.groups ?? []).filter((g) => !g.startsWith('system:'))];
  const rbac = leastPrivilegeRbac({
    principal: { kind: 'user', name: username },
    namespace: input.namespace,
    checks: input.checks,
  });
  return (
    `Remove the broader bindings of "${username}" (find them with: kubectl get rolebindings,clusterrolebindings -A -o wide | grep -E '${names.join('|')}') ` +
    `and bind it only to this least-privilege Role (or set least-privilege: warn):\n${rbac.yaml}`
  );
}

/** Throws the first problem (the one to fix first); returns when the run may go on. */
export function assertPreflight(result: PreflightResult): void {
  const [first] = result.problems;
  if (first !== undefined) throw first;
}

/** Human lines for the log / doctor report. No token can appear: only names, verbs and findings go in. */
export function formatPreflight(result: PreflightResult): string[] {
  const lines: string[] = [];
  if (result.user !== undefined) {
    const groups = result.user.groups ?? [];
    lines.push(
      `Cluster identity: username "${result.user.username}"${groups.length === 0 ? '' : `, groups: ${groups.join(', ')}`}`,
    );
  }
  for (const c of result.checks) lines.push(`  ${c.allowed ? 'ok     ' : 'DENIED '} ${describeCheck(c.check)}`);
  for (const f of result.overPrivilege) lines.push(`  over-privileged (${f.kind}): ${f.description}`);
  for (const p of result.problems) lines.push(`  problem [${p.code}]: ${p.message}`);
  return lines;
}
