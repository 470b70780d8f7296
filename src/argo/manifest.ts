/**
 * Parse the user's workflow (a file's text or inline YAML/JSON) into exactly one argoproj.io/v1alpha1 Workflow in
 * the scoped namespace. Everything else is refused before anything is sent: the kubeconfig is scoped to one
 * namespace, so a manifest naming another would only fail later with a less useful 403.
 */
import { parseAllDocuments } from 'yaml';
import { ArgoEntraError } from '../errors.js';
import type { Workflow } from './types.js';

export const WORKFLOW_API_VERSION = 'argoproj.io/v1alpha1';

const HINTS: Readonly<Record<string, string>> = {
  WorkflowTemplate: 'To run a WorkflowTemplate, set workflow-template: <name> instead of passing its manifest.',
  ClusterWorkflowTemplate:
    'To run a ClusterWorkflowTemplate, set cluster-workflow-template: <name> instead of passing its manifest.',
  CronWorkflow: 'CronWorkflows are scheduled by Argo itself; pass a Workflow (or copy its spec.workflowSpec into one).',
};

function invalid(origin: string, message: string, hint: string, details: Record<string, string> = {}): ArgoEntraError {
  return new ArgoEntraError('ERR_MANIFEST_INVALID', `${origin}: ${message}`, { hint, details: { origin, ...details } });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * @param text the manifest (YAML or JSON; JSON is YAML)
 * @param namespace the namespace the credentials are scoped to
 * @param origin where the text came from (a path, or "inline workflow"), used in messages
 */
export function parseWorkflowManifest(text: string, namespace: string, origin = 'workflow'): Workflow {
  const documents = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  // parseAllDocuments returns an EmptyStream (no documents) for blank input.
  const list = Array.isArray(documents) ? documents : [];

  for (const doc of list) {
    const first = doc.errors[0];
    if (first) {
      throw invalid(
        origin,
        `is not valid YAML or JSON: ${first.message}`,
        'Fix the syntax; `kubectl create --dry-run=client -f <file>` shows the same error.',
      );
    }
  }

  // A trailing `---` or a comment-only document yields an empty document: not a second workflow.
  const contents = list
    .map((doc) => doc.toJS({ maxAliasCount: 100 }) as unknown)
    .filter((v) => v !== null && v !== undefined);

  if (contents.length === 0) {
    throw invalid(
      origin,
      'contains no document; expected one argoproj.io/v1alpha1 Workflow.',
      'Pass a workflow manifest (YAML or JSON), or set workflow-template.',
    );
  }
  if (contents.length > 1) {
    const found = contents.map(describe).join(', ');
    throw invalid(
      origin,
      `contains ${contents.length} documents (${found}); expected exactly one argoproj.io/v1alpha1 Workflow.`,
      'Submit one workflow per step; put the others in their own files (or run the action once per workflow).',
      { documents: String(contents.length) },
    );
  }

  const obj = contents[0];
  if (!isRecord(obj)) {
    throw invalid(
      origin,
      `is a ${Array.isArray(obj) ? 'list' : typeof obj}, not an object; expected one argoproj.io/v1alpha1 Workflow.`,
      'The manifest must be a mapping with apiVersion, kind, metadata and spec.',
    );
  }

  const apiVersion = obj['apiVersion'];
  const kind = obj['kind'];
  if (kind !== 'Workflow') {
    const shown = typeof kind === 'string' ? kind : kind === undefined ? '(no kind)' : JSON.stringify(kind);
    throw invalid(
      origin,
      `has kind ${shown}; expected kind Workflow (apiVersion argoproj.io/v1alpha1).`,
      (typeof kind === 'string' ? HINTS[kind] : undefined) ?? 'Set kind: Workflow.',
      { kind: String(kind) },
    );
  }
  if (apiVersion !== WORKFLOW_API_VERSION) {
    const shown = typeof apiVersion === 'string' ? apiVersion : '(no apiVersion)';
    throw invalid(
      origin,
      `has apiVersion ${shown}; expected ${WORKFLOW_API_VERSION}.`,
      `Set apiVersion: ${WORKFLOW_API_VERSION}.`,
      { apiVersion: String(apiVersion) },
    );
  }

  const metadata = obj['metadata'] ?? {};
  if (!isRecord(metadata)) {
    throw invalid(
      origin,
      'has a metadata that is not a mapping.',
      'metadata must be a mapping (name or generateName, labels, annotations).',
    );
  }
  const spec = obj['spec'];
  if (!isRecord(spec)) {
    throw invalid(
      origin,
      spec === undefined ? 'has no spec.' : 'has a spec that is not a mapping.',
      'A Workflow needs a spec (templates and entrypoint, or workflowTemplateRef).',
    );
  }
  if (obj['status'] !== undefined) {
    // A status copied from `kubectl get -o yaml` would be stored as-is (no status subresource) and confuse the controller.
    delete obj['status'];
  }

  const ns = metadata['namespace'];
  if (ns !== undefined && ns !== null && ns !== '' && ns !== namespace) {
    throw invalid(
      origin,
      `sets metadata.namespace "${String(ns)}"; the credentials are scoped to namespace "${namespace}".`,
      `Remove metadata.namespace (it defaults to "${namespace}") or set the namespace input to "${String(ns)}".`,
      { found: String(ns), expected: namespace },
    );
  }
  for (const key of ['labels', 'annotations'] as const) {
    const value = metadata[key];
    if (value !== undefined && value !== null && !isRecord(value)) {
      throw invalid(
        origin,
        `has metadata.${key} that is not a mapping.`,
        `metadata.${key} must map names to string values.`,
      );
    }
    if (isRecord(value)) {
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string') {
          throw invalid(
            origin,
            `has metadata.${key}.${k} = ${JSON.stringify(v)}, which is not a string.`,
            `Quote the value: ${k}: "${String(v)}".`,
          );
        }
      }
    }
  }
  metadata['namespace'] = namespace;
  // Server-owned fields from an exported object would make the create fail or collide.
  for (const key of ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields', 'selfLink', 'generation'])
    delete metadata[key];

  return { ...obj, apiVersion: WORKFLOW_API_VERSION, kind: 'Workflow', metadata, spec } as Workflow;
}

function describe(value: unknown): string {
  if (!isRecord(value)) return Array.isArray(value) ? 'a list' : typeof value;
  const kind = typeof value['kind'] === 'string' ? value['kind'] : '(no kind)';
  const meta = value['metadata'];
  const name = isRecord(meta) ? (meta['name'] ?? meta['generateName']) : undefined;
  return typeof name === 'string' ? `${kind} ${name}` : kind;
}
