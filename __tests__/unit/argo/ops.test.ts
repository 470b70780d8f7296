import { describe, expect, it } from '@jest/globals';
import { applyShutdown, runOperation } from '../../../src/argo/ops.js';
import type { Workflow } from '../../../src/argo/types.js';
import { ArgoEntraError } from '../../../src/errors.js';
import { FakeKube, ManualTime, workflow } from './fake-kube.js';

function kubeWith(wf: Workflow): { kube: FakeKube; time: ManualTime } {
  const kube = new FakeKube();
  kube.put(wf);
  return { kube, time: new ManualTime() };
}

const running = () => workflow('wf', { status: { phase: 'Running' } });
const noSleep = async (): Promise<void> => {};

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as ArgoEntraError).code;
  }
  return 'no error';
}

describe('operations', () => {
  it.each([
    ['stop', 'Stop'],
    ['terminate', 'Terminate'],
  ] as const)('%s merge-patches spec.shutdown=%s', async (op, strategy) => {
    const { kube } = kubeWith(running());
    const r = await runOperation(kube, 'ns', op, 'wf');
    const patch = kube.requests.find((q) => q.method === 'PATCH');
    expect(patch?.contentType).toBe('application/merge-patch+json');
    expect(patch?.body).toEqual({ spec: { shutdown: strategy } });
    expect(r.workflow.spec.shutdown).toBe(strategy);
  });

  it('suspend merge-patches spec.suspend with the read resourceVersion as precondition', async () => {
    const { kube } = kubeWith(running());
    const rv = kube.workflows.get('ns/wf')?.metadata.resourceVersion;
    await runOperation(kube, 'ns', 'suspend', 'wf');
    expect(kube.requests.find((q) => q.method === 'PATCH')?.body).toEqual({
      metadata: { resourceVersion: rv },
      spec: { suspend: true },
    });
    expect(kube.workflows.get('ns/wf')?.spec.suspend).toBe(true);
  });

  it('suspend of an already suspended workflow changes nothing (as Argo)', async () => {
    const { kube } = kubeWith(workflow('wf', { spec: { suspend: true }, status: { phase: 'Running' } }));
    await runOperation(kube, 'ns', 'suspend', 'wf');
    expect(kube.count('PATCH')).toBe(0);
  });

  it('resume PUTs with the read resourceVersion and retries a 409 from a concurrent controller write', async () => {
    const { kube } = kubeWith(
      workflow('wf', {
        spec: { suspend: true },
        status: { phase: 'Running', nodes: { s: { id: 's', name: 'wf.s', type: 'Suspend', phase: 'Running' } } },
      }),
    );
    let raced = false;
    kube.requestHooks.push((req) => {
      if (req.method === 'PUT' && !raced) {
        raced = true;
        kube.update('ns', 'wf', (wf) => (wf.status = { ...wf.status, progress: '0/1' }));
      }
      return 'pass';
    });
    const r = await runOperation(kube, 'ns', 'resume', 'wf', {
      sleep: noSleep,
      clock: { now: () => Date.parse('2026-03-01T00:00:00Z') },
    });
    expect(kube.count('PUT')).toBe(2);
    expect(kube.count('GET')).toBe(2);
    expect(r.workflow.spec.suspend).toBeUndefined();
    expect(r.workflow.status?.nodes?.['s']).toMatchObject({ phase: 'Succeeded', finishedAt: '2026-03-01T00:00:00Z' });
    expect(r.workflow.status?.progress).toBe('0/1');
  });

  it('gives up after repeated conflicts with ERR_ARGO_OPERATION', async () => {
    const { kube } = kubeWith(workflow('wf', { spec: { suspend: true }, status: { phase: 'Running' } }));
    kube.requestHooks.push((req) =>
      req.method === 'PUT' ? { status: 409, body: { kind: 'Status', code: 409 }, date: undefined } : 'pass',
    );
    expect(await codeOf(runOperation(kube, 'ns', 'resume', 'wf', { sleep: noSleep, maxConflictRetries: 3 }))).toBe(
      'ERR_ARGO_OPERATION',
    );
    expect(kube.count('PUT')).toBe(3);
  });

  it('retry deletes the pods of reset nodes, then PUTs the reset workflow', async () => {
    const { kube } = kubeWith(
      workflow('wf', {
        metadata: { labels: { 'workflows.argoproj.io/completed': 'true' } },
        status: {
          phase: 'Failed',
          nodes: {
            wf: { id: 'wf', name: 'wf', type: 'DAG', phase: 'Failed', children: ['b'] },
            b: { id: 'b', name: 'wf.b', type: 'Pod', phase: 'Failed', boundaryID: 'wf', templateName: 't' },
          },
        },
      }),
    );
    const r = await runOperation(kube, 'ns', 'retry', 'wf', { sleep: noSleep });
    const order = kube.requests.map((q) => q.method);
    expect(order).toEqual(['GET', 'DELETE', 'PUT']);
    expect(kube.deletedPods).toHaveLength(1);
    expect(r.podsDeleted).toEqual(kube.deletedPods);
    expect(r.workflow.metadata.labels?.['workflows.argoproj.io/completed']).toBeUndefined();
    expect(Object.keys(r.workflow.status?.nodes ?? {})).toEqual(['wf']);
  });

  it('resubmit creates a new workflow labelled with where it came from', async () => {
    const { kube } = kubeWith(workflow('wf', { metadata: { generateName: 'wf-' }, status: { phase: 'Failed' } }));
    const r = await runOperation(kube, 'ns', 'resubmit', 'wf');
    expect(r.submit?.kind).toBe('created');
    expect(r.workflow.metadata.name).not.toBe('wf');
    expect(r.workflow.metadata.labels?.['workflows.argoproj.io/resubmitted-from-workflow']).toBe('wf');
    expect(kube.workflows.size).toBe(2);
  });

  it.each([
    ['stop', workflow('wf', { status: { phase: 'Succeeded' } })],
    ['terminate', workflow('wf', { status: { phase: 'Failed' } })],
    ['suspend', workflow('wf', { status: { phase: 'Succeeded' } })],
    ['resume', workflow('wf', { status: { phase: 'Running' } })],
    ['resume', workflow('wf', { status: { phase: 'Succeeded' } })],
    ['retry', workflow('wf', { status: { phase: 'Running' } })],
    ['retry', workflow('wf', { status: { phase: 'Succeeded' } })],
  ] as const)('%s in the wrong state is ERR_ARGO_OPERATION naming the phase', async (op, wf) => {
    const { kube } = kubeWith(wf);
    await expect(runOperation(kube, 'ns', op, 'wf', { sleep: noSleep })).rejects.toMatchObject({
      code: 'ERR_ARGO_OPERATION',
      message: expect.stringContaining(wf.status?.phase ?? ''),
    });
    expect(kube.count('PATCH') + kube.count('PUT') + kube.count('POST')).toBe(0);
  });

  it.each(['stop', 'terminate', 'suspend', 'resume', 'retry', 'resubmit'] as const)(
    '%s of a missing workflow is ERR_ARGO_WORKFLOW_NOT_FOUND',
    async (op) => {
      const kube = new FakeKube();
      expect(await codeOf(runOperation(kube, 'ns', op, 'nope', { sleep: noSleep }))).toBe(
        'ERR_ARGO_WORKFLOW_NOT_FOUND',
      );
    },
  );

  it('without the CRDs an operation is ERR_ARGO_CRD_MISSING', async () => {
    const kube = new FakeKube();
    kube.crdInstalled = false;
    expect(await codeOf(runOperation(kube, 'ns', 'stop', 'wf'))).toBe('ERR_ARGO_CRD_MISSING');
  });

  it('a PATCH refused as invalid is ERR_ARGO_REJECTED', async () => {
    const { kube } = kubeWith(running());
    kube.requestHooks.push((req) =>
      req.method === 'PATCH'
        ? { status: 422, body: { kind: 'Status', code: 422, message: 'nope' }, date: undefined }
        : 'pass',
    );
    expect(await codeOf(runOperation(kube, 'ns', 'stop', 'wf'))).toBe('ERR_ARGO_REJECTED');
  });
});

describe('applyShutdown (on-timeout / on-cancel)', () => {
  it('leave does nothing', async () => {
    const { kube } = kubeWith(running());
    expect(await applyShutdown(kube, 'ns', 'wf', 'leave')).toBeUndefined();
    expect(kube.requests).toHaveLength(0);
  });

  it.each([
    ['stop', 'Stop'],
    ['terminate', 'Terminate'],
  ] as const)('%s patches spec.shutdown', async (policy, strategy) => {
    const { kube } = kubeWith(running());
    expect((await applyShutdown(kube, 'ns', 'wf', policy))?.spec.shutdown).toBe(strategy);
  });

  it('a workflow that finished meanwhile is left alone, not an error', async () => {
    const { kube } = kubeWith(workflow('wf', { status: { phase: 'Succeeded' } }));
    expect((await applyShutdown(kube, 'ns', 'wf', 'stop'))?.status?.phase).toBe('Succeeded');
    expect(kube.count('PATCH')).toBe(0);
  });
});
