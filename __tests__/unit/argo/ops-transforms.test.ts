import { describe, expect, it } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import { formulateResume, isWorkflowSuspended } from '../../../src/argo/resume.js';
import { argoOverrideParameters, formulateRetry, resetNode } from '../../../src/argo/retry.js';
import { formulateResubmit } from '../../../src/argo/resubmit.js';
import { fnv32a, podName } from '../../../src/argo/pod-name.js';
import { decodeCompressedNodes } from '../../../src/argo/nodes.js';
import type { Workflow, WorkflowNode } from '../../../src/argo/types.js';
import { ArgoEntraError } from '../../../src/errors.js';
import { workflow } from './fake-kube.js';

const NOW = new Date('2026-02-01T10:00:00.123Z');
const T = '2026-02-01T10:00:00Z';

function node(id: string, name: string, type: string, phase: string, extra: Partial<WorkflowNode> = {}): WorkflowNode {
  const n: WorkflowNode = {
    id,
    name,
    displayName: name.split('.').pop() ?? name,
    type,
    phase: phase as WorkflowNode['phase'],
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:01:00Z',
    message: `${phase} msg`,
    ...extra,
  } as WorkflowNode;
  for (const k of Object.keys(n)) if (n[k] === undefined) delete n[k];
  return n;
}

function wfWith(nodes: WorkflowNode[], phase = 'Failed', extra: Partial<Workflow> = {}): Workflow {
  return workflow('wf', {
    metadata: {
      labels: {
        'workflows.argoproj.io/completed': 'true',
        'workflows.argoproj.io/phase': phase,
        'workflows.argoproj.io/workflow-archiving-status': 'Pending',
        keep: 'me',
      },
      ...(extra.metadata ?? {}),
    },
    spec: {
      entrypoint: 'main',
      templates: [{ name: 'main' }],
      shutdown: 'Stop',
      activeDeadlineSeconds: 0,
      ...(extra.spec ?? {}),
    },
    status: {
      phase: phase as Workflow['status'] extends infer S ? (S extends { phase?: infer P } ? P : never) : never,
      message: 'child failed',
      startedAt: '2026-01-01T00:00:00Z',
      finishedAt: '2026-01-01T00:05:00Z',
      conditions: [
        { type: 'PodRunning', status: 'False' },
        { type: 'Completed', status: 'True' },
      ],
      persistentVolumeClaims: [{ name: 'v' }],
      nodes: Object.fromEntries(nodes.map((n) => [n.id, n])),
      ...(extra.status ?? {}),
    },
  });
}

function errorOf(fn: () => unknown): ArgoEntraError {
  try {
    fn();
  } catch (e) {
    return e as ArgoEntraError;
  }
  throw new Error('expected an error');
}

describe('pod names (Argo pod_name.go)', () => {
  it('fnv32a matches the reference vectors', () => {
    expect(fnv32a('')).toBe(0x811c9dc5);
    expect(fnv32a('a')).toBe(0xe40c292c);
    expect(fnv32a('foobar')).toBe(0xbf9cf968);
  });

  it.each([
    [
      'v2 with template',
      'v2',
      node('wf-1', 'wf.a', 'Pod', 'Failed', { templateName: 'tpl' }),
      `wf-tpl-${fnv32a('wf.a')}`,
    ],
    [
      'v2 via templateRef',
      'v2',
      node('wf-1', 'wf.a', 'Pod', 'Failed', { templateName: 'x', templateRef: { name: 'r', template: 'rt' } }),
      `wf-rt-${fnv32a('wf.a')}`,
    ],
    ['v2 without template', 'v2', node('wf-1', 'wf.a', 'Pod', 'Failed'), `wf-${fnv32a('wf.a')}`],
    ['v2 root node', 'v2', node('wf', 'wf', 'Pod', 'Failed'), 'wf'],
    ['v1', 'v1', node('wf-123', 'wf.a', 'Pod', 'Failed', { templateName: 'tpl' }), 'wf-123'],
  ] as const)('%s', (_l, version, n, expected) => {
    expect(podName('wf', n, version)).toBe(expected);
  });
});

