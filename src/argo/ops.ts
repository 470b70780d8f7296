/**
 * Operations on an existing workflow through the Kubernetes API, as Argo's own util functions perform them:
 * stop/terminate = merge patch spec.shutdown; suspend = spec.suspend true; resume and retry = read, transform
 * (resume.ts, retry.ts), PUT back with the read resourceVersion so a concurrent controller write makes it 409, then
 * read and transform again; resubmit = create a new workflow (resubmit.ts) through submit.
 */
import type { KubeClient } from '../cluster/types.js';
import { ArgoEntraError } from '../errors.js';
import type { DryRun, ShutdownPolicy } from '../settings/types.js';
import { type Clock, type Sleep, realSleep, systemClock } from '../util/time.js';
import { ARGO_LABEL } from './labels.js';
import { podPath, workflowPath } from './paths.js';
import { formulateResubmit } from './resubmit.js';
import { formulateResume } from './resume.js';
import { formulateRetry } from './retry.js';
import type { AuditStamp } from './stamp.js';
import { asStatus, notFoundError, statusMessage, workflowNotFound, argoRequest } from './status.js';
import { submitWorkflow, type SubmitResult } from './submit.js';
import { TERMINAL_PHASES, type Workflow } from './types.js';

export type WorkflowOperation = 'stop' | 'terminate' | 'suspend' | 'resume' | 'retry' | 'resubmit';

export interface OperationOptions {
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  /** retry/resubmit: parameter overrides */
  readonly parameters?: ReadonlyArray<readonly [string, string]>;
  /** resubmit: the current run's audit stamp (replaces the old run's) */
  readonly stamp?: AuditStamp;
  /** resubmit: dry-run mode for the create */
  readonly dryRun?: DryRun;
  /** resume: text added to resumed nodes' messages */
  readonly message?: string;
  /** resume/retry/suspend: attempts on 409 Conflict (default 5) */
  readonly maxConflictRetries?: number;
}

export interface OperationResult {
  readonly operation: WorkflowOperation;
  /** the workflow after the operation (for resubmit: the new one) */
  readonly workflow: Workflow;
  /** retry: pods deleted so the controller re-creates them */
  readonly podsDeleted: readonly string[];
  /** resubmit: how the new workflow was created */
  readonly submit: SubmitResult | undefined;
}

function sig(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}

export async function getWorkflow(
  client: KubeClient,
  namespace: string,
  name: string,
  signal?: AbortSignal,
): Promise<Workflow> {
  const res = await argoRequest<Workflow>(
    client,
    { method: 'GET', path: workflowPath(namespace, name), accept: [404], ...sig(signal) },
    namespace,
  );
  if (res.status === 404) throw notFoundError(namespace, name, res.body);
  return res.body;
}

export function isCompleted(wf: Workflow): boolean {
  return TERMINAL_PHASES.has(wf.status?.phase ?? '') || wf.metadata.labels?.[ARGO_LABEL.completed] === 'true';
}

function completedError(op: string, wf: Workflow): ArgoEntraError {
  const name = wf.metadata.name ?? '';
  const phase = wf.status?.phase || 'completed';
  return new ArgoEntraError(
    'ERR_ARGO_OPERATION',
    `Cannot ${op} workflow "${name}": it has already completed (phase ${phase}).`,
    {
      hint:
        op === 'suspend' || op === 'stop' || op === 'terminate'
          ? 'Nothing to do: it is no longer running.'
          : 'Use retry or resubmit to run it again.',
      details: { name, phase, operation: op },
    },
  );
}

function writeFailed(op: string, namespace: string, name: string, status: number, body: unknown): ArgoEntraError {
  if (status === 404) return workflowNotFound(namespace, name);
  return new ArgoEntraError(
    'ERR_ARGO_REJECTED',
    `The API server refused to ${op} workflow "${name}": ${statusMessage(body)}`,
    {
      hint: 'The message names the field or rule; the workflow is unchanged.',
      details: { status: String(status), reason: asStatus(body)?.reason ?? '', name, operation: op },
    },
  );
}

