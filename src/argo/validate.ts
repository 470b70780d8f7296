/**
 * Client-side checks (dry-run: client, and before every create). A subset of what the API server and Argo's
 * validator would say, chosen so the common mistakes are named before any network call; the server stays the
 * authority (dry-run: server gives its full answer).
 */
import { ArgoEntraError } from '../errors.js';
import { isValidLabelValue } from './label-value.js';
import type { Workflow } from './types.js';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
/** Argo refuses longer workflow names because the name becomes a label value on its pods (validate.go). */
export const MAX_WORKFLOW_NAME = 63;
/** generateName gets 5 random characters appended by the API server. */
const GENERATE_SUFFIX = 5;

function invalid(message: string, hint: string, details: Record<string, string> = {}): ArgoEntraError {
  return new ArgoEntraError('ERR_MANIFEST_INVALID', message, { hint, details });
}

export function isValidMetadataKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME.test(name);
}

export function validateWorkflow(wf: Workflow): void {
  const { name, generateName } = wf.metadata;
  if ((name === undefined || name === '') && (generateName === undefined || generateName === '')) {
    throw invalid(
      'The workflow has neither metadata.name nor metadata.generateName.',
      'Set generate-name (e.g. "build-") or name, or put one in the manifest.',
    );
  }
  if (name !== undefined && name !== '') {
    if (!DNS_SUBDOMAIN.test(name) || name.length > MAX_WORKFLOW_NAME) {
      throw invalid(
        `Workflow name "${name}" is not valid: expected at most ${MAX_WORKFLOW_NAME} lowercase letters, digits, "-" or ".", starting and ending with a letter or digit.`,
        'Choose a name like "build-123".',
        { name },
      );
    }
  } else if (generateName !== undefined) {
    const probe = `${generateName}x`;
    if (!DNS_SUBDOMAIN.test(probe) || generateName.length + GENERATE_SUFFIX > MAX_WORKFLOW_NAME) {
      throw invalid(
        `generateName "${generateName}" is not valid: expected at most ${MAX_WORKFLOW_NAME - GENERATE_SUFFIX} lowercase letters, digits, "-" or ".", starting with a letter or digit (the server appends 5 characters).`,
        'Use a short prefix such as "build-".',
        { generateName },
      );
    }
  }

  for (const [key, value] of Object.entries(wf.metadata.labels ?? {})) {
    if (!isValidMetadataKey(key))
      throw invalid(
        `Label key "${key}" is not valid.`,
        'Label keys are [prefix/]name, name at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric.',
        { key },
      );
    if (!isValidLabelValue(value))
      throw invalid(
        `Label ${key}="${value}" has an invalid value.`,
        'Label values are at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric; put free text in an annotation.',
        { key, value },
      );
  }
  for (const key of Object.keys(wf.metadata.annotations ?? {})) {
    if (!isValidMetadataKey(key))
      throw invalid(
        `Annotation key "${key}" is not valid.`,
        'Annotation keys are [prefix/]name, name at most 63 characters of [A-Za-z0-9-_.].',
        { key },
      );
  }

  const spec = wf.spec;
  const templates = Array.isArray(spec.templates) ? spec.templates : [];
  if (spec.workflowTemplateRef !== undefined) {
    if (typeof spec.workflowTemplateRef.name !== 'string' || spec.workflowTemplateRef.name === '') {
      throw invalid(
        'spec.workflowTemplateRef has no name.',
        'Set spec.workflowTemplateRef.name to the WorkflowTemplate to run.',
      );
    }
    if (templates.length > 0) {
      throw invalid(
        'The workflow sets both spec.workflowTemplateRef and spec.templates; Argo refuses templates on a workflow that references a WorkflowTemplate.',
        'Remove spec.templates, or drop the workflowTemplateRef.',
      );
    }
  } else {
    if (templates.length === 0)
      throw invalid(
        'The workflow has no spec.templates and no spec.workflowTemplateRef.',
        'Add templates and an entrypoint, or reference a WorkflowTemplate.',
      );
    if (spec.entrypoint === undefined || spec.entrypoint === '')
      throw invalid(
        'spec.entrypoint is required.',
        'Set entrypoint (input or spec.entrypoint) to the template to start with.',
      );
    const names = new Set(templates.map((t) => t['name']));
    if (!names.has(spec.entrypoint)) {
      throw invalid(
        `spec.entrypoint "${spec.entrypoint}" names no template; templates are: ${[...names].map(String).join(', ')}.`,
        'Set entrypoint to one of the template names.',
        { entrypoint: spec.entrypoint },
      );
    }
  }

  const seen = new Set<string>();
  for (const p of spec.arguments?.parameters ?? []) {
    if (typeof p.name !== 'string' || p.name === '')
      throw invalid('A spec.arguments.parameters entry has no name.', 'Every parameter needs a name.');
    if (seen.has(p.name))
      throw invalid(`Parameter "${p.name}" is given twice in spec.arguments.parameters.`, 'Give each parameter once.', {
        parameter: p.name,
      });
    seen.add(p.name);
  }
}
