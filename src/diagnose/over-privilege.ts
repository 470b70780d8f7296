import type { RulesReviewStatus, ResourceRule } from './access-reviews.js';

/**
 * What a CI identity that only submits workflows should never be able to do. Read from a SelfSubjectRulesReview
 * (which lists the namespace's rules plus cluster-wide ones) and one all-namespaces access review.
 */

export type OverPrivilegeKind =
  | 'wildcard-verbs'
  | 'wildcard-resources'
  | 'secrets'
  | 'rbac-write'
  | 'impersonate'
  | 'pod-exec'
  | 'token-request'
  | 'node-proxy'
  | 'wildcard-nonresource'
  | 'all-namespaces';

export interface OverPrivilegeFinding {
  readonly kind: OverPrivilegeKind;
  readonly description: string;
}

const WRITE = ['create', 'update', 'patch', '*'];

function has(list: readonly string[] | undefined, ...values: string[]): boolean {
  return (list ?? []).some((v) => values.includes(v));
}

function describeRule(rule: ResourceRule): string {
  const groups = (rule.apiGroups ?? []).map((g) => (g === '' ? 'core' : g)).join(',');
  const names =
    rule.resourceNames === undefined || rule.resourceNames.length === 0 ? '' : ` names=${rule.resourceNames.join(',')}`;
  return `verbs=${rule.verbs.join(',')} resources=${(rule.resources ?? []).join(',')} apiGroups=${groups}${names}`;
}

/** Rules matching `resource` in the core group (or any group via "*"). */
function coreResource(rule: ResourceRule, ...resources: string[]): boolean {
  return has(rule.apiGroups, '', '*') && has(rule.resources, ...resources, '*');
}

export function analyzeRules(status: RulesReviewStatus): OverPrivilegeFinding[] {
  const findings = new Map<OverPrivilegeKind, OverPrivilegeFinding>();
  const add = (kind: OverPrivilegeKind, description: string): void => {
    if (!findings.has(kind)) findings.set(kind, { kind, description });
  };
  for (const rule of status.resourceRules ?? []) {
    const d = describeRule(rule);
    if (has(rule.verbs, '*')) add('wildcard-verbs', `every verb (*) on ${(rule.resources ?? []).join(',')} (${d})`);
    if (has(rule.resources, '*') || has(rule.apiGroups, '*'))
      add('wildcard-resources', `wildcard resources or API groups (${d})`);
    if (coreResource(rule, 'secrets') && has(rule.verbs, 'get', 'list', 'watch', '*'))
      add('secrets', `can read Secrets (${d})`);
    if (
      has(rule.apiGroups, 'rbac.authorization.k8s.io', '*') &&
      has(rule.resources, 'roles', 'rolebindings', 'clusterroles', 'clusterrolebindings', '*') &&
      has(rule.verbs, ...WRITE, 'bind', 'escalate')
    ) {
      add('rbac-write', `can create or change RBAC roles/bindings, i.e. grant itself more (${d})`);
    }
    if (has(rule.verbs, 'impersonate', '*') && has(rule.resources, 'users', 'groups', 'serviceaccounts', 'uids', '*')) {
      add('impersonate', `can impersonate other identities (${d})`);
    }
    if (coreResource(rule, 'pods/exec', 'pods/attach') && has(rule.verbs, 'create', 'get', '*')) {
      add('pod-exec', `can exec into pods (${d})`);
    }
    if (coreResource(rule, 'serviceaccounts/token') && has(rule.verbs, 'create', '*')) {
      add('token-request', `can mint service-account tokens (${d})`);
    }
    if (
      coreResource(rule, 'nodes/proxy', 'nodes') &&
      has(rule.verbs, 'get', 'create', '*') &&
      has(rule.resources, 'nodes/proxy', '*')
    ) {
      add('node-proxy', `can reach kubelets through nodes/proxy (${d})`);
    }
  }
  for (const rule of status.nonResourceRules ?? []) {
    if (has(rule.verbs, '*') && has(rule.nonResourceURLs, '*')) {
      add('wildcard-nonresource', `every verb on every non-resource URL (verbs=${rule.verbs.join(',')} urls=*)`);
    }
  }
  return [...findings.values()];
}
