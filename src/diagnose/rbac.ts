import { stringify } from 'yaml';
import type { ClusterSettings, Operation, WorkflowSettings, WorkflowSource } from '../settings/types.js';

/**
 * Exactly what an operation needs from Kubernetes RBAC, as SelfSubjectAccessReview attributes (preflight checks
 * these) and as the least-privilege Role/RoleBinding that grants them (printed in hints and by `argo-entra rbac`).
 * The list follows the wire facts: workflows create/get/list/watch; +patch for stop/terminate/suspend/resume;
 * +update for retry/resume; pods delete for retry; templates get when referenced; pods and pods/log get for logs.
 */

export const ARGO_GROUP = 'argoproj.io';

export interface AccessCheck {
  readonly verb: string;
  /** API group; '' is the core group */
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  /** absent for cluster-scoped resources (and for "in every namespace" checks) */
  readonly namespace?: string;
  readonly name?: string;
}

/** The settings `requiredAccess` reads; a full `Settings` fits. */
export interface AccessSettings {
  readonly cluster: Pick<ClusterSettings, 'namespace'>;
  readonly workflow: Pick<WorkflowSettings, 'source' | 'wait'> &
    Partial<Pick<WorkflowSettings, 'onTimeout' | 'onCancel'>>;
}

export interface AccessOptions {
  /** the run prints pod logs (pods get, pods/log get) */
  readonly logs?: boolean;
}

const WATCH_VERBS = ['get', 'list', 'watch'] as const;

/** Workflow verbs per operation, before wait/logs/template additions. */
const WORKFLOW_VERBS: Readonly<Record<Operation, readonly string[]>> = {
  // get/list/watch even without wait: submit looks for an earlier attempt's workflow (idempotency) and reads back
  // what it created; the wire facts list the four together as "what a submitter needs".
  submit: ['create', 'get', 'list', 'watch'],
  wait: ['get', 'list', 'watch'],
  stop: ['get', 'patch'],
  terminate: ['get', 'patch'],
  suspend: ['get', 'patch'],
  // resume clears spec.suspend (patch) and marks suspend nodes resumed in the status (update: no status subresource)
  resume: ['get', 'patch', 'update'],
  retry: ['get', 'update'],
  resubmit: ['get', 'create'],
  // the kubeconfig is for the user's own later commands: nothing this program does needs checking
  kubeconfig: [],
};

function templateCheck(source: WorkflowSource | undefined, namespace: string): AccessCheck[] {
  if (source?.kind !== 'template') return [];
  return source.clusterScope
    ? [{ verb: 'get', group: ARGO_GROUP, resource: 'clusterworkflowtemplates', name: source.name }]
    : [{ verb: 'get', group: ARGO_GROUP, resource: 'workflowtemplates', namespace, name: source.name }];
}

function key(c: AccessCheck): string {
  return [c.verb, c.group, c.resource, c.subresource ?? '', c.namespace ?? '', c.name ?? ''].join('\u0000');
}

export function dedupeChecks(checks: readonly AccessCheck[]): AccessCheck[] {
  const seen = new Map<string, AccessCheck>();
  for (const c of checks) if (!seen.has(key(c))) seen.set(key(c), c);
  return [...seen.values()];
}

export function requiredAccess(
  operation: Operation,
  settings: AccessSettings,
  options: AccessOptions = {},
): AccessCheck[] {
  const namespace = settings.cluster.namespace;
  const wf = (verb: string): AccessCheck => ({ verb, group: ARGO_GROUP, resource: 'workflows', namespace });
  const verbs = [...WORKFLOW_VERBS[operation]];
  if (settings.workflow.wait && operation !== 'kubeconfig') {
    verbs.push(...WATCH_VERBS);
    // on-timeout / on-cancel stop or terminate the workflow with a merge patch (both default to stop).
    const { onTimeout = 'stop', onCancel = 'stop' } = settings.workflow;
    if (onTimeout !== 'leave' || onCancel !== 'leave') verbs.push('patch');
  }
  const checks: AccessCheck[] = verbs.map(wf);
  if (operation === 'submit') checks.push(...templateCheck(settings.workflow.source, namespace));
  if (operation === 'retry') checks.push({ verb: 'delete', group: '', resource: 'pods', namespace });
  if (options.logs === true && operation !== 'kubeconfig') {
    checks.push({ verb: 'get', group: '', resource: 'pods', namespace });
    checks.push({ verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace });
  }
  return dedupeChecks(checks);
}

/** `argo-entra rbac`: the union over several operations, with the templates the principal may use. */
export function requiredAccessFor(
  operations: readonly Operation[],
  namespace: string,
  options: AccessOptions & { readonly wait?: boolean; readonly templates?: readonly WorkflowSource[] } = {},
): AccessCheck[] {
  const checks: AccessCheck[] = [];
  const templates = options.templates ?? [];
  for (const operation of operations) {
    const sources: ReadonlyArray<WorkflowSource | undefined> =
      operation === 'submit' && templates.length > 0 ? templates : [undefined];
    for (const source of sources) {
      checks.push(
        ...requiredAccess(
          operation,
          { cluster: { namespace }, workflow: { source, wait: options.wait ?? false } },
          options,
        ),
      );
    }
  }
  return dedupeChecks(checks);
}

