import { describe, expect, it } from '@jest/globals';
import { buildWorkflow, overrideParameters, type BuildSettings } from '../../../src/argo/build.js';
import { validateWorkflow } from '../../../src/argo/validate.js';
import { ArgoEntraError } from '../../../src/errors.js';
import { workflow } from './fake-kube.js';

const manifest = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: hello-
  labels: {team: a, keep: me}
  annotations: {note: x}
spec:
  entrypoint: main
  serviceAccountName: from-manifest
  arguments:
    parameters:
      - {name: a, value: "1"}
      - {name: b, value: "2", description: kept}
      - {name: c, valueFrom: {configMapKeyRef: {name: cm, key: k}}}
  templates:
    - name: main
      suspend: {}
    - name: other
      suspend: {}
`;

function settings(patch: Partial<BuildSettings> = {}): BuildSettings {
  return {
    source: { kind: 'manifest', text: manifest, origin: 'wf.yaml' },
    entrypoint: undefined,
    parameters: [],
    labels: {},
    annotations: {},
    name: undefined,
    generateName: undefined,
    serviceAccount: undefined,
    ...patch,
  };
}

function errorOf(fn: () => unknown): ArgoEntraError {
  try {
    fn();
  } catch (e) {
    return e as ArgoEntraError;
  }
  throw new Error('expected an error');
}

describe('buildWorkflow', () => {
  it('keeps a manifest as it is when nothing is overridden', () => {
    const wf = buildWorkflow(settings(), 'ns');
    expect(wf.metadata).toEqual({
      generateName: 'hello-',
      namespace: 'ns',
      labels: { team: 'a', keep: 'me' },
      annotations: { note: 'x' },
    });
    expect(wf.spec.serviceAccountName).toBe('from-manifest');
  });

  it('applies entrypoint, service account, parameters (by name, order kept), labels and annotations', () => {
    const wf = buildWorkflow(
      settings({
        entrypoint: 'other',
        serviceAccount: 'runner',
        parameters: [
          ['b', 'B'],
          ['new', 'N'],
          ['c', 'C'],
        ],
        labels: { team: 'b', extra: 'y' },
        annotations: { more: 'z' },
      }),
      'ns',
    );
    expect(wf.spec.entrypoint).toBe('other');
    expect(wf.spec.serviceAccountName).toBe('runner');
    expect(wf.spec.arguments?.parameters).toEqual([
      { name: 'a', value: '1' },
      { name: 'b', value: 'B', description: 'kept' },
      { name: 'c', value: 'C' },
      { name: 'new', value: 'N' },
    ]);
    expect(wf.metadata.labels).toEqual({ team: 'b', keep: 'me', extra: 'y' });
    expect(wf.metadata.annotations).toEqual({ note: 'x', more: 'z' });
  });

  it.each([
    [{ name: 'fixed-1' }, { name: 'fixed-1' }],
    [{ generateName: 'gen-' }, { generateName: 'gen-' }],
  ])("name/generateName %p replace the manifest's", (patch, expected) => {
    const wf = buildWorkflow(settings(patch), 'ns');
    expect({ name: wf.metadata.name, generateName: wf.metadata.generateName }).toEqual({
      name: undefined,
      generateName: undefined,
      ...expected,
    });
  });

  it('builds a template reference as argo submit --from does', () => {
    const wf = buildWorkflow(
      settings({
        source: { kind: 'template', name: 'tmpl', clusterScope: false },
        parameters: [['p', 'v']],
        entrypoint: 'e',
      }),
      'ns',
    );
    expect(wf).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: {
        generateName: 'tmpl-',
        namespace: 'ns',
        labels: { 'workflows.argoproj.io/workflow-template': 'tmpl' },
        annotations: {},
      },
      spec: {
        workflowTemplateRef: { name: 'tmpl' },
        entrypoint: 'e',
        arguments: { parameters: [{ name: 'p', value: 'v' }] },
      },
    });
  });

  it('labels a cluster template reference', () => {
    const wf = buildWorkflow(settings({ source: { kind: 'template', name: 'ct', clusterScope: true } }), 'ns');
    expect(wf.spec.workflowTemplateRef).toEqual({ name: 'ct', clusterScope: true });
    expect(wf.metadata.labels).toEqual({ 'workflows.argoproj.io/cluster-workflow-template': 'ct' });
  });

  it('sets the service account on a template reference, unless the controller is known to run Strict', () => {
    const s = settings({ source: { kind: 'template', name: 't', clusterScope: false }, serviceAccount: 'sa' });
    expect(buildWorkflow(s, 'ns').spec.serviceAccountName).toBe('sa');
    expect(errorOf(() => buildWorkflow(s, 'ns', { strictTemplateReferencing: true })).code).toBe(
      'ERR_SETTINGS_CONFLICT',
    );
  });

  it('applies the audit stamp last, so a label input cannot shadow it', () => {
    const wf = buildWorkflow(settings({ labels: { 'argo-entra.io/ci': 'forged' } }), 'ns', {
      stamp: {
        labels: { 'argo-entra.io/ci': 'github' },
        annotations: { 'argo-entra.io/sha': 'abc' },
        submissionKey: undefined,
      },
    });
    expect(wf.metadata.labels?.['argo-entra.io/ci']).toBe('github');
    expect(wf.metadata.annotations?.['argo-entra.io/sha']).toBe('abc');
  });

  it.each([
    ['no source', settings({ source: undefined }), 'ERR_SETTINGS_MISSING'],
    ['name and generateName', settings({ name: 'a', generateName: 'b-' }), 'ERR_SETTINGS_CONFLICT'],
    [
      'bad manifest',
      settings({ source: { kind: 'manifest', text: 'kind: Pod', origin: 'x' } }),
      'ERR_MANIFEST_INVALID',
    ],
    ['invalid label value', settings({ labels: { team: 'not ok' } }), 'ERR_MANIFEST_INVALID'],
    ['invalid label key', settings({ labels: { 'a/b/c': 'x' } }), 'ERR_MANIFEST_INVALID'],
    ['entrypoint naming no template', settings({ entrypoint: 'nope' }), 'ERR_MANIFEST_INVALID'],
    ['upper-case name', settings({ name: 'Hello' }), 'ERR_MANIFEST_INVALID'],
    ['name over 63 chars', settings({ name: 'a'.repeat(64) }), 'ERR_MANIFEST_INVALID'],
    ['generateName over 58 chars', settings({ generateName: `${'a'.repeat(58)}-` }), 'ERR_MANIFEST_INVALID'],
  ])('refuses %s', (_l, s, c) => {
    expect(errorOf(() => buildWorkflow(s, 'ns')).code).toBe(c);
  });
});

describe('validateWorkflow', () => {
  it.each([
    [
      'neither name nor generateName',
      workflow('', { metadata: {} }),
      /neither metadata.name nor metadata.generateName/,
    ],
    [
      'templates with a template ref',
      workflow('a', { spec: { workflowTemplateRef: { name: 't' }, templates: [{ name: 'x' }] } }),
      /both spec.workflowTemplateRef and spec.templates/,
    ],
    [
      'no templates and no ref',
      workflow('a', { spec: { entrypoint: 'm', templates: [] } }),
      /no spec.templates and no spec.workflowTemplateRef/,
    ],
    [
      'no entrypoint',
      workflow('a', { spec: { entrypoint: '', templates: [{ name: 'm' }] } }),
      /spec.entrypoint is required/,
    ],
    [
      'duplicate parameters',
      workflow('a', { spec: { arguments: { parameters: [{ name: 'p' }, { name: 'p' }] } } }),
      /given twice/,
    ],
  ])('%s -> ERR_MANIFEST_INVALID', (_l, wf, pattern) => {
    if (wf.metadata.name === '') delete wf.metadata.name;
    const e = errorOf(() => validateWorkflow(wf));
    expect(e.code).toBe('ERR_MANIFEST_INVALID');
    expect(e.message).toMatch(pattern);
  });

  it('accepts a template reference without entrypoint', () => {
    expect(() =>
      validateWorkflow(workflow('a', { spec: { workflowTemplateRef: { name: 't' }, templates: [] } })),
    ).not.toThrow();
  });
});

describe('overrideParameters', () => {
  it('lets the last of a repeated input win and does not mutate the input', () => {
    const existing = [{ name: 'a', value: '1' }];
    expect(
      overrideParameters(existing, [
        ['a', 'x'],
        ['a', 'y'],
      ]),
    ).toEqual([{ name: 'a', value: 'y' }]);
    expect(existing).toEqual([{ name: 'a', value: '1' }]);
  });
});
