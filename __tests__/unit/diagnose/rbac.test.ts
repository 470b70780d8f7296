import { describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import type { Operation, WorkflowSource } from '../../../src/settings/types.js';
import {
  type AccessCheck,
  type AccessSettings,
  describeCheck,
  leastPrivilegeRbac,
  rbacName,
  requiredAccess,
  requiredAccessFor,
} from '../../../src/diagnose/rbac.js';

const fmt = (c: AccessCheck): string =>
  `${c.verb} ${c.group === '' ? 'core' : c.group}/${c.resource}${c.subresource === undefined ? '' : `/${c.subresource}`}${c.name === undefined ? '' : `:${c.name}`}${c.namespace === undefined ? ' (cluster)' : ''}`;

const settings = (wait: boolean, source?: WorkflowSource) => ({
  cluster: { namespace: 'ns' },
  workflow: { source, wait },
});
const tmpl: WorkflowSource = { kind: 'template', name: 'build', clusterScope: false };
const ctmpl: WorkflowSource = { kind: 'template', name: 'shared', clusterScope: true };
const A = 'argoproj.io';

describe('requiredAccess', () => {
  it.each<[string, Operation, ReturnType<typeof settings>, boolean, string[]]>([
    [
      'submit',
      'submit',
      settings(false),
      false,
      [`create ${A}/workflows`, `get ${A}/workflows`, `list ${A}/workflows`, `watch ${A}/workflows`],
    ],
    [
      'submit from template',
      'submit',
      settings(true, tmpl),
      false,
      [
        `create ${A}/workflows`,
        `get ${A}/workflows`,
        `list ${A}/workflows`,
        `watch ${A}/workflows`,
        `patch ${A}/workflows`,
        `get ${A}/workflowtemplates:build`,
      ],
    ],
    [
      'submit from cluster template',
      'submit',
      settings(false, ctmpl),
      false,
      [
        `create ${A}/workflows`,
        `get ${A}/workflows`,
        `list ${A}/workflows`,
        `watch ${A}/workflows`,
        `get ${A}/clusterworkflowtemplates:shared (cluster)`,
      ],
    ],
    [
      'wait',
      'wait',
      settings(true),
      false,
      [`get ${A}/workflows`, `list ${A}/workflows`, `watch ${A}/workflows`, `patch ${A}/workflows`],
    ],
    [
      'wait, on-timeout and on-cancel leave: no patch',
      'wait',
      {
        ...settings(true),
        workflow: { ...settings(true).workflow, onTimeout: 'leave' as const, onCancel: 'leave' as const },
      } as AccessSettings,
      false,
      [`get ${A}/workflows`, `list ${A}/workflows`, `watch ${A}/workflows`],
    ],
    ['stop', 'stop', settings(false), false, [`get ${A}/workflows`, `patch ${A}/workflows`]],
    [
      'terminate + wait',
      'terminate',
      settings(true),
      false,
      [`get ${A}/workflows`, `patch ${A}/workflows`, `list ${A}/workflows`, `watch ${A}/workflows`],
    ],
    ['suspend', 'suspend', settings(false), false, [`get ${A}/workflows`, `patch ${A}/workflows`]],
    [
      'resume',
      'resume',
      settings(false),
      false,
      [`get ${A}/workflows`, `patch ${A}/workflows`, `update ${A}/workflows`],
    ],
    ['retry', 'retry', settings(false), false, [`get ${A}/workflows`, `update ${A}/workflows`, 'delete core/pods']],
    ['resubmit', 'resubmit', settings(false), false, [`get ${A}/workflows`, `create ${A}/workflows`]],
    [
      'wait with logs',
      'wait',
      settings(true),
      true,
      [
        `get ${A}/workflows`,
        `list ${A}/workflows`,
        `watch ${A}/workflows`,
        `patch ${A}/workflows`,
        'get core/pods',
        'get core/pods/log',
      ],
    ],
    ['kubeconfig', 'kubeconfig', settings(true), true, []],
  ])('%s', (_n, op, s, logs, expected) => {
    const checks = requiredAccess(op, s, { logs });
    expect(checks.map(fmt)).toEqual(expected);
    for (const c of checks) if (c.resource !== 'clusterworkflowtemplates') expect(c.namespace).toBe('ns');
  });

  it('the union for the rbac command dedupes', () => {
    const checks = requiredAccessFor(['submit', 'stop', 'retry'], 'ns', { templates: [tmpl] });
    expect(checks.map(fmt).sort()).toEqual(
      [
        `create ${A}/workflows`,
        `get ${A}/workflows`,
        `list ${A}/workflows`,
        `watch ${A}/workflows`,
        `get ${A}/workflowtemplates:build`,
        `patch ${A}/workflows`,
        `update ${A}/workflows`,
        'delete core/pods',
      ].sort(),
    );
  });
});

interface Doc {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Array<{ apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }>;
  roleRef?: { kind: string; name: string; apiGroup: string };
  subjects?: Array<{ kind: string; name: string; apiGroup: string }>;
}

function parse(yaml: string): Doc[] {
  return parseAllDocuments(yaml).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as Doc;
  });
}

