/**
 * What the step reports about a workflow: the outputs (action outputs / CLI JSON) and the exit decision.
 * Only the workflow's own phase makes a failure; an unfinished workflow (wait: false) is not one.
 */
import { ArgoEntraError } from '../errors.js';
import type { Workflow, WorkflowPhase } from './types.js';

export interface WorkflowOutcome {
  readonly workflowName: string;
  readonly workflowUid: string;
  readonly namespace: string;
  readonly phase: WorkflowPhase;
  readonly message: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** whole seconds between startedAt and finishedAt; undefined until both exist */
  readonly durationSeconds: number | undefined;
  /** JSON of status.outputs.parameters as [{name, value}], "[]" when none */
  readonly outputs: string;
  /** argoUiUrl + /workflows/{ns}/{name}, undefined without argoUiUrl */
  readonly url: string | undefined;
}

export function workflowUrl(argoUiUrl: string | undefined, namespace: string, name: string): string | undefined {
  if (argoUiUrl === undefined || argoUiUrl === '' || name === '') return undefined;
  return `${argoUiUrl.replace(/\/+$/, '')}/workflows/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
}

export function workflowOutcome(wf: Workflow, argoUiUrl: string | undefined): WorkflowOutcome {
  const status = wf.status ?? {};
  const name = wf.metadata.name ?? '';
  const namespace = wf.metadata.namespace ?? '';
  const startedAt = status.startedAt ?? '';
  const finishedAt = status.finishedAt ?? '';
  const start = Date.parse(startedAt);
  const end = Date.parse(finishedAt);
  const durationSeconds =
    Number.isNaN(start) || Number.isNaN(end) ? undefined : Math.max(0, Math.round((end - start) / 1000));
  const outputs = (status.outputs?.parameters ?? []).map((p) => ({ name: p.name, value: p.value ?? null }));
  return {
    workflowName: name,
    workflowUid: wf.metadata.uid ?? '',
    namespace,
    phase: status.phase ?? '',
    message: status.message ?? '',
    startedAt,
    finishedAt,
    durationSeconds,
    outputs: JSON.stringify(outputs),
    url: workflowUrl(argoUiUrl, namespace, name),
  };
}

/** The action/CLI output names (issue 4) and their string values. */
export function outcomeOutputs(o: WorkflowOutcome): Record<string, string> {
  return {
    'workflow-name': o.workflowName,
    'workflow-uid': o.workflowUid,
    namespace: o.namespace,
    phase: o.phase,
    message: o.message,
    'started-at': o.startedAt,
    'finished-at': o.finishedAt,
    duration: o.durationSeconds === undefined ? '' : String(o.durationSeconds),
    outputs: o.outputs,
    url: o.url ?? '',
  };
}

/** Failed/Error -> ERR_ARGO_WORKFLOW_FAILED (exit 1); anything else -> undefined (exit 0). */
export function outcomeError(o: WorkflowOutcome): ArgoEntraError | undefined {
  if (o.phase !== 'Failed' && o.phase !== 'Error') return undefined;
  return new ArgoEntraError(
    'ERR_ARGO_WORKFLOW_FAILED',
    `Workflow "${o.workflowName}" ended ${o.phase}${o.message ? `: ${o.message}` : ''}.`,
    {
      hint: o.url
        ? `See ${o.url} for the failing step.`
        : `kubectl get wf ${o.workflowName} -n ${o.namespace} -o yaml shows the failing step.`,
      details: { name: o.workflowName, namespace: o.namespace, phase: o.phase },
    },
  );
}

export function outcomeExitCode(o: WorkflowOutcome): number {
  return outcomeError(o)?.exitCode ?? 0;
}
