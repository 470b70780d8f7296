import { printFailedStepLogs } from '../argo/logs.js';
import { getWorkflow } from '../argo/ops.js';
import { outcomeError, outcomeOutputs, workflowOutcome } from '../argo/outcome.js';
import type { Workflow } from '../argo/types.js';
import type { ArgoEntraError } from '../errors.js';
import { renderSummary } from '../report/summary.js';
import type { Settings } from '../settings/types.js';
import type { PreparedAccess } from './access.js';
import type { MainDeps } from './main.js';
import type { OperationResult } from './operate.js';

/** Operations whose end is judged by the workflow's phase; stop/terminate/suspend succeed when applied. */
const PHASE_DECIDES: ReadonlySet<OperationResult['action']> = new Set([
  'created',
  'attached',
  'wait',
  'resume',
  'retry',
  'resubmit',
]);

export function phaseDecidesExit(action: OperationResult['action']): boolean {
  return PHASE_DECIDES.has(action);
}

/** Outputs, job summary and the exit decision for a finished operation. */
export async function publishResult(
  settings: Settings,
  access: PreparedAccess,
  result: OperationResult,
  deps: MainDeps,
): Promise<number> {
  const { reporter } = deps;
  const outcome = workflowOutcome(result.workflow, settings.workflow.argoUiUrl);
  for (const [name, value] of Object.entries(outcomeOutputs(outcome))) reporter.setOutput(name, value);
  const failure = result.waited && phaseDecidesExit(result.action) ? outcomeError(outcome) : undefined;
  await writeSummary(settings, access, result.workflow, failure, deps);
  const where = `${outcome.namespace}/${outcome.workflowName}`;
  if (!result.waited) {
    reporter.info(`Workflow ${where}: ${outcome.phase || 'submitted'} (not waiting).`);
    return 0;
  }
  if (failure) {
    if (settings.workflow.logs === 'failed' && (outcome.phase === 'Failed' || outcome.phase === 'Error'))
      await printFailedStepLogs(access.client, result.workflow, reporter, deps.cancel);
    throw failure;
  }
  reporter.info(
    `Workflow ${where} ${outcome.phase}${outcome.durationSeconds === undefined ? '' : ` in ${outcome.durationSeconds}s`}.`,
  );
  return 0;
}

async function writeSummary(
  settings: Settings,
  access: PreparedAccess,
  workflow: Workflow,
  error: ArgoEntraError | undefined,
  deps: MainDeps,
): Promise<void> {
  await deps.reporter.summary(
    renderSummary({
      operation: settings.operation,
      identity: {
        ciIssuer: access.ciClaims()?.iss,
        ciSubject: access.ciClaims()?.sub,
        clientId: settings.identity.clientId,
        objectId: access.accessClaims.oid,
        tenantId: access.accessClaims.tid ?? settings.identity.tenantId,
        tokenExpiresOnMs: access.accessToken.expiresOnMs,
      },
      cluster: { server: settings.cluster.server, namespace: settings.cluster.namespace },
      workflow,
      argoUiUrl: settings.workflow.argoUiUrl,
      error,
      nowMs: deps.clock.now(),
    }),
  );
}

/**
 * A wait that timed out still owes the job its outputs and summary: one GET (short budget, after on-timeout was
 * applied) shows where the workflow stands. Best effort: the timeout itself is what the step reports.
 */
export async function publishTimedOut(
  settings: Settings,
  access: PreparedAccess,
  name: string,
  timeout: ArgoEntraError,
  deps: MainDeps,
): Promise<void> {
  try {
    const workflow = await getWorkflow(access.client, settings.cluster.namespace, name, AbortSignal.timeout(3_000));
    for (const [output, value] of Object.entries(
      outcomeOutputs(workflowOutcome(workflow, settings.workflow.argoUiUrl)),
    )) {
      deps.reporter.setOutput(output, value);
    }
    await writeSummary(settings, access, workflow, timeout, deps);
  } catch (error) {
    deps.reporter.debug(`No summary after the timeout: ${(error as Error).message}`);
  }
}
