import { describe, expect, it } from '@jest/globals';
import { submitWorkflow } from '../../../src/argo/submit.js';
import { ArgoEntraError } from '../../../src/errors.js';
import type { Workflow } from '../../../src/argo/types.js';
import { FakeKube, workflow } from './fake-kube.js';

function gen(labels: Record<string, string> = {}, spec: Partial<Workflow['spec']> = {}): Workflow {
  const wf = workflow('', { metadata: { generateName: 'hello-', labels }, spec });
  delete wf.metadata.name;
  return wf;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as ArgoEntraError).code;
  }
  return 'no error';
}

describe('submitWorkflow', () => {
  it('creates through POST on the workflows resource', async () => {
    const kube = new FakeKube();
    const r = await submitWorkflow(kube, 'ns', gen(), { dryRun: 'none' });
    expect(r.kind).toBe('created');
    expect(r.workflow.metadata.name).toMatch(/^hello-/);
    expect(kube.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
      'POST /apis/argoproj.io/v1alpha1/namespaces/ns/workflows',
    ]);
  });

  it('client dry-run validates and sends nothing', async () => {
    const kube = new FakeKube();
    const r = await submitWorkflow(kube, 'ns', gen({ k: 'v' }), { dryRun: 'client' });
    expect(r.kind).toBe('dry-run');
    expect(kube.requests).toHaveLength(0);
    expect(await codeOf(submitWorkflow(kube, 'ns', gen({ k: 'bad value' }), { dryRun: 'client' }))).toBe(
      'ERR_MANIFEST_INVALID',
    );
  });

  it('server dry-run sends dryRun=All, stores nothing, and skips the idempotency lookup', async () => {
    const kube = new FakeKube();
    const r = await submitWorkflow(kube, 'ns', gen({ 'argo-entra.io/submission': 'k1' }), { dryRun: 'server' });
    expect(r.kind).toBe('dry-run');
    expect(kube.requests.map((q) => [q.method, q.query])).toEqual([['POST', { dryRun: 'All' }]]);
    expect(kube.workflows.size).toBe(0);
  });

  it('attaches to the workflow an earlier try of the same step created, instead of creating a second', async () => {
    const kube = new FakeKube();
    const first = await submitWorkflow(kube, 'ns', gen({ 'argo-entra.io/submission': 'k1' }), { dryRun: 'none' });
    const second = await submitWorkflow(kube, 'ns', gen({ 'argo-entra.io/submission': 'k1' }), { dryRun: 'none' });
    expect(second.kind).toBe('attached');
    expect(second.workflow.metadata.name).toBe(first.workflow.metadata.name);
    expect(kube.workflows.size).toBe(1);
    const list = kube.requests.filter((q) => q.method === 'GET');
    expect(list[0]?.query).toEqual({ labelSelector: 'argo-entra.io/submission=k1' });
  });

  it('a new key (new attempt) creates a new workflow', async () => {
    const kube = new FakeKube();
    await submitWorkflow(kube, 'ns', gen({ 'argo-entra.io/submission': 'k1' }), { dryRun: 'none' });
    const r = await submitWorkflow(kube, 'ns', gen({ 'argo-entra.io/submission': 'k2' }), { dryRun: 'none' });
    expect(r.kind).toBe('created');
    expect(kube.workflows.size).toBe(2);
  });

  it('after a concurrent double submit attaches to the oldest and warns', async () => {
    const kube = new FakeKube();
    kube.put(
      workflow('b-second', {
        metadata: { labels: { 'argo-entra.io/submission': 'k' }, creationTimestamp: '2026-01-01T00:00:02Z' },
      }),
    );
    kube.put(
      workflow('a-first', {
        metadata: { labels: { 'argo-entra.io/submission': 'k' }, creationTimestamp: '2026-01-01T00:00:01Z' },
      }),
    );
    const r = await submitWorkflow(kube, 'ns', gen({ 'argo-entra.io/submission': 'k' }), { dryRun: 'none' });
    expect(r.workflow.metadata.name).toBe('a-first');
    expect(r.warnings.join()).toMatch(/b-second/);
  });

  it('a fixed name that exists and carries our key is attached (list/create race)', async () => {
    const kube = new FakeKube();
    kube.put(workflow('fixed', { metadata: { labels: { 'argo-entra.io/submission': 'k' } } }));
    kube.requestHooks.push((req) =>
      req.method === 'GET' && req.query?.['labelSelector']
        ? { status: 200, body: { items: [] }, date: undefined }
        : 'pass',
    );
    const r = await submitWorkflow(
      kube,
      'ns',
      workflow('fixed', { metadata: { labels: { 'argo-entra.io/submission': 'k' } } }),
      { dryRun: 'none' },
    );
    expect(r.kind).toBe('attached');
  });

  it('checks a referenced template exists', async () => {
    const kube = new FakeKube();
    kube.templates.set('workflowtemplates/ns/t', { kind: 'WorkflowTemplate' });
    const ok = await submitWorkflow(kube, 'ns', gen({}, { workflowTemplateRef: { name: 't' }, templates: [] }), {
      dryRun: 'none',
    });
    expect(ok.kind).toBe('created');
    expect(kube.requests[0]?.path).toBe('/apis/argoproj.io/v1alpha1/namespaces/ns/workflowtemplates/t');
  });

  it.each([
    [{ name: 'missing' }, 'workflowtemplates', /WorkflowTemplate "missing" was not found in namespace "ns"/],
    [
      { name: 'missing', clusterScope: true },
      'clusterworkflowtemplates',
      /ClusterWorkflowTemplate "missing" was not found in the cluster/,
    ],
  ])('a missing template %p is ERR_ARGO_TEMPLATE_NOT_FOUND', async (ref, resource, message) => {
    const kube = new FakeKube();
    const p = submitWorkflow(kube, 'ns', gen({}, { workflowTemplateRef: ref, templates: [] }), { dryRun: 'none' });
    await expect(p).rejects.toMatchObject({
      code: 'ERR_ARGO_TEMPLATE_NOT_FOUND',
      message: expect.stringMatching(message),
    });
    expect(kube.requests[0]?.path).toContain(resource);
    expect(kube.count('POST')).toBe(0);
  });

  it('a 403 on the template check is a warning, not a failure', async () => {
    const kube = new FakeKube();
    kube.requestHooks.push((req) =>
      req.path.includes('workflowtemplates')
        ? { status: 403, body: { kind: 'Status', message: 'forbidden' }, date: undefined }
        : 'pass',
    );
    const r = await submitWorkflow(kube, 'ns', gen({}, { workflowTemplateRef: { name: 't' }, templates: [] }), {
      dryRun: 'none',
    });
    expect(r.kind).toBe('created');
    expect(r.warnings[0]).toMatch(/Could not check/);
  });

  it.each([
    ['CRDs not installed (text 404)', (k: FakeKube) => (k.crdInstalled = false), 'ERR_ARGO_CRD_MISSING'],
    [
      'CRDs not installed (Status 404 without details)',
      (k: FakeKube) =>
        k.requestHooks.push(() => ({
          status: 404,
          body: {
            kind: 'Status',
            code: 404,
            reason: 'NotFound',
            message: 'the server could not find the requested resource',
          },
          date: undefined,
        })),
      'ERR_ARGO_CRD_MISSING',
    ],
    ['namespace missing', (k: FakeKube) => k.namespaces.clear(), 'ERR_KUBE_NAMESPACE_NOT_FOUND'],
    [
      '422 invalid',
      (k: FakeKube) =>
        k.requestHooks.push(() => ({
          status: 422,
          body: {
            kind: 'Status',
            code: 422,
            reason: 'Invalid',
            message: 'Workflow.argoproj.io "x" is invalid: spec.templates: Required value',
          },
          date: undefined,
        })),
      'ERR_ARGO_REJECTED',
    ],
    [
      '400 bad request',
      (k: FakeKube) =>
        k.requestHooks.push(() => ({
          status: 400,
          body: { kind: 'Status', code: 400, message: 'bad' },
          date: undefined,
        })),
      'ERR_ARGO_REJECTED',
    ],
    [
      '403 forbidden',
      (k: FakeKube) => k.requestHooks.push(() => ({ status: 403, body: {}, date: undefined })),
      'ERR_KUBE_FORBIDDEN',
    ],
  ])('%s -> %s', async (_l, arrange, code) => {
    const kube = new FakeKube();
    arrange(kube);
    expect(await codeOf(submitWorkflow(kube, 'ns', gen(), { dryRun: 'none' }))).toBe(code);
  });

  it('carries the server message in ERR_ARGO_REJECTED', async () => {
    const kube = new FakeKube();
    kube.requestHooks.push(() => ({
      status: 422,
      body: { kind: 'Status', code: 422, reason: 'Invalid', message: 'spec.templates: Required value' },
      date: undefined,
    }));
    await expect(submitWorkflow(kube, 'ns', gen(), { dryRun: 'none' })).rejects.toMatchObject({
      message: expect.stringContaining('spec.templates: Required value'),
    });
  });

  it('a fixed name taken by someone else is ERR_ARGO_REJECTED', async () => {
    const kube = new FakeKube();
    kube.put(workflow('fixed'));
    await expect(submitWorkflow(kube, 'ns', workflow('fixed'), { dryRun: 'none' })).rejects.toMatchObject({
      code: 'ERR_ARGO_REJECTED',
      details: { reason: 'AlreadyExists' },
    });
  });
});
