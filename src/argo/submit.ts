/**
 * Create a workflow through the Kubernetes API (POST .../workflows), never twice for the same CI step:
 * client dry-run validates and sends nothing; server dry-run sends `dryRun=All` (real CRD validation, nothing
 * stored); otherwise check the referenced template exists, look for an earlier submission with the same
 * idempotency key, and only then create.
 */
import type { KubeClient } from '../cluster/types.js';
import { ArgoEntraError } from '../errors.js';
import type { DryRun } from '../settings/types.js';
import { findSubmission, SUBMISSION_LABEL } from './idempotency.js';
import { clusterWorkflowTemplatePath, workflowPath, workflowsPath, workflowTemplatePath } from './paths.js';
import { asStatus, classifyNotFound, crdMissing, namespaceMissing, statusMessage, argoRequest } from './status.js';
import type { Workflow } from './types.js';
import { validateWorkflow } from './validate.js';

export interface SubmitOptions {
  readonly dryRun: DryRun;
  readonly signal?: AbortSignal;
}

export interface SubmitResult {
  /** created: a new workflow; attached: an earlier submission of this CI step; dry-run: nothing stored */
  readonly kind: 'created' | 'attached' | 'dry-run';
  readonly workflow: Workflow;
  readonly dryRun: DryRun;
  /** non-fatal findings for the reporter (e.g. duplicates from a concurrent double submit) */
  readonly warnings: readonly string[];
}

function sig(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}

/** GET the referenced (Cluster)WorkflowTemplate: a missing one is named now, not as a controller error later. */
export async function checkTemplate(
  client: KubeClient,
  namespace: string,
  wf: Workflow,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const ref = wf.spec.workflowTemplateRef;
  if (!ref) return undefined;
  const cluster = ref.clusterScope === true;
  const kind = cluster ? 'ClusterWorkflowTemplate' : 'WorkflowTemplate';
  const res = await argoRequest<unknown>(
    client,
    {
      method: 'GET',
      path: cluster ? clusterWorkflowTemplatePath(ref.name) : workflowTemplatePath(namespace, ref.name),
      accept: [403, 404],
      ...sig(signal),
    },
    namespace,
  );
  if (res.status === 403) {
    // Reading templates is a convenience check, not a requirement for creating: say so and let the create decide.
    return `Could not check that ${kind} "${ref.name}" exists (${statusMessage(res.body)}); submitting anyway.`;
  }
  if (res.status === 404) {
    const where = cluster ? 'in the cluster' : `in namespace "${namespace}"`;
    if (classifyNotFound(res.body) === 'resource-type') throw crdMissing(namespace);
    if (classifyNotFound(res.body) === 'namespace') throw namespaceMissing(namespace);
    throw new ArgoEntraError('ERR_ARGO_TEMPLATE_NOT_FOUND', `${kind} "${ref.name}" was not found ${where}.`, {
      hint: cluster
        ? 'Check cluster-workflow-template; `kubectl get clusterworkflowtemplates` lists them.'
        : `Check workflow-template; \`kubectl get workflowtemplates -n ${namespace}\` lists them (or set cluster-workflow-template if it is cluster-scoped).`,
      details: { template: ref.name, kind, namespace },
    });
  }
  return undefined;
}

export async function submitWorkflow(
  client: KubeClient,
  namespace: string,
  workflow: Workflow,
  options: SubmitOptions,
): Promise<SubmitResult> {
  validateWorkflow(workflow);
  if (options.dryRun === 'client') return { kind: 'dry-run', workflow, dryRun: 'client', warnings: [] };

  const warnings: string[] = [];
  const templateWarning = await checkTemplate(client, namespace, workflow, options.signal);
  if (templateWarning) warnings.push(templateWarning);

  const key = workflow.metadata.labels?.[SUBMISSION_LABEL];
  if (options.dryRun === 'none' && key !== undefined) {
    const existing = await findSubmission(client, namespace, key, options.signal);
    if (existing) {
      if (existing.duplicates.length > 0) {
        warnings.push(
          `Several workflows carry this step's submission key (${[existing.workflow.metadata.name, ...existing.duplicates].join(', ')}): two copies of the step ran at once. Attached to the oldest.`,
        );
      }
      return { kind: 'attached', workflow: existing.workflow, dryRun: 'none', warnings };
    }
  }

  const res = await argoRequest<Workflow | undefined>(
    client,
    {
      method: 'POST',
      path: workflowsPath(namespace),
      ...(options.dryRun === 'server' ? { query: { dryRun: 'All' } } : {}),
      body: workflow,
      accept: [400, 404, 409, 422],
      ...sig(options.signal),
    },
    namespace,
  );
  if (res.status === 404) {
    throw classifyNotFound(res.body) === 'namespace' ? namespaceMissing(namespace) : crdMissing(namespace);
  }
  if (res.status === 409) return attachByName(client, namespace, workflow, key, res.body, warnings, options);
  if (res.status === 400 || res.status === 422) {
    const message = statusMessage(res.body);
    throw new ArgoEntraError('ERR_ARGO_REJECTED', `The API server rejected the workflow: ${message}`, {
      hint: 'Fix the field it names; dry-run: server shows the same answer without creating anything.',
      details: { status: String(res.status), reason: asStatus(res.body)?.reason ?? '' },
    });
  }
  return {
    kind: options.dryRun === 'server' ? 'dry-run' : 'created',
    workflow: res.body as Workflow,
    dryRun: options.dryRun,
    warnings,
  };
}

/**
 * A fixed name that already exists: ours (same submission key, created by an earlier try of this step whose list
 * raced the create) is attached; anyone else's is an error.
 */
async function attachByName(
  client: KubeClient,
  namespace: string,
  workflow: Workflow,
  key: string | undefined,
  body: unknown,
  warnings: string[],
  options: SubmitOptions,
): Promise<SubmitResult> {
  const name = workflow.metadata.name ?? '';
  if (key !== undefined && name !== '' && options.dryRun === 'none') {
    const res = await argoRequest<Workflow>(
      client,
      { method: 'GET', path: workflowPath(namespace, name), accept: [404], ...sig(options.signal) },
      namespace,
    );
    if (res.status === 200 && res.body.metadata.labels?.[SUBMISSION_LABEL] === key) {
      return { kind: 'attached', workflow: res.body, dryRun: 'none', warnings };
    }
  }
  throw new ArgoEntraError(
    'ERR_ARGO_REJECTED',
    `A workflow named "${name}" already exists in namespace "${namespace}": ${statusMessage(body)}`,
    {
      hint: 'Use generate-name instead of name, or choose a name that includes the run id.',
      details: { name, namespace, reason: 'AlreadyExists' },
    },
  );
}