async function mergePatch(
  client: KubeClient,
  namespace: string,
  name: string,
  op: string,
  patch: unknown,
  signal: AbortSignal | undefined,
): Promise<{ status: number; workflow: Workflow }> {
  const res = await argoRequest<Workflow>(
    client,
    {
      method: 'PATCH',
      path: workflowPath(namespace, name),
      body: patch,
      contentType: 'application/merge-patch+json',
      accept: [404, 409, 422],
      ...sig(signal),
    },
    namespace,
  );
  if (res.status === 409) return { status: 409, workflow: res.body };
  if (res.status !== 200) throw writeFailed(op, namespace, name, res.status, res.body);
  return { status: 200, workflow: res.body };
}

/** stop (exit handlers run) or terminate (they do not). Argo: refuses completed workflows; no resourceVersion. */
export async function shutdownWorkflow(
  client: KubeClient,
  namespace: string,
  name: string,
  strategy: 'Stop' | 'Terminate',
  options: OperationOptions = {},
): Promise<Workflow> {
  const op = strategy === 'Stop' ? 'stop' : 'terminate';
  const wf = await getWorkflow(client, namespace, name, options.signal);
  if (TERMINAL_PHASES.has(wf.status?.phase ?? '')) throw completedError(op, wf);
  const { workflow } = await mergePatch(client, namespace, name, op, { spec: { shutdown: strategy } }, options.signal);
  return workflow;
}

/** Read-modify-write loop shared by suspend, resume and retry: a 409 means someone wrote in between; read again. */
async function withConflictRetry<T>(
  op: string,
  name: string,
  options: OperationOptions,
  attemptFn: () => Promise<T | 'conflict'>,
): Promise<T> {
  const sleep = options.sleep ?? realSleep;
  const max = options.maxConflictRetries ?? 5;
  for (let attempt = 0; attempt < max; attempt += 1) {
    const result = await attemptFn();
    if (result !== 'conflict') return result;
    await sleep(Math.min(1000, 50 * 2 ** attempt), options.signal);
  }
  throw new ArgoEntraError(
    'ERR_ARGO_OPERATION',
    `Could not ${op} workflow "${name}": it kept changing under us (${max} conflicting writes).`,
    {
      hint: 'The controller is updating it continuously; try again in a moment.',
      details: { name, operation: op },
    },
  );
}

export async function suspendWorkflow(
  client: KubeClient,
  namespace: string,
  name: string,
  options: OperationOptions = {},
): Promise<Workflow> {
  return withConflictRetry('suspend', name, options, async () => {
    const wf = await getWorkflow(client, namespace, name, options.signal);
    if (isCompleted(wf)) throw completedError('suspend', wf);
    if (wf.spec.suspend === true) return wf; // already suspended: nothing to do, as Argo
    // resourceVersion in a merge patch is a precondition: a 409 instead of overwriting a newer object.
    const res = await mergePatch(
      client,
      namespace,
      name,
      'suspend',
      { metadata: { resourceVersion: wf.metadata.resourceVersion }, spec: { suspend: true } },
      options.signal,
    );
    return res.status === 409 ? 'conflict' : res.workflow;
  });
}

async function put(
  client: KubeClient,
  namespace: string,
  name: string,
  op: string,
  wf: Workflow,
  signal: AbortSignal | undefined,
): Promise<Workflow | 'conflict'> {
  const res = await argoRequest<Workflow>(
    client,
    { method: 'PUT', path: workflowPath(namespace, name), body: wf, accept: [404, 409, 422], ...sig(signal) },
    namespace,
  );
  if (res.status === 409) return 'conflict';
  if (res.status !== 200) throw writeFailed(op, namespace, name, res.status, res.body);
  return res.body;
}