describe('leastPrivilegeRbac', () => {
  it('Role + RoleBinding for a user, YAML parses back to the same grant', () => {
    const oid = '0b1c2d3e-0000-4000-8000-000000000001';
    const checks = requiredAccess('submit', settings(true, tmpl), { logs: true });
    const { yaml, documents } = leastPrivilegeRbac({ principal: { kind: 'user', name: oid }, namespace: 'ns', checks });
    const docs = parse(yaml);
    expect(docs).toEqual(documents);
    expect(docs.map((d) => d.kind)).toEqual(['Role', 'RoleBinding']);
    const [role, binding] = docs;
    expect(role?.metadata).toMatchObject({ name: `argo-entra-${oid}`, namespace: 'ns' });
    expect(role?.rules).toEqual([
      { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get'] },
      { apiGroups: [A], resources: ['workflows'], verbs: ['get', 'list', 'watch', 'create', 'patch'] },
      { apiGroups: [A], resources: ['workflowtemplates'], verbs: ['get'], resourceNames: ['build'] },
    ]);
    expect(binding?.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: role?.metadata.name,
    });
    expect(binding?.subjects).toEqual([{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: oid }]);
    // nothing a submitter should not have
    expect(yaml).not.toMatch(/secrets|rolebindings|"\*"|- \*/);
  });

  it('ClusterRole + ClusterRoleBinding for cluster templates, group principal', () => {
    const checks = requiredAccess('submit', settings(false, ctmpl));
    const docs = parse(
      leastPrivilegeRbac({
        principal: { kind: 'group', name: 'ci-submitters' },
        namespace: 'ns',
        checks,
        name: 'CI Submit!',
      }).yaml,
    );
    expect(docs.map((d) => d.kind)).toEqual(['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']);
    expect(docs[2]?.metadata).toEqual({ name: 'ci-submit', labels: { 'app.kubernetes.io/managed-by': 'argo-entra' } });
    expect(docs[2]?.rules).toEqual([
      { apiGroups: [A], resources: ['clusterworkflowtemplates'], verbs: ['get'], resourceNames: ['shared'] },
    ]);
    expect(docs[3]?.subjects?.[0]).toMatchObject({ kind: 'Group', name: 'ci-submitters' });
    expect(docs[3]?.roleRef?.kind).toBe('ClusterRole');
  });

  it.each([
    ['aad:User@Example.com', 'aad-user-example.com'],
    ['---', 'argo-entra'],
    ['x'.repeat(80), 'x'.repeat(63)],
  ])('rbacName(%j)', (input, expected) => expect(rbacName(input)).toBe(expected));

  it('describeCheck', () => {
    expect(describeCheck({ verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace: 'ns' })).toBe(
      'get pods/log in namespace "ns"',
    );
    expect(describeCheck({ verb: 'get', group: A, resource: 'clusterworkflowtemplates', name: 'x' })).toBe(
      'get clusterworkflowtemplates.argoproj.io "x" (cluster-wide)',
    );
  });
});
