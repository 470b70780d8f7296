import { describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import type { KubeClient, KubeRequest, KubeResponse } from '../../../src/cluster/types.js';
import { ArgoEntraError } from '../../../src/errors.js';
import { assertPreflight, formatPreflight, runPreflight } from '../../../src/diagnose/preflight.js';
import { requiredAccess } from '../../../src/diagnose/rbac.js';
import type { LeastPrivilegeMode, WorkflowSource } from '../../../src/settings/types.js';

/**
 * A fake API server behind KubeClient speaking the review wire shapes; the product's own access.ts does the
 * calls (the default AccessReviews). Non-accepted error statuses throw coded errors as the real client does.
 */
interface Cluster {
  username: string;
  groups: string[];
  allowed: (attrs: Record<string, string>) => boolean;
  denyReason?: string;
  rules: { resourceRules: unknown[]; nonResourceRules: unknown[]; incomplete?: boolean };
  argoServed: boolean;
  namespaceStatus: 200 | 403 | 404;
  templateExists: boolean;
  unauthorized?: boolean;
}

class FakeApi implements KubeClient {
  readonly server = 'https://fake.invalid';
  readonly requests: KubeRequest[] = [];
  constructor(private readonly c: Cluster) {}

  async request<T>(req: KubeRequest): Promise<KubeResponse<T>> {
    this.requests.push(req);
    const [status, body] = this.route(req);
    if (status >= 400 && !(req.accept ?? []).includes(status)) {
      const code =
        status === 401 ? 'ERR_KUBE_UNAUTHORIZED' : status === 403 ? 'ERR_KUBE_FORBIDDEN' : 'ERR_KUBE_REQUEST';
      throw new ArgoEntraError(code, `HTTP ${status}`, { details: { status: String(status) } });
    }
    return { status, body: body as T, date: undefined };
  }

  watch(): Promise<void> {
    return Promise.resolve();
  }

  private route(req: KubeRequest): [number, unknown] {
    if (this.c.unauthorized === true) return [401, { kind: 'Status', code: 401, reason: 'Unauthorized' }];
    const body = (req.body ?? {}) as { spec?: { resourceAttributes?: Record<string, string> } };
    switch (true) {
      case req.path.endsWith('/selfsubjectreviews'):
        return [201, { status: { userInfo: { username: this.c.username, groups: this.c.groups } } }];
      case req.path.endsWith('/selfsubjectaccessreviews'): {
        const attrs = body.spec?.resourceAttributes ?? {};
        const allowed = this.c.allowed(attrs);
        return [
          201,
          { status: { allowed, ...(allowed || this.c.denyReason === undefined ? {} : { reason: this.c.denyReason }) } },
        ];
      }
      case req.path.endsWith('/selfsubjectrulesreviews'):
        return [201, { status: this.c.rules }];
      case req.path === '/apis/argoproj.io/v1alpha1':
        return this.c.argoServed
          ? [200, { resources: [{ name: 'workflows' }, { name: 'workflowtemplates' }] }]
          : [404, {}];
      case req.path.startsWith('/api/v1/namespaces/'):
        return [this.c.namespaceStatus, {}];
      case req.path.includes('workflowtemplates/'):
        return this.c.templateExists ? [200, {}] : [404, { kind: 'Status', code: 404 }];
      default:
        return [404, {}];
    }
  }
}

const USER = '0b1c2d3e-0000-4000-8000-000000000001';
const DISCOVERY_RULES = [
  {
    verbs: ['create'],
    apiGroups: ['authorization.k8s.io'],
    resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
  },
];
const SUBMITTER_RULES = [
  ...DISCOVERY_RULES,
  { verbs: ['create', 'get', 'list', 'watch'], apiGroups: ['argoproj.io'], resources: ['workflows'] },
];
const tmpl: WorkflowSource = { kind: 'template', name: 'build', clusterScope: false };

function cluster(over: Partial<Cluster> = {}): Cluster {
  return {
    username: USER,
    groups: ['system:authenticated'],
    allowed: (a) => a['resource'] !== undefined && a['namespace'] === 'ns',
    rules: { resourceRules: SUBMITTER_RULES, nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] },
    argoServed: true,
    namespaceStatus: 403,
    templateExists: true,
    ...over,
  };
}

async function run(c: Cluster, leastPrivilege: LeastPrivilegeMode = 'warn', source: WorkflowSource | undefined = tmpl) {
  const api = new FakeApi(c);
  const checks = requiredAccess('submit', { cluster: { namespace: 'ns' }, workflow: { source, wait: true } });
  const result = await runPreflight(api, { namespace: 'ns', checks, leastPrivilege, template: source });
  return { api, result, checks };
}

