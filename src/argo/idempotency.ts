/**
 * Idempotent submission. A step that the CI system retries inside the same run attempt (runner lost, step re-run by a
 * wrapper, the action restarted) must find the workflow it already created rather than start a second one. The key is
 * a hash of what identifies that step: CI system, repository, run id, run attempt, job id, step id, namespace. A new
 * run attempt ("Re-run jobs") gives a new key, so it does create a new workflow: that is what a re-run asks for.
 *
 * What remains racy: two copies of the same step running at the same moment (same key) can both list, both see
 * nothing, and both create. Kubernetes has no conditional create on a label. Using the key as the workflow's `name`
 * would close that hole (create is atomic on name) but takes the name away from the user and from generateName, so
 * it is not done; instead the lookup picks the oldest of several matches deterministically and reports the others.
 * Without a run id (a local CLI run) there is no key and every call submits.
 */
import { createHash } from 'node:crypto';
import type { KubeClient } from '../cluster/types.js';
import type { RunContext } from '../settings/types.js';
import { STAMP_LABEL } from './labels.js';
import { workflowsPath } from './paths.js';
import { notFoundError, argoRequest } from './status.js';
import type { Workflow } from './types.js';

export const SUBMISSION_LABEL = STAMP_LABEL.submission;

/** 40 hex chars (160 bits of sha256): fits a label value. `undefined` when the run has no id (local runs). */
export function submissionKey(run: RunContext, namespace: string): string | undefined {
  if (run.runId === undefined || run.runId === '') return undefined;
  const parts = [
    run.ci,
    run.repository ?? '',
    run.runId,
    run.runAttempt ?? '',
    run.jobId ?? '',
    run.stepId ?? '',
    namespace,
  ];
  // JSON keeps field boundaries unambiguous ("a","bc" vs "ab","c").
  return createHash('sha256')
    .update(JSON.stringify(['argo-entra/v1', ...parts]), 'utf8')
    .digest('hex')
    .slice(0, 40);
}

export interface ExistingSubmission {
  readonly workflow: Workflow;
  /** names of further workflows with the same key (only after a concurrent double submit) */
  readonly duplicates: readonly string[];
}

interface WorkflowList {
  items?: Workflow[];
}

export async function findSubmission(
  client: KubeClient,
  namespace: string,
  key: string,
  signal?: AbortSignal,
): Promise<ExistingSubmission | undefined> {
  const res = await argoRequest<WorkflowList>(
    client,
    {
      method: 'GET',
      path: workflowsPath(namespace),
      query: { labelSelector: `${SUBMISSION_LABEL}=${key}` },
      accept: [404],
      ...(signal ? { signal } : {}),
    },
    namespace,
  );
  if (res.status === 404) throw notFoundError(namespace, '', res.body);
  const items = [...(res.body.items ?? [])].filter((wf) => wf.metadata.labels?.[SUBMISSION_LABEL] === key);
  if (items.length === 0) return undefined;
  items.sort(
    (a, b) =>
      (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
  );
  const [first, ...rest] = items as [Workflow, ...Workflow[]];
  return { workflow: first, duplicates: rest.map((wf) => wf.metadata.name ?? '') };
}