describe('formulateRetry (Argo FormulateRetryWorkflow)', () => {
  // Steps: wf -> [0] -> a (ok) -> [1] -> b (failed)
  const steps = () =>
    wfWith([
      node('wf', 'wf', 'Steps', 'Failed', { children: ['sg0'], outboundNodes: ['b'] }),
      node('sg0', 'wf[0]', 'StepGroup', 'Succeeded', { boundaryID: 'wf', children: ['a'] }),
      node('a', 'wf[0].a', 'Pod', 'Succeeded', { boundaryID: 'wf', children: ['sg1'], templateName: 'main' }),
      node('sg1', 'wf[1]', 'StepGroup', 'Failed', { boundaryID: 'wf', children: ['b'] }),
      node('b', 'wf[1].b', 'Pod', 'Failed', { boundaryID: 'wf', templateName: 'work' }),
    ]);

  it('steps: deletes the failed pod node, resets its step group and the root, keeps what succeeded', () => {
    const plan = formulateRetry(steps(), NOW);
    const nodes = plan.workflow.status?.nodes ?? {};
    expect(Object.keys(nodes).sort()).toEqual(['a', 'sg0', 'sg1', 'wf']);
    expect(nodes['wf']).toEqual({
      id: 'wf',
      name: 'wf',
      displayName: 'wf',
      type: 'Steps',
      phase: 'Running',
      startedAt: T,
      children: ['sg0'],
    });
    expect(nodes['sg1']).toMatchObject({ phase: 'Running', startedAt: T });
    expect(nodes['sg1']?.children).toBeUndefined();
    expect(nodes['sg1']?.finishedAt).toBeUndefined();
    expect(nodes['sg1']?.message).toBeUndefined();
    expect(nodes['a']).toEqual(steps().status?.nodes?.['a']);
    expect(plan.podsToDelete).toEqual([`wf-work-${fnv32a('wf[1].b')}`]);
  });

  it('resets the workflow-level fields as Argo does', () => {
    const out = formulateRetry(steps(), NOW).workflow;
    expect(out.metadata.labels).toEqual({ 'workflows.argoproj.io/phase': 'Failed', keep: 'me' });
    expect(out.spec.shutdown).toBeUndefined();
    expect(out.spec.activeDeadlineSeconds).toBeUndefined();
    expect(out.status?.phase).toBeUndefined();
    expect(out.status?.message).toBeUndefined();
    expect(out.status?.finishedAt).toBeUndefined();
    expect(out.status?.startedAt).toBe(T);
    expect(out.status?.['persistentVolumeClaims']).toBeUndefined();
    expect(out.status?.conditions).toEqual([
      { type: 'PodRunning', status: 'False' },
      { type: 'Completed', status: 'False' },
    ]);
    expect(out.metadata.resourceVersion).toBe(steps().metadata.resourceVersion);
  });

  it('DAG: deletes the failed task and what depends on it, pods included', () => {
    const wf = wfWith([
      node('d', 'wf', 'DAG', 'Failed', { children: ['a', 'b'], outboundNodes: ['c'] }),
      node('a', 'wf.a', 'Pod', 'Succeeded', { boundaryID: 'd', children: ['c'], templateName: 't' }),
      node('b', 'wf.b', 'Pod', 'Failed', { boundaryID: 'd', children: ['c'], templateName: 't' }),
      node('c', 'wf.c', 'Pod', 'Omitted', { boundaryID: 'd', templateName: 't' }),
    ]);
    const plan = formulateRetry(wf, NOW);
    const nodes = plan.workflow.status?.nodes ?? {};
    expect(Object.keys(nodes).sort()).toEqual(['a', 'd']);
    expect(nodes['d']).toMatchObject({ phase: 'Running', children: ['a'] });
    expect(nodes['d']?.outboundNodes).toBeUndefined();
    expect(nodes['a']?.children).toBeUndefined();
    expect(nodes['a']?.phase).toBe('Succeeded');
    expect([...plan.podsToDelete].sort()).toEqual([`wf-t-${fnv32a('wf.b')}`, `wf-t-${fnv32a('wf.c')}`].sort());
  });

  it('retry nodes: failed attempts are deleted, the failed Retry parent is reset', () => {
    const wf = wfWith([
      node('wf', 'wf', 'Steps', 'Failed', { children: ['sg0'] }),
      node('sg0', 'wf[0]', 'StepGroup', 'Failed', { boundaryID: 'wf', children: ['r'] }),
      node('r', 'wf[0].x', 'Retry', 'Failed', { boundaryID: 'wf', children: ['p1', 'p2'] }),
      node('p1', 'wf[0].x(0)', 'Pod', 'Failed', { boundaryID: 'wf', nodeFlag: { retried: true } }),
      node('p2', 'wf[0].x(1)', 'Pod', 'Error', { boundaryID: 'wf', nodeFlag: { retried: true } }),
    ]);
    const plan = formulateRetry(wf, NOW);
    const nodes = plan.workflow.status?.nodes ?? {};
    expect(Object.keys(nodes).sort()).toEqual(['r', 'sg0', 'wf']);
    for (const id of ['r', 'sg0', 'wf']) expect(nodes[id]?.phase).toBe('Running');
    expect(nodes['r']?.children).toBeUndefined();
    expect(plan.podsToDelete).toHaveLength(2);
  });

  it('a failed node with a succeeded descendant is not reset (continueOn / retried success)', () => {
    const wf = wfWith([
      node('wf', 'wf', 'Steps', 'Failed', { children: ['sg0'] }),
      node('sg0', 'wf[0]', 'StepGroup', 'Succeeded', { boundaryID: 'wf', children: ['r'] }),
      node('r', 'wf[0].x', 'Retry', 'Succeeded', { boundaryID: 'wf', children: ['p1', 'p2'] }),
      node('p1', 'wf[0].x(0)', 'Pod', 'Failed', { boundaryID: 'wf', nodeFlag: { retried: true } }),
      node('p2', 'wf[0].x(1)', 'Pod', 'Succeeded', { boundaryID: 'wf', nodeFlag: { retried: true } }),
    ]);
    const plan = formulateRetry(wf, NOW);
    expect(plan.podsToDelete).toEqual([]);
    expect(Object.keys(plan.workflow.status?.nodes ?? {}).sort()).toEqual(['p1', 'p2', 'r', 'sg0', 'wf']);
  });

  it('containerSet: a failed Container deletes its Pod and the Pod subtree', () => {
    const wf = wfWith([
      node('d', 'wf', 'DAG', 'Failed', { children: ['p'] }),
      node('p', 'wf.cs', 'Pod', 'Failed', { boundaryID: 'd', children: ['c1', 'c2'], templateName: 'cs' }),
      node('c1', 'wf.cs.main', 'Container', 'Failed', { boundaryID: 'd' }),
      node('c2', 'wf.cs.side', 'Container', 'Succeeded', { boundaryID: 'd' }),
    ]);
    const plan = formulateRetry(wf, NOW);
    expect(Object.keys(plan.workflow.status?.nodes ?? {})).toEqual(['d']);
    expect(plan.podsToDelete).toEqual([`wf-cs-${fnv32a('wf.cs')}`]);
  });

  it('drops exit-handler nodes and deletes their pods', () => {
    const wf = steps();
    wf.status!.nodes!['exit'] = node('exit', 'wf.onExit', 'Pod', 'Succeeded', { templateName: 'exit' });
    const plan = formulateRetry(wf, NOW);
    expect(plan.workflow.status?.nodes?.['exit']).toBeUndefined();
    expect(plan.podsToDelete).toContain(`wf-exit-${fnv32a('wf.onExit')}`);
  });

  it('resetNode: Suspend outputs wait for a value again, Skipped stays Skipped', () => {
    const s = resetNode(
      node('s', 'wf.s', 'Suspend', 'Succeeded', {
        outputs: { parameters: [{ name: 'ok', value: 'yes', description: 'd' }] },
      }),
      NOW,
    );
    expect(s).toMatchObject({
      phase: 'Running',
      startedAt: T,
      outputs: { parameters: [{ name: 'ok', valueFrom: { supplied: {} } }] },
    });
    expect(s.finishedAt).toBeUndefined();
    expect(s.message).toBeUndefined();
    expect(resetNode(node('k', 'wf.k', 'Skipped', 'Skipped'), NOW).phase).toBe('Skipped');
  });

  it('with parameters: overrides them Argo-style (passed first) and deletes children of reset step groups', () => {
    const wf = steps();
    wf.spec.arguments = {
      parameters: [
        { name: 'x', value: '1' },
        { name: 'y', value: '2' },
      ],
    };
    const plan = formulateRetry(wf, NOW, { parameters: [['y', 'Y']] });
    expect(plan.workflow.spec.arguments?.parameters).toEqual([
      { name: 'y', value: 'Y' },
      { name: 'x', value: '1' },
    ]);
    expect(Object.keys(plan.workflow.status?.nodes ?? {}).sort()).toEqual(['a', 'sg0', 'sg1', 'wf']);
  });

  it('keeps compressed nodes compressed', () => {
    const wf = steps();
    const nodes = wf.status!.nodes!;
    delete wf.status!.nodes;
    wf.status!.compressedNodes = gzipSync(JSON.stringify(nodes)).toString('base64');
    const out = formulateRetry(wf, NOW).workflow;
    expect(out.status?.nodes).toBeUndefined();
    expect(Object.keys(decodeCompressedNodes(out.status?.compressedNodes ?? '').nodes).sort()).toEqual([
      'a',
      'sg0',
      'sg1',
      'wf',
    ]);
  });

  it.each([
    ['Running', /in phase Running/],
    ['', /Pending \(no status\)/],
    ['Succeeded', /it Succeeded/],
  ])('refuses a workflow in phase %p with ERR_ARGO_OPERATION', (phase, message) => {
    const e = errorOf(() => formulateRetry(wfWith([], phase), NOW));
    expect(e.code).toBe('ERR_ARGO_OPERATION');
    expect(e.message).toMatch(message);
  });

  it('refuses offloaded nodes and broken trees with ERR_ARGO_OPERATION', () => {
    const off = wfWith([], 'Failed', { status: { offloadNodeStatusVersion: 'v1' } });
    delete off.status?.nodes;
    expect(errorOf(() => formulateRetry(off, NOW)).message).toMatch(/offloaded/);
    const orphan = wfWith([node('wf', 'wf', 'Steps', 'Failed'), node('x', 'wf.x', 'Pod', 'Failed')]);
    expect(errorOf(() => formulateRetry(orphan, NOW)).message).toMatch(/has no parent/);
  });

  it('does not mutate its input', () => {
    const wf = steps();
    const copy = structuredClone(wf);
    formulateRetry(wf, NOW);
    expect(wf).toEqual(copy);
  });
});

