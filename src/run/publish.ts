import { outcomeError, outcomeOutputs, workflowOutcome } from '../argo/outcome.js';
import { renderSummary } from '../report/summary.js';
import type { Settings } from '../settings/types.js';
import type { PreparedAccess } from './access.js';
import type { MainDeps } from './main.js';
import { phaseDecidesExit, type OperationResult } from './operate.js';

/** Outputs, job summary and the exit decision for a finished operation. */
export async function publishResult(settings: Settings, access: PreparedAccess, result: OperationResult, deps: MainDeps): Promise<number> {
  const { reporter } = deps;
  const outcome = workflowOutcome(result.workflow, settings.workflow.argoUiUrl);
  for (const [name, value] of Object.entries(outcomeOutputs(outcome))) reporter.setOutput(name, value);
  const failure = result.waited && phaseDecidesExit(result.action) ? outcomeError(outcome) : undefined;
  await reporter.summary(
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
      workflow: result.workflow,
      argoUiUrl: settings.workflow.argoUiUrl,
      error: failure,
      nowMs: deps.clock.now(),
    }),
  );
  const where = `${outcome.namespace}/${outcome.workflowName}`;
  if (!result.waited) {
    reporter.info(`Workflow ${where}: ${outcome.phase || 'submitted'} (not waiting).`);
    return 0;
  }
  if (failure) throw failure;
  reporter.info(`Workflow ${where} ${outcome.phase}${outcome.durationSeconds === undefined ? '' : ` in ${outcome.durationSeconds}s`}.`);
  return 0;
}
