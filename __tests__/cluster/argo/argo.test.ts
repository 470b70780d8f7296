/**
 * The argo stage against the real control plane: etcd + kube-apiserver + Argo CRDs + the real workflow-controller
 * (harness/cluster). The client is the product's own thin KubeClient with a ServiceAccount token (TokenRequest) bound
 * to a least-privilege Role, so the RBAC list in wire-facts §4 is exercised too. Controller-only workflows (suspend
 * templates) reach real phases; a pod step stays Pending (no kubelet).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Cluster, startCluster } from '../../harness/cluster/cluster.js';
import { createKubeClient, type ClosableKubeClient } from '../../../src/cluster/kube-client.js';
import { buildWorkflow, type BuildSettings } from '../../../src/argo/build.js';
import { auditStamp } from '../../../src/argo/stamp.js';
import { submitWorkflow } from '../../../src/argo/submit.js';
import { waitForWorkflow } from '../../../src/argo/wait.js';
import { applyShutdown, getWorkflow, runOperation } from '../../../src/argo/ops.js';
import { outcomeError, workflowOutcome } from '../../../src/argo/outcome.js';
import type { ProgressEvent } from '../../../src/argo/progress.js';
import type { Workflow } from '../../../src/argo/types.js';
import type { RunContext } from '../../../src/settings/types.js';
import { ArgoEntraError } from '../../../src/errors.js';
import { startPausableProxy } from '../../helpers/pausable-proxy.js';

const NS = 'team-a';
const LONG = 240_000;
let cluster: Cluster;
let client: ClosableKubeClient;

async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await cluster.kubectl(args, input !== undefined ? { input } : {});
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} -> ${r.code}: ${r.stderr}`);
  return r.stdout;
}

const role = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'Role',
  metadata: { name: 'argo-entra-submitter', namespace: NS },
  rules: [
    {
      apiGroups: ['argoproj.io'],
      resources: ['workflows'],
      verbs: ['create', 'get', 'list', 'watch', 'patch', 'update'],
    },
    { apiGroups: ['argoproj.io'], resources: ['workflowtemplates'], verbs: ['get'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'delete'] },
  ],
};

beforeAll(async () => {
  cluster = await startCluster();
  await kubectl(['create', 'namespace', NS]);
  await kubectl(['create', 'serviceaccount', 'submitter', '-n', NS]);
  await kubectl(['apply', '-f', '-'], JSON.stringify(role));
  await kubectl([
    'create',
    'rolebinding',
    'submitter',
    '-n',
    NS,
    '--role=argo-entra-submitter',
    `--serviceaccount=${NS}:submitter`,
  ]);
  const token = (await kubectl(['create', 'token', 'submitter', '-n', NS, '--duration=2h'])).trim();
  client = createKubeClient({
    server: cluster.server,
    caData: cluster.caData,
    insecureSkipTlsVerify: false,
    tokenProvider: { getToken: async () => ({ token, expiresOnMs: Date.now() + 7_200_000 }) },
  });
}, LONG);

afterAll(async () => {
  client?.close();
  await cluster?.stop();
}, 60_000);

const run: RunContext = {
  ci: 'github',
  repository: 'octo-org/octo-repo',
  runId: '42',
  runAttempt: '1',
  sha: 'abc',
  ref: 'refs/heads/main',
  actor: 'mona',
  workflowRef: 'octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main',
  runUrl: 'https://github.com/octo-org/octo-repo/actions/runs/42',
  stepId: 'step',
  jobId: 'job',
};

function manifest(spec: Record<string, unknown>, generateName = 'it-'): BuildSettings {
  const text = JSON.stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { generateName },
    spec,
  });
  return {
    source: { kind: 'manifest', text, origin: 'test' },
    entrypoint: undefined,
    parameters: [],
    labels: {},
    annotations: {},
    name: undefined,
    generateName: undefined,
    serviceAccount: undefined,
  };
}

const dagOfSuspends = {
  entrypoint: 'main',
  templates: [
    {
      name: 'main',
      dag: {
        tasks: [
          { name: 'a', template: 'pause' },
          { name: 'b', template: 'pause', dependencies: ['a'] },
          { name: 'c', template: 'pause', dependencies: ['a'] },
        ],
      },
    },
    { name: 'pause', suspend: { duration: '1' } },
  ],
};
const forever = {
  entrypoint: 'main',
  templates: [
    { name: 'main', steps: [[{ name: 'hold', template: 'hold' }]] },
    { name: 'hold', suspend: {} },
  ],
};

async function submit(settings: BuildSettings, step = `s-${Math.random()}`): Promise<Workflow> {
  const wf = buildWorkflow(settings, NS, {
    stamp: auditStamp(
      { ...run, stepId: step },
      { ciSubject: 'repo:octo-org/octo-repo:ref:refs/heads/main', oid: 'oid' },
      NS,
    ),
  });
  const r = await submitWorkflow(client, NS, wf, { dryRun: 'none' });
  return r.workflow;
}

async function until(name: string, test: (wf: Workflow) => boolean, ms = 30_000): Promise<Workflow> {
  const end = Date.now() + ms;
  for (;;) {
    const wf = await getWorkflow(client, NS, name);
    if (test(wf)) return wf;
    if (Date.now() > end) throw new Error(`timed out waiting on ${name}: ${JSON.stringify(wf.status)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const suspendRunning = (wf: Workflow): boolean =>
  Object.values(wf.status?.nodes ?? {}).some((n) => n.type === 'Suspend' && n.phase === 'Running');

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as ArgoEntraError).code;
  }
  return 'no error';
}

describe('argo on the real control plane', () => {
  it(
    'a DAG of suspend steps reaches Succeeded; progress events arrive; outputs map to exit 0',
    async () => {
      const created = await submit(manifest(dagOfSuspends));
      const events: ProgressEvent[] = [];
      const done = await waitForWorkflow(client, NS, created.metadata.name ?? '', {
        timeoutMs: 60_000,
        onProgress: (e) => events.push(e),
      });
      expect(done.status?.phase).toBe('Succeeded');
      const nodeEvents = events
        .filter((e) => e.type === 'node' && e.phase === 'Succeeded')
        .map((e) => (e as { displayName: string }).displayName);
      expect(nodeEvents).toEqual(expect.arrayContaining(['a', 'b', 'c']));
      expect(events.some((e) => e.type === 'progress')).toBe(true);
      const o = workflowOutcome(done, 'https://argo.example');
      expect(outcomeError(o)).toBeUndefined();
      expect(o.url).toBe(`https://argo.example/workflows/${NS}/${done.metadata.name}`);
      expect(done.metadata.labels?.['argo-entra.io/repository']).toBe('octo-org.octo-repo');
      expect(done.metadata.annotations?.['argo-entra.io/ci-subject']).toBe(
        'repo:octo-org/octo-repo:ref:refs/heads/main',
      );
    },
    LONG,
  );

  it(
    'activeDeadlineSeconds ends Failed -> ERR_ARGO_WORKFLOW_FAILED (exit 1)',
    async () => {
      const created = await submit(manifest({ ...forever, activeDeadlineSeconds: 2 }));
      const done = await waitForWorkflow(client, NS, created.metadata.name ?? '', { timeoutMs: 60_000 });
      expect(done.status?.phase).toBe('Failed');
      expect(outcomeError(workflowOutcome(done, undefined))?.exitCode).toBe(1);
    },
    LONG,
  );

  it(
    'resume completes an indefinite suspend',
    async () => {
      const created = await submit(manifest(forever));
      const name = created.metadata.name ?? '';
      await until(name, suspendRunning);
      const waiting = waitForWorkflow(client, NS, name, { timeoutMs: 60_000 });
      await runOperation(client, NS, 'resume', name);
      expect((await waiting).status?.phase).toBe('Succeeded');
      expect(await codeOf(runOperation(client, NS, 'resume', name))).toBe('ERR_ARGO_OPERATION');
    },
    LONG,
  );

  it.each([
    ['stop', 'Stop'],
    ['terminate', 'Terminate'],
  ] as const)(
    '%s mid-run ends Failed with the strategy in the message',
    async (op, strategy) => {
      const created = await submit(manifest(forever));
      const name = created.metadata.name ?? '';
      await until(name, suspendRunning);
      await runOperation(client, NS, op, name);
      const done = await waitForWorkflow(client, NS, name, { timeoutMs: 60_000 });
      expect(done.status?.phase).toBe('Failed');
      expect(done.status?.message).toContain(strategy);
    },
    LONG,
  );

  it(
    'suspend then resume',
    async () => {
      const created = await submit(
        manifest({ ...forever, templates: [forever.templates[0], { name: 'hold', suspend: { duration: '3' } }] }),
      );
      const name = created.metadata.name ?? '';
      await runOperation(client, NS, 'suspend', name);
      expect((await getWorkflow(client, NS, name)).spec.suspend).toBe(true);
      await runOperation(client, NS, 'resume', name);
      expect((await waitForWorkflow(client, NS, name, { timeoutMs: 60_000 })).status?.phase).toBe('Succeeded');
    },
    LONG,
  );

  it(
    'submits from a WorkflowTemplate with parameters; a missing template is named',
    async () => {
      await kubectl(
        ['apply', '-n', NS, '-f', '-'],
        JSON.stringify({
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'WorkflowTemplate',
          metadata: { name: 'greet', namespace: NS },
          spec: {
            entrypoint: 'main',
            arguments: { parameters: [{ name: 'who', value: 'world' }] },
            templates: [{ name: 'main', inputs: { parameters: [{ name: 'who' }] }, suspend: { duration: '0' } }],
          },
        }),
      );
      const settings: BuildSettings = {
        ...manifest({}),
        source: { kind: 'template', name: 'greet', clusterScope: false },
        parameters: [['who', 'argo-entra']],
      };
      const created = await submit(settings);
      expect(created.metadata.name).toMatch(/^greet-/);
      expect(created.metadata.labels?.['workflows.argoproj.io/workflow-template']).toBe('greet');
      const done = await waitForWorkflow(client, NS, created.metadata.name ?? '', { timeoutMs: 60_000 });
      expect(done.status?.phase).toBe('Succeeded');
      expect(done.spec.arguments?.parameters).toEqual([{ name: 'who', value: 'argo-entra' }]);
      expect(
        await codeOf(submit({ ...settings, source: { kind: 'template', name: 'nope', clusterScope: false } })),
      ).toBe('ERR_ARGO_TEMPLATE_NOT_FOUND');
    },
    LONG,
  );

  it(
    'a retried step attaches to its workflow instead of creating a second one',
    async () => {
      const first = await submit(manifest(forever), 'same-step');
      const second = await submit(manifest(forever), 'same-step');
      expect(second.metadata.name).toBe(first.metadata.name);
      const list = JSON.parse(
        await kubectl([
          'get',
          'wf',
          '-n',
          NS,
          '-l',
          `argo-entra.io/submission=${first.metadata.labels?.['argo-entra.io/submission']}`,
          '-o',
          'json',
        ]),
      ) as { items: unknown[] };
      expect(list.items).toHaveLength(1);
      await runOperation(client, NS, 'terminate', first.metadata.name ?? '');
    },
    LONG,
  );

  it(
    'server dry-run validates against the real CRD and stores nothing; invalid fields are ERR_ARGO_REJECTED',
    async () => {
      const wf = buildWorkflow(manifest(dagOfSuspends, 'dry-'), NS);
      const r = await submitWorkflow(client, NS, wf, { dryRun: 'server' });
      expect(r.kind).toBe('dry-run');
      const listed = JSON.parse(await kubectl(['get', 'wf', '-n', NS, '-o', 'json'])) as { items: Workflow[] };
      expect(listed.items.some((i) => i.metadata.name?.startsWith('dry-'))).toBe(false);
      const bad = buildWorkflow(manifest(dagOfSuspends, 'bad-'), NS);
      (bad.spec as Record<string, unknown>)['parallelism'] = 'not-a-number';
      expect(await codeOf(submitWorkflow(client, NS, bad, { dryRun: 'server' }))).toBe('ERR_ARGO_REJECTED');
    },
    LONG,
  );

  it.each([
    [
      'another namespace',
      '{"apiVersion":"argoproj.io/v1alpha1","kind":"Workflow","metadata":{"generateName":"x-","namespace":"prod"},"spec":{"entrypoint":"m","templates":[{"name":"m","suspend":{}}]}}',
    ],
    [
      'another kind',
      '{"apiVersion":"argoproj.io/v1alpha1","kind":"WorkflowTemplate","metadata":{"name":"x"},"spec":{}}',
    ],
    [
      'two documents',
      'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: x-}\nspec: {entrypoint: m, templates: [{name: m, suspend: {}}]}\n---\napiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: y-}\nspec: {entrypoint: m, templates: [{name: m, suspend: {}}]}\n',
    ],
  ])(
    'a bad manifest (%s) is ERR_MANIFEST_INVALID and nothing is created',
    async (_l, text) => {
      const before = (JSON.parse(await kubectl(['get', 'wf', '-n', NS, '-o', 'json'])) as { items: unknown[] }).items
        .length;
      expect(await codeOf(submit({ ...manifest({}), source: { kind: 'manifest', text, origin: 'bad' } }))).toBe(
        'ERR_MANIFEST_INVALID',
      );
      expect(
        (JSON.parse(await kubectl(['get', 'wf', '-n', NS, '-o', 'json'])) as { items: unknown[] }).items.length,
      ).toBe(before);
    },
    LONG,
  );

  it(
    'a Pending pod step times out (ERR_ARGO_TIMEOUT, exit 5) and on-timeout terminate ends it',
    async () => {
      const created = await submit(
        manifest({
          entrypoint: 'main',
          templates: [{ name: 'main', container: { image: 'busybox', command: ['true'] } }],
        }),
      );
      const name = created.metadata.name ?? '';
      const err = await waitForWorkflow(client, NS, name, { timeoutMs: 3_000 }).catch(
        (e: unknown) => e as ArgoEntraError,
      );
      expect(err).toBeInstanceOf(ArgoEntraError);
      expect((err as ArgoEntraError).code).toBe('ERR_ARGO_TIMEOUT');
      expect((err as ArgoEntraError).exitCode).toBe(5);
      await applyShutdown(client, NS, name, 'terminate');
      const done = await waitForWorkflow(client, NS, name, { timeoutMs: 60_000 });
      expect(['Failed', 'Error']).toContain(done.status?.phase);
    },
    LONG,
  );

  it(
    'an API-server restart and an etcd compaction mid-wait: the wait still ends with the right phase',
    async () => {
      const created = await submit(
        manifest({ ...forever, templates: [forever.templates[0], { name: 'hold', suspend: { duration: '10' } }] }),
      );
      const name = created.metadata.name ?? '';
      const events: ProgressEvent[] = [];
      const waiting = waitForWorkflow(client, NS, name, {
        timeoutMs: 120_000,
        onProgress: (e) => events.push(e),
        backoff: { initialMs: 200, maxMs: 2_000 },
      });
      await until(name, suspendRunning);
      await cluster.restartApiserver();
      await cluster.compactEtcd();
      const done = await waiting;
      expect(done.status?.phase).toBe('Succeeded');
      expect(events.some((e) => e.type === 'reconnect')).toBe(true);
    },
    LONG,
  );

  it(
    'a watch resumed from a compacted resourceVersion gets a real 410 and recovers by re-reading',
    async () => {
      // The client reaches the apiserver through a proxy this test pauses: its reconnect is held until the state
      // it last saw has been compacted away, so the 410 is certain, not a matter of timing.
      const proxy = await startPausableProxy(Number(new URL(cluster.server).port));
      const token = (await kubectl(['create', 'token', 'submitter', '-n', NS, '--duration=1h'])).trim();
      const viaProxy = createKubeClient({
        server: `https://127.0.0.1:${proxy.port}`,
        caData: cluster.caData,
        insecureSkipTlsVerify: false,
        tokenProvider: { getToken: async () => ({ token, expiresOnMs: Date.now() + 3_600_000 }) },
      });
      try {
        const name = (await submit(manifest(forever))).metadata.name ?? '';
        const events: ProgressEvent[] = [];
        const waiting = waitForWorkflow(viaProxy, NS, name, {
          timeoutMs: 120_000,
          onProgress: (e) => events.push(e),
          backoff: { initialMs: 100, maxMs: 500 },
          fallbackPollMs: 0,
        });
        await until(name, suspendRunning);
        // let the watch see the Running state, so its resourceVersion is the one we make stale
        await new Promise((r) => setTimeout(r, 500));
        proxy.pause();
        await kubectl(['annotate', 'workflow', name, '-n', NS, 'argo-entra.test/bump=1']);
        const revision = await cluster.compactEtcd();
        expect(revision).toBeGreaterThan(0);
        proxy.resume();
        await runOperation(client, NS, 'resume', name);
        const done = await waiting;
        expect(done.status?.phase).toBe('Succeeded');
        expect(events.some((e) => e.type === 'reconnect' && e.reason === 'gone')).toBe(true);
      } finally {
        viaProxy.close();
        await proxy.close();
      }
    },
    LONG,
  );

  it(
    'resubmit creates a new workflow from the old spec',
    async () => {
      const created = await submit(manifest({ ...forever, activeDeadlineSeconds: 1 }));
      const name = created.metadata.name ?? '';
      await waitForWorkflow(client, NS, name, { timeoutMs: 60_000 });
      const r = await runOperation(client, NS, 'resubmit', name, {
        stamp: auditStamp({ ...run, stepId: 'resubmit' }, {}, NS),
      });
      expect(r.workflow.metadata.labels?.['workflows.argoproj.io/resubmitted-from-workflow']).toBe(name);
      expect(
        (await waitForWorkflow(client, NS, r.workflow.metadata.name ?? '', { timeoutMs: 60_000 })).status?.phase,
      ).toBe('Failed');
    },
    LONG,
  );

  it(
    'operations on a missing workflow are ERR_ARGO_WORKFLOW_NOT_FOUND',
    async () => {
      expect(await codeOf(runOperation(client, NS, 'stop', 'does-not-exist'))).toBe('ERR_ARGO_WORKFLOW_NOT_FOUND');
      expect(await codeOf(waitForWorkflow(client, NS, 'does-not-exist'))).toBe('ERR_ARGO_WORKFLOW_NOT_FOUND');
    },
    LONG,
  );
});