describe('argoOverrideParameters', () => {
  it('puts passed parameters first, as plain name/value', () => {
    expect(
      argoOverrideParameters(
        [
          { name: 'a', value: '1', description: 'd' },
          { name: 'b', value: '2' },
        ],
        [
          ['b', 'B'],
          ['c', 'C'],
        ],
      ),
    ).toEqual([
      { name: 'b', value: 'B' },
      { name: 'c', value: 'C' },
      { name: 'a', value: '1', description: 'd' },
    ]);
  });
});

describe('formulateResume (Argo ResumeWorkflow)', () => {
  const suspended = () =>
    workflow('wf', {
      spec: { suspend: true, entrypoint: 'main', templates: [{ name: 'main' }] },
      status: {
        phase: 'Running',
        nodes: {
          wf: node('wf', 'wf', 'Steps', 'Running', { children: ['s'] }),
          s: node('s', 'wf[0].approve', 'Suspend', 'Running', {
            message: '',
            outputs: {
              parameters: [
                { name: 'ok', valueFrom: { supplied: {}, default: 'yes' } },
                { name: 'fixed', value: 'v' },
              ],
            },
          }),
          done: node('done', 'wf[0].other', 'Suspend', 'Succeeded'),
        },
      },
    });

  it('clears spec.suspend and completes running suspend nodes, defaults supplied outputs', () => {
    const out = formulateResume(suspended(), NOW, 'Resumed by argo-entra');
    expect(out.spec.suspend).toBeUndefined();
    const s = out.status?.nodes?.['s'];
    expect(s).toMatchObject({ phase: 'Succeeded', finishedAt: T, message: 'Resumed by argo-entra' });
    expect(s?.outputs?.parameters).toEqual([
      { name: 'ok', value: 'yes' },
      { name: 'fixed', value: 'v' },
    ]);
    expect(out.status?.nodes?.['done']).toEqual(suspended().status?.nodes?.['done']);
    expect(out.status?.nodes?.['wf']?.phase).toBe('Running');
  });

  it('keeps an existing node message in front of ours', () => {
    const wf = suspended();
    wf.status!.nodes!['s']!.message = 'waiting';
    expect(formulateResume(wf, NOW, 'by me').status?.nodes?.['s']?.message).toBe('waiting; by me');
  });

  it('resumes a workflow that is suspended only by spec.suspend', () => {
    const wf = workflow('wf', { spec: { suspend: true }, status: { phase: 'Running' } });
    expect(formulateResume(wf, NOW).spec.suspend).toBeUndefined();
  });

  it('refuses a supplied output with no default', () => {
    const wf = suspended();
    wf.status!.nodes!['s']!.outputs = { parameters: [{ name: 'ok', valueFrom: { supplied: {} } }] };
    expect(errorOf(() => formulateResume(wf, NOW)).code).toBe('ERR_ARGO_OPERATION');
  });

  it.each([
    [
      'a running, unsuspended workflow',
      workflow('wf', { status: { phase: 'Running', nodes: {} } }),
      /not suspended \(phase Running/,
    ],
    [
      'a completed workflow',
      workflow('wf', { status: { phase: 'Succeeded' } }),
      /already completed \(phase Succeeded\)/,
    ],
    [
      'offloaded nodes',
      workflow('wf', { spec: { suspend: true }, status: { phase: 'Running', offloadNodeStatusVersion: 'v' } }),
      /offloaded/,
    ],
  ])('refuses %s with ERR_ARGO_OPERATION', (_l, wf, message) => {
    const e = errorOf(() => formulateResume(wf, NOW));
    expect(e.code).toBe('ERR_ARGO_OPERATION');
    expect(e.message).toMatch(message);
  });

  it('isWorkflowSuspended looks at spec.suspend and running suspend nodes', () => {
    expect(isWorkflowSuspended(suspended())).toBe(true);
    const byNode = suspended();
    delete byNode.spec.suspend;
    expect(isWorkflowSuspended(byNode)).toBe(true);
    expect(isWorkflowSuspended(workflow('x', { status: { phase: 'Running' } }))).toBe(false);
  });
});

describe('formulateResubmit (Argo FormulateResubmitWorkflow, not memoized)', () => {
  const old = () =>
    workflow('wf-abc', {
      metadata: {
        uid: 'u',
        resourceVersion: '9',
        generateName: 'wf-',
        labels: {
          keep: 'me',
          'workflows.argoproj.io/completed': 'true',
          'workflows.argoproj.io/phase': 'Failed',
          'workflows.argoproj.io/creator': 'x',
          'argo-entra.io/submission': 'oldkey',
          'argo-entra.io/run-id': '1',
        },
        annotations: { a: 'b' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: 'ou' }],
      },
      spec: {
        entrypoint: 'main',
        templates: [{ name: 'main' }],
        shutdown: 'Terminate',
        activeDeadlineSeconds: 0,
        arguments: { parameters: [{ name: 'p', value: '1' }] },
      },
      status: { phase: 'Failed' },
    });

  it('copies the spec and user labels, marks where it came from, drops status and server fields', () => {
    const out = formulateResubmit(old());
    expect(out).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: {
        generateName: 'wf-',
        namespace: 'ns',
        labels: {
          keep: 'me',
          'argo-entra.io/run-id': '1',
          'workflows.argoproj.io/resubmitted-from-workflow': 'wf-abc',
        },
        annotations: { a: 'b' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: 'ou' }],
      },
      spec: {
        entrypoint: 'main',
        templates: [{ name: 'main' }],
        arguments: { parameters: [{ name: 'p', value: '1' }] },
      },
    });
  });

  it('uses <name>- without a generateName, applies parameters and the current stamp', () => {
    const wf = old();
    delete wf.metadata.generateName;
    const out = formulateResubmit(wf, {
      parameters: [['p', '2']],
      stamp: {
        labels: { 'argo-entra.io/run-id': '2', 'argo-entra.io/submission': 'newkey' },
        annotations: { 'argo-entra.io/sha': 's' },
        submissionKey: 'newkey',
      },
    });
    expect(out.metadata.generateName).toBe('wf-abc-');
    expect(out.spec.arguments?.parameters).toEqual([{ name: 'p', value: '2' }]);
    expect(out.metadata.labels).toMatchObject({ 'argo-entra.io/run-id': '2', 'argo-entra.io/submission': 'newkey' });
    expect(out.metadata.annotations).toEqual({ a: 'b', 'argo-entra.io/sha': 's' });
  });
});