describe('runPreflight', () => {
  it.each<[string, Partial<Cluster>, LeastPrivilegeMode, string[]]>([
    ['all good', {}, 'enforce', []],
    ['unauthorized stops at once', { unauthorized: true }, 'warn', ['ERR_KUBE_UNAUTHORIZED']],
    ['argo not installed', { argoServed: false }, 'warn', ['ERR_ARGO_CRD_MISSING']],
    ['namespace missing', { namespaceStatus: 404 }, 'warn', ['ERR_KUBE_NAMESPACE_NOT_FOUND']],
    [
      'denied create',
      { allowed: (a) => a['verb'] !== 'create' && a['namespace'] === 'ns' },
      'warn',
      ['ERR_KUBE_FORBIDDEN'],
    ],
    ['template missing', { templateExists: false }, 'warn', ['ERR_ARGO_TEMPLATE_NOT_FOUND']],
    [
      'cluster-admin, warn',
      {
        allowed: () => true,
        rules: {
          resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
          nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
        },
      },
      'warn',
      [],
    ],
    [
      'cluster-admin, enforce',
      {
        allowed: () => true,
        rules: { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [] },
      },
      'enforce',
      ['ERR_LEAST_PRIVILEGE'],
    ],
    [
      'several at once, in fix order',
      { argoServed: false, allowed: () => false },
      'warn',
      ['ERR_ARGO_CRD_MISSING', 'ERR_KUBE_FORBIDDEN'],
    ],
  ])('%s', async (_n, over, mode, codes) => {
    const { result } = await run(cluster(over), mode);
    expect(result.problems.map((p) => p.code)).toEqual(codes);
    if (codes.length === 0) expect(() => assertPreflight(result)).not.toThrow();
    else expect(() => assertPreflight(result)).toThrow(result.problems[0]);
  });

  it('checks exactly the required access, by SelfSubjectAccessReview', async () => {
    const { api, checks } = await run(cluster(), 'off');
    const reviewed = api.requests
      .filter((r) => r.path.endsWith('/selfsubjectaccessreviews'))
      .map((r) => (r.body as { spec: { resourceAttributes: Record<string, string> } }).spec.resourceAttributes);
    expect(reviewed).toEqual(checks.map((c) => ({ ...c })));
    expect(api.requests.some((r) => r.path.endsWith('/selfsubjectrulesreviews'))).toBe(false);
  });

  it('a denial names each missing verb and carries the least-privilege YAML for the actual username', async () => {
    const { result } = await run(cluster({ allowed: (a) => a['verb'] === 'get' && a['namespace'] === 'ns' }));
    const err = result.problems[0];
    expect(err?.code).toBe('ERR_KUBE_FORBIDDEN');
    expect(err?.message).toContain('create workflows.argoproj.io in namespace "ns"');
    expect(err?.message).toContain('watch workflows.argoproj.io');
    expect(err?.details['verbs']).toBe('create,list,watch,patch');
    const docs = parseAllDocuments(err?.details['rbacYaml'] ?? '').map(
      (d) => d.toJS() as { kind: string; subjects?: Array<{ name: string }> },
    );
    expect(docs.map((d) => d.kind)).toEqual(['Role', 'RoleBinding']);
    expect(docs[1]?.subjects?.[0]?.name).toBe(USER);
    expect(err?.hint).toContain(USER);
  });

  it('a denial on Azure RBAC points at a role assignment', async () => {
    const { result } = await run(
      cluster({
        allowed: () => false,
        denyReason: 'User does not have access to the resource in Azure. Update role assignment to allow access.',
      }),
    );
    expect(result.problems[0]?.hint).toContain(
      'az role assignment create --role "Azure Kubernetes Service RBAC Writer" --assignee ' + USER,
    );
  });

  it.each([
    ['secrets', [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'] }], 'secrets'],
    [
      'rbac write',
      [{ verbs: ['create'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'] }],
      'rbac-write',
    ],
    ['impersonate', [{ verbs: ['impersonate'], apiGroups: [''], resources: ['serviceaccounts'] }], 'impersonate'],
    ['exec', [{ verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] }], 'pod-exec'],
    ['wildcard verbs', [{ verbs: ['*'], apiGroups: ['argoproj.io'], resources: ['workflows'] }], 'wildcard-verbs'],
    ['token request', [{ verbs: ['create'], apiGroups: [''], resources: ['serviceaccounts/token'] }], 'token-request'],
  ])('over-privilege: %s is reported (warn) and fails (enforce)', async (_n, extra, kind) => {
    const rules = { resourceRules: [...SUBMITTER_RULES, ...extra], nonResourceRules: [] };
    const warn = await run(cluster({ rules }), 'warn');
    expect(warn.result.overPrivilege.map((f) => f.kind)).toEqual([kind]);
    expect(warn.result.warnings[0]).toContain('Over-privileged identity');
    const enforce = await run(cluster({ rules }), 'enforce');
    expect(enforce.result.problems.map((p) => p.code)).toEqual(['ERR_LEAST_PRIVILEGE']);
    expect(enforce.result.problems[0]?.details['findings']).toBe(kind);
  });

  it('workflows in every namespace is over-privilege', async () => {
    const { result } = await run(cluster({ allowed: (a) => a['resource'] !== undefined }), 'warn');
    expect(result.overPrivilege.map((f) => f.kind)).toEqual(['all-namespaces']);
  });

  it('prints who we are without any token', async () => {
    const { result } = await run(cluster({ allowed: (a) => a['verb'] !== 'watch' && a['namespace'] === 'ns' }));
    const lines = formatPreflight(result);
    expect(lines[0]).toBe(`Cluster identity: username "${USER}", groups: system:authenticated`);
    expect(lines.some((l) => l.startsWith('  DENIED  watch workflows.argoproj.io'))).toBe(true);
    expect(lines.join('\n')).not.toMatch(/eyJ|Bearer/);
  });
});
