/**
 * Resubmit as Argo's FormulateResubmitWorkflow does (memoized=false): a new workflow with the old spec,
 * generateName = the old generateName or `<name>-`, shutdown cleared, activeDeadlineSeconds 0 removed, labels and
 * annotations carried over except creator, phase, completed and archiving labels, ownerReferences kept, label
 * resubmitted-from-workflow = old name, optional parameter overrides (passed first, like Argo).
 *
 * Additions: the old run's idempotency label is dropped (it names the old step, and an attach must find exactly one
 * workflow) and the current run's audit stamp, when given, replaces the old one. Memoized resubmit is not offered.
 */
import { ARGO_LABEL, STAMP_LABEL } from './labels.js';
import { argoOverrideParameters } from './retry.js';
import type { AuditStamp } from './stamp.js';
import type { Workflow } from './types.js';

export interface ResubmitOptions {
  readonly parameters?: ReadonlyArray<readonly [string, string]>;
  readonly stamp?: AuditStamp;
}

const DROPPED_LABELS = new Set<string>([
  ARGO_LABEL.creator,
  ARGO_LABEL.creatorEmail,
  ARGO_LABEL.creatorPreferredUsername,
  ARGO_LABEL.phase,
  ARGO_LABEL.completed,
  ARGO_LABEL.archivingStatus,
  STAMP_LABEL.submission,
]);

export function formulateResubmit(wf: Workflow, options: ResubmitOptions = {}): Workflow {
  const oldName = wf.metadata.name ?? '';
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(wf.metadata.labels ?? {})) if (!DROPPED_LABELS.has(k)) labels[k] = v;
  Object.assign(labels, options.stamp?.labels ?? {});
  labels[ARGO_LABEL.resubmittedFrom] = oldName;
  const annotations = { ...(wf.metadata.annotations ?? {}), ...(options.stamp?.annotations ?? {}) };

  const spec = structuredClone(wf.spec);
  delete spec.shutdown;
  if (spec.activeDeadlineSeconds === 0) delete spec.activeDeadlineSeconds;
  const parameters = options.parameters ?? [];
  if (parameters.length > 0)
    spec.arguments = {
      ...(spec.arguments ?? {}),
      parameters: argoOverrideParameters(spec.arguments?.parameters ?? [], parameters),
    };

  const metadata: Workflow['metadata'] = {
    generateName: wf.metadata.generateName || `${oldName}-`,
    labels,
    annotations,
  };
  if (wf.metadata.namespace !== undefined) metadata.namespace = wf.metadata.namespace;
  if (wf.metadata.ownerReferences?.length) metadata.ownerReferences = structuredClone(wf.metadata.ownerReferences);
  return { apiVersion: wf.apiVersion, kind: wf.kind, metadata, spec };
}
