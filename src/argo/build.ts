/**
 * The Workflow to create, from settings: a parsed manifest or a WorkflowTemplate reference, then the submit options
 * applied the way `argo submit` applies them (ApplySubmitOpts), then the audit stamp.
 *
 * Service account and template references: since Argo v4.1, a controller running with `templateReferencing: Strict`
 * or `Secure` only runs workflows that reference a template and only lets them set allow-listed spec fields;
 * `serviceAccountName` is not one of them (the template decides who runs). The client cannot read the controller's
 * configuration, so callers that know the cluster runs Strict pass `strictTemplateReferencing` and get a settings
 * error instead of a workflow the controller will refuse.
 */
import { ArgoEntraError } from '../errors.js';
import type { WorkflowSettings } from '../settings/types.js';
import { ARGO_LABEL } from './labels.js';
import { parseWorkflowManifest, WORKFLOW_API_VERSION } from './manifest.js';
import type { AuditStamp } from './stamp.js';
import type { Parameter, Workflow } from './types.js';
import { validateWorkflow } from './validate.js';

export type BuildSettings = Pick<
  WorkflowSettings,
  'source' | 'entrypoint' | 'parameters' | 'labels' | 'annotations' | 'name' | 'generateName' | 'serviceAccount'
>;

export interface BuildOptions {
  readonly stamp?: AuditStamp;
  readonly strictTemplateReferencing?: boolean;
}

export function buildWorkflow(settings: BuildSettings, namespace: string, options: BuildOptions = {}): Workflow {
  const source = settings.source;
  if (source === undefined) {
    throw new ArgoEntraError(
      'ERR_SETTINGS_MISSING',
      'Nothing to submit: neither workflow nor workflow-template/cluster-workflow-template is set.',
      {
        hint: 'Set workflow (a file path or inline YAML) or workflow-template: <name>.',
      },
    );
  }
  if (settings.name !== undefined && settings.generateName !== undefined) {
    throw new ArgoEntraError('ERR_SETTINGS_CONFLICT', 'Both name and generate-name are set.', {
      hint: 'Set one of them.',
    });
  }

  const wf =
    source.kind === 'manifest'
      ? parseWorkflowManifest(source.text, namespace, source.origin)
      : fromTemplate(source.name, source.clusterScope, namespace);

  if (
    source.kind === 'template' &&
    settings.serviceAccount !== undefined &&
    options.strictTemplateReferencing === true
  ) {
    throw new ArgoEntraError(
      'ERR_SETTINGS_CONFLICT',
      `service-account "${settings.serviceAccount}" cannot be set on a workflow that references template "${source.name}": the controller enforces templateReferencing Strict/Secure, which forbids spec.serviceAccountName.`,
      {
        hint: 'Remove service-account; set serviceAccountName in the WorkflowTemplate instead.',
      },
    );
  }

  if (settings.entrypoint !== undefined) wf.spec.entrypoint = settings.entrypoint;
  if (settings.serviceAccount !== undefined) wf.spec.serviceAccountName = settings.serviceAccount;
  if (settings.parameters.length > 0) {
    wf.spec.arguments = {
      ...(wf.spec.arguments ?? {}),
      parameters: overrideParameters(wf.spec.arguments?.parameters ?? [], settings.parameters),
    };
  }

  if (settings.name !== undefined) {
    wf.metadata.name = settings.name;
    delete wf.metadata.generateName;
  } else if (settings.generateName !== undefined) {
    wf.metadata.generateName = settings.generateName;
    delete wf.metadata.name;
  }

  // Later wins: manifest < inputs < stamp. The stamp wins so the audit trail cannot be shadowed by a label input.
  wf.metadata.labels = { ...(wf.metadata.labels ?? {}), ...settings.labels, ...(options.stamp?.labels ?? {}) };
  wf.metadata.annotations = {
    ...(wf.metadata.annotations ?? {}),
    ...settings.annotations,
    ...(options.stamp?.annotations ?? {}),
  };

  validateWorkflow(wf);
  return wf;
}

function fromTemplate(name: string, clusterScope: boolean, namespace: string): Workflow {
  // As Argo's NewWorkflowFromWorkflowTemplate does: generateName from the template, and the label the UI groups by.
  const label = clusterScope ? ARGO_LABEL.clusterWorkflowTemplate : ARGO_LABEL.workflowTemplate;
  return {
    apiVersion: WORKFLOW_API_VERSION,
    kind: 'Workflow',
    metadata: { generateName: `${name}-`, namespace, labels: { [label]: name }, annotations: {} },
    spec: { workflowTemplateRef: clusterScope ? { name, clusterScope: true } : { name } },
  };
}

/**
 * Override by name, keeping the manifest's order; new names are appended in the order given. (Argo's CLI puts
 * passed parameters first; the order has no meaning to the controller, so the manifest's order is kept for reading.)
 * A repeated name in the input: the last value wins.
 */
export function overrideParameters(
  existing: readonly Parameter[],
  overrides: ReadonlyArray<readonly [string, string]>,
): Parameter[] {
  const values = new Map<string, string>();
  for (const [name, value] of overrides) values.set(name, value);
  const result: Parameter[] = existing.map((p) => {
    const v = values.get(p.name);
    if (v === undefined) return { ...p };
    values.delete(p.name);
    // A parameter with valueFrom (e.g. configMapKeyRef) overridden by a literal: the literal wins, as in Argo.
    const { valueFrom: _valueFrom, ...rest } = p;
    return { ...rest, value: v };
  });
  for (const [name, value] of values) result.push({ name, value });
  return result;
}