export type Principal =
  { readonly kind: 'user'; readonly name: string } | { readonly kind: 'group'; readonly name: string };

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export interface RbacDocuments {
  /** Role + RoleBinding (namespaced checks), then ClusterRole + ClusterRoleBinding (cluster-scoped ones), as present */
  readonly documents: Array<Record<string, unknown>>;
  readonly yaml: string;
}

const VERB_ORDER = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
function verbRank(v: string): number {
  const i = VERB_ORDER.indexOf(v);
  return i === -1 ? VERB_ORDER.length : i;
}

/** DNS-1123 name from free text (the principal or operation names). */
export function rbacName(text: string): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
    .slice(0, 63)
    .replace(/[^a-z0-9]+$/, '');
  return name === '' ? 'argo-entra' : name;
}

/**
 * Checks -> rules. Resource names are kept only for templates: workflows are created with generateName, so a
 * name-restricted workflow rule would stop working at the next run.
 */
export function toPolicyRules(checks: readonly AccessCheck[]): PolicyRule[] {
  const byTarget = new Map<string, { group: string; resource: string; names: string[]; verbs: Set<string> }>();
  for (const c of checks) {
    const resource = c.subresource === undefined ? c.resource : `${c.resource}/${c.subresource}`;
    const named = c.name !== undefined && /templates$/.test(c.resource);
    const names = named && c.name !== undefined ? [c.name] : [];
    const k = `${c.group}\u0000${resource}\u0000${names.join(',')}`;
    const entry = byTarget.get(k) ?? { group: c.group, resource, names, verbs: new Set<string>() };
    entry.verbs.add(c.verb);
    byTarget.set(k, entry);
  }
  // Merge resources that share group, verbs and names into one rule: shorter YAML, same grant.
  const rules = new Map<string, PolicyRule>();
  for (const t of byTarget.values()) {
    const verbs = [...t.verbs].sort((a, b) => verbRank(a) - verbRank(b) || a.localeCompare(b));
    const k = `${t.group}\u0000${verbs.join(',')}\u0000${t.names.join(',')}`;
    const rule = rules.get(k);
    if (rule === undefined) {
      rules.set(k, {
        apiGroups: [t.group],
        resources: [t.resource],
        verbs,
        ...(t.names.length > 0 ? { resourceNames: t.names } : {}),
      });
    } else rule.resources.push(t.resource);
  }
  return [...rules.values()].sort(
    (a, b) =>
      (a.apiGroups[0] ?? '').localeCompare(b.apiGroups[0] ?? '') ||
      (a.resources[0] ?? '').localeCompare(b.resources[0] ?? ''),
  );
}

function subject(principal: Principal): Record<string, string> {
  return {
    kind: principal.kind === 'user' ? 'User' : 'Group',
    apiGroup: 'rbac.authorization.k8s.io',
    name: principal.name,
  };
}

/**
 * Least-privilege RBAC for `principal` (on AKS and in the structured-auth setup: the Entra object id as user, or
 * a group's object id). Namespaced checks become a Role + RoleBinding in `namespace`; cluster-scoped ones
 * (clusterworkflowtemplates) a ClusterRole + ClusterRoleBinding, since no Role can grant them.
 */
export function leastPrivilegeRbac(input: {
  readonly principal: Principal;
  readonly namespace: string;
  readonly checks: readonly AccessCheck[];
  /** base name of the objects; default argo-entra-<principal> */
  readonly name?: string;
}): RbacDocuments {
  const name = rbacName(input.name ?? `argo-entra-${input.principal.name}`);
  const labels = { 'app.kubernetes.io/managed-by': 'argo-entra' };
  const namespaced = input.checks.filter((c) => c.namespace !== undefined);
  const clusterScoped = input.checks.filter((c) => c.namespace === undefined);
  const documents: Array<Record<string, unknown>> = [];
  if (namespaced.length > 0) {
    documents.push(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name, namespace: input.namespace, labels },
        rules: toPolicyRules(namespaced),
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name, namespace: input.namespace, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [subject(input.principal)],
      },
    );
  }
  if (clusterScoped.length > 0) {
    documents.push(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name, labels },
        rules: toPolicyRules(clusterScoped),
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: [subject(input.principal)],
      },
    );
  }
  const yaml = documents.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
  return { documents, yaml };
}

/** `verb group/resource[/sub] [name] in ns` for messages. */
export function describeCheck(c: AccessCheck): string {
  const resource = `${c.resource}${c.subresource === undefined ? '' : `/${c.subresource}`}${c.group === '' ? '' : `.${c.group}`}`;
  const name = c.name === undefined ? '' : ` "${c.name}"`;
  const where = c.namespace === undefined ? ' (cluster-wide)' : ` in namespace "${c.namespace}"`;
  return `${c.verb} ${resource}${name}${where}`;
}
