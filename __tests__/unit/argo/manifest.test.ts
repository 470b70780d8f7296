import { describe, expect, it } from '@jest/globals';
import { parseWorkflowManifest } from '../../../src/argo/manifest.js';
import { ArgoEntraError } from '../../../src/errors.js';

const good = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: hello-
spec:
  entrypoint: main
  templates:
    - name: main
      suspend: {}
`;

function code(fn: () => unknown): { code: string; message: string; hint: string | undefined } {
  try {
    fn();
  } catch (error) {
    const e = error as ArgoEntraError;
    return { code: e.code, message: e.message, hint: e.hint };
  }
  throw new Error('expected an error');
}

describe('parseWorkflowManifest', () => {
  it('parses YAML and fills the scoped namespace', () => {
    const wf = parseWorkflowManifest(good, 'team-a', 'wf.yaml');
    expect(wf.metadata).toEqual({ generateName: 'hello-', namespace: 'team-a' });
    expect(wf.spec.entrypoint).toBe('main');
  });

  it('parses JSON', () => {
    const json = JSON.stringify({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { name: 'x', namespace: 'team-a' },
      spec: { entrypoint: 'm', templates: [{ name: 'm' }] },
    });
    expect(parseWorkflowManifest(json, 'team-a').metadata.name).toBe('x');
  });

  it.each([
    ['empty namespace', ''],
    ['null namespace', '~'],
  ])('treats %s as the scoped namespace', (_l, ns) => {
    const wf = parseWorkflowManifest(good.replace('metadata:\n', `metadata:\n  namespace: ${ns}\n`), 'team-a');
    expect(wf.metadata.namespace).toBe('team-a');
  });

  it('ignores a trailing document separator and comment-only documents', () => {
    expect(parseWorkflowManifest(`${good}---\n# nothing\n`, 'team-a').kind).toBe('Workflow');
  });

  it('drops a copied status and server-owned metadata', () => {
    const wf = parseWorkflowManifest(
      good.replace('metadata:\n', 'metadata:\n  uid: abc\n  resourceVersion: "5"\n') + 'status:\n  phase: Succeeded\n',
      'team-a',
    );
    expect(wf.status).toBeUndefined();
    expect(wf.metadata.uid).toBeUndefined();
    expect(wf.metadata.resourceVersion).toBeUndefined();
  });

  it.each([
    ['nothing', '', /contains no document/],
    ['only a comment', '# hi\n', /contains no document/],
    [
      'two workflows',
      `${good}---\n${good}`,
      /contains 2 documents \(Workflow hello-, Workflow hello-\); expected exactly one/,
    ],
    [
      'a workflow and a config map',
      `${good}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n`,
      /2 documents \(Workflow hello-, ConfigMap c\)/,
    ],
    [
      'a WorkflowTemplate',
      good.replace('kind: Workflow', 'kind: WorkflowTemplate'),
      /has kind WorkflowTemplate; expected kind Workflow/,
    ],
    ['a CronWorkflow', good.replace('kind: Workflow', 'kind: CronWorkflow'), /has kind CronWorkflow/],
    ['no kind', good.replace('kind: Workflow\n', ''), /has kind \(no kind\)/],
    [
      'another apiVersion',
      good.replace('argoproj.io/v1alpha1', 'argoproj.io/v1beta1'),
      /has apiVersion argoproj.io\/v1beta1; expected argoproj.io\/v1alpha1/,
    ],
    ['no apiVersion', good.replace('apiVersion: argoproj.io/v1alpha1\n', ''), /has apiVersion \(no apiVersion\)/],
    [
      'another namespace',
      good.replace('metadata:\n', 'metadata:\n  namespace: prod\n'),
      /sets metadata.namespace "prod"; the credentials are scoped to namespace "team-a"/,
    ],
    ['a list', '- a\n- b\n', /is a list, not an object/],
    ['a scalar', 'hello\n', /is a string, not an object/],
    ['bad YAML', 'kind: Workflow\n  bad: indent: here\n', /is not valid YAML or JSON/],
    ['duplicate keys', `${good}kind: Workflow\n`, /is not valid YAML or JSON/],
    ['bad JSON', '{"kind": "Workflow",', /is not valid YAML or JSON/],
    ['no spec', 'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: a}\n', /has no spec/],
    [
      'a non-string label',
      good.replace('metadata:\n', 'metadata:\n  labels:\n    n: 5\n'),
      /metadata.labels.n = 5, which is not a string/,
    ],
    [
      'metadata not a map',
      'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: x\nspec: {}\n',
      /metadata that is not a mapping/,
    ],
  ])('refuses %s with ERR_MANIFEST_INVALID', (_label, text, pattern) => {
    const e = code(() => parseWorkflowManifest(text, 'team-a', 'wf.yaml'));
    expect(e.code).toBe('ERR_MANIFEST_INVALID');
    expect(e.message).toMatch(/^wf\.yaml: /);
    expect(e.message).toMatch(pattern);
    expect(e.hint).toBeTruthy();
  });

  it('points a WorkflowTemplate manifest at the workflow-template input', () => {
    expect(
      code(() => parseWorkflowManifest(good.replace('kind: Workflow', 'kind: WorkflowTemplate'), 'ns')).hint,
    ).toMatch(/workflow-template/);
  });
});