export async function resumeWorkflow(
  client: KubeClient,
  namespace: string,
  name: string,
  options: OperationOptions = {},
): Promise<Workflow> {
  const clock = options.clock ?? systemClock;
  return withConflictRetry('resume', name, options, async () => {
    const wf = await getWorkflow(client, namespace, name, options.signal);
    const next = formulateResume(wf, new Date(clock.now()), options.message ?? '');
    return put(client, namespace, name, 'resume', next, options.signal);
  });
}

export async function retryWorkflow(
  client: KubeClient,
  namespace: string,
  name: string,
  options: OperationOptions = {},
): Promise<{ workflow: Workflow; podsDeleted: string[] }> {
  const clock = options.clock ?? systemClock;
  const deleted = new Set<string>();
  return withConflictRetry('retry', name, options, async () => {
    const wf = await getWorkflow(client, namespace, name, options.signal);
    const plan = formulateRetry(
      wf,
      new Date(clock.now()),
      options.parameters ? { parameters: options.parameters } : {},
    );
    // Pods first, as Argo: the controller must not find the old pod of a node it is about to re-run.
    for (const pod of plan.podsToDelete) {
      if (deleted.has(pod)) continue;
      await client.request<unknown>({
        method: 'DELETE',
        path: podPath(namespace, pod),
        accept: [404],
        ...sig(options.signal),
      });
      deleted.add(pod);
    }
    const result = await put(client, namespace, name, 'retry', plan.workflow, options.signal);
    return result === 'conflict' ? 'conflict' : { workflow: result, podsDeleted: [...deleted] };
  });
}

export async function resubmitWorkflow(
  client: KubeClient,
  namespace: string,
  name: string,
  options: OperationOptions = {},
): Promise<SubmitResult> {
  const wf = await getWorkflow(client, namespace, name, options.signal);
  const next = formulateResubmit(wf, {
    ...(options.parameters ? { parameters: options.parameters } : {}),
    ...(options.stamp ? { stamp: options.stamp } : {}),
  });
  next.metadata.namespace = namespace;
  return submitWorkflow(client, namespace, next, { dryRun: options.dryRun ?? 'none', ...sig(options.signal) });
}

export async function runOperation(
  client: KubeClient,
  namespace: string,
  operation: WorkflowOperation,
  name: string,
  options: OperationOptions = {},
): Promise<OperationResult> {
  const done = (workflow: Workflow, podsDeleted: readonly string[] = [], submit?: SubmitResult): OperationResult => ({
    operation,
    workflow,
    podsDeleted,
    submit,
  });
  switch (operation) {
    case 'stop':
      return done(await shutdownWorkflow(client, namespace, name, 'Stop', options));
    case 'terminate':
      return done(await shutdownWorkflow(client, namespace, name, 'Terminate', options));
    case 'suspend':
      return done(await suspendWorkflow(client, namespace, name, options));
    case 'resume':
      return done(await resumeWorkflow(client, namespace, name, options));
    case 'retry': {
      const r = await retryWorkflow(client, namespace, name, options);
      return done(r.workflow, r.podsDeleted);
    }
    case 'resubmit': {
      const s = await resubmitWorkflow(client, namespace, name, options);
      return done(s.workflow, [], s);
    }
  }
}

/**
 * on-timeout / on-cancel: `leave` does nothing; `stop`/`terminate` patch spec.shutdown. A workflow that finished in
 * the meantime is left alone (returns it) rather than reported as an error: the policy's goal is already met.
 */
export async function applyShutdown(
  client: KubeClient,
  namespace: string,
  name: string,
  policy: ShutdownPolicy,
  options: OperationOptions = {},
): Promise<Workflow | undefined> {
  if (policy === 'leave') return undefined;
  try {
    return await shutdownWorkflow(client, namespace, name, policy === 'stop' ? 'Stop' : 'Terminate', options);
  } catch (error) {
    if (
      error instanceof ArgoEntraError &&
      error.code === 'ERR_ARGO_OPERATION' &&
      error.details['phase'] !== undefined
    ) {
      return getWorkflow(client, namespace, name, options.signal);
    }
    throw error;
  }
}
