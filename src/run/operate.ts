import { buildWorkflow } from '../argo/build.js';
import { applyShutdown, getWorkflow, runOperation as runArgoOperation, type WorkflowOperation } from '../argo/ops.js';
import type { ProgressEvent } from '../argo/progress.js';
import { auditStamp } from '../argo/stamp.js';
import { submitWorkflow } from '../argo/submit.js';
import type { Workflow } from '../argo/types.js';
import { waitForWorkflow } from '../argo/wait.js';
import { ArgoEntraError, isArgoEntraError } from '../errors.js';
import { formatWaitEvent } from '../report/wait-events.js';
import type { Settings, ShutdownPolicy } from '../settings/types.js';
import type { PreparedAccess } from './access.js';
import type { MainDeps } from './main.js';
import { publishTimedOut } from './publish.js';
import { STATE, type CancelTarget } from './state.js';

export interface OperationResult {
  /** the workflow as last seen: after the wait when there was one */
  readonly workflow: Workflow;
  /** what was done to it */
  readonly action: 'created' | 'attached' | 'dry-run' | 'wait' | WorkflowOperation;
  /** true when the wait ran to a terminal phase */
  readonly waited: boolean;
}

/** Submit, or act on an existing workflow; then wait if asked, applying on-timeout / on-cancel. */
export async function runOperation(
  settings: Settings,
  access: PreparedAccess,
  deps: MainDeps,
): Promise<OperationResult> {
  const { reporter } = deps;
  const { client } = access;
  const namespace = settings.cluster.namespace;
  const stamp = auditStamp(
    settings.run,
    {
      ciSubject: access.ciClaims()?.sub,
      oid: access.accessClaims.oid,
      appid: access.accessClaims.appid ?? access.accessClaims.azp,
      tid: access.accessClaims.tid,
    },
    namespace,
  );
  const common = { signal: deps.cancel, clock: deps.clock, sleep: deps.sleep };

  let workflow: Workflow;
  let action: OperationResult['action'];
  let ours = false;
  if (settings.operation === 'submit') {
    const built = buildWorkflow(settings.workflow, namespace, { stamp });
    const submitted = await submitWorkflow(client, namespace, built, {
      dryRun: settings.workflow.dryRun,
      signal: deps.cancel,
    });
    for (const warning of submitted.warnings) reporter.warning(warning);
    workflow = submitted.workflow;
    action = submitted.kind;
    ours = submitted.kind !== 'dry-run';
    const verb = {
      created: 'Created',
      attached: 'Attached to the earlier submission of this step:',
      'dry-run': 'Dry run (nothing stored):',
    }[submitted.kind];
    reporter.info(`${verb} workflow ${namespace}/${workflow.metadata.name ?? workflow.metadata.generateName ?? ''}`);
    if (submitted.kind === 'dry-run') return { workflow, action, waited: false };
  } else if (settings.operation === 'wait') {
    workflow = await getWorkflow(client, namespace, requireName(settings), deps.cancel);
    action = 'wait';
  } else {
    const operation = settings.operation as WorkflowOperation;
    const result = await runArgoOperation(client, namespace, operation, requireName(settings), {
      ...common,
      parameters: settings.workflow.parameters,
      stamp,
      dryRun: settings.workflow.dryRun,
    });
    workflow = result.workflow;
    action = operation;
    ours = operation === 'resubmit' && result.submit?.kind === 'created';
    if (result.podsDeleted.length > 0)
      reporter.info(`Deleted ${result.podsDeleted.length} pod(s) of reset nodes so the controller re-creates them.`);
    reporter.info(`${operation}: done on workflow ${namespace}/${workflow.metadata.name ?? ''}`);
  }

  const name = workflow.metadata.name ?? '';
  reporter.setOutput('workflow-name', name);
  if (workflow.metadata.uid) reporter.setOutput('workflow-uid', workflow.metadata.uid);
  reporter.setOutput('namespace', namespace);
  if (ours && settings.workflow.onCancel !== 'leave')
    saveCancelTarget(settings, access, name, settings.workflow.onCancel, deps);

  const waitable = action !== 'suspend' && settings.workflow.wait;
  if (!waitable) {
    reporter.saveState(STATE.done, 'true');
    return { workflow, action, waited: false };
  }
  const final = await waitWithPolicies(settings, access, name, deps, ours);
  reporter.saveState(STATE.done, 'true');
  return { workflow: final, action, waited: true };
}

function requireName(settings: Settings): string {
  const name = settings.workflow.workflowName;
  if (!name)
    throw new ArgoEntraError('ERR_SETTINGS_MISSING', `Operation ${settings.operation} needs workflow-name.`, {
      hint: 'Set workflow-name.',
    });
  return name;
}

function saveCancelTarget(
  settings: Settings,
  access: PreparedAccess,
  name: string,
  policy: Exclude<ShutdownPolicy, 'leave'>,
  deps: MainDeps,
): void {
  const target: CancelTarget = {
    server: settings.cluster.server,
    caData: settings.cluster.caData,
    insecureSkipTlsVerify: settings.cluster.insecureSkipTlsVerify,
    namespace: settings.cluster.namespace,
    name,
    policy,
    dir: access.dir,
  };
  deps.reporter.saveState(STATE.cancelTarget, JSON.stringify(target));
}

async function waitWithPolicies(
  settings: Settings,
  access: PreparedAccess,
  name: string,
  deps: MainDeps,
  ours: boolean,
): Promise<Workflow> {
  const { reporter } = deps;
  const namespace = settings.cluster.namespace;
  try {
    return await reporter.group(`Waiting for workflow ${namespace}/${name}`, () =>
      waitForWorkflow(access.client, namespace, name, {
        signal: deps.cancel,
        ...(settings.workflow.timeoutMs === undefined ? {} : { timeoutMs: settings.workflow.timeoutMs }),
        clock: deps.clock,
        sleep: deps.sleep,
        onProgress: (event: ProgressEvent) => {
          const line = formatWaitEvent(event);
          if (line === undefined) return;
          if (event.type === 'no-status') reporter.warning(line);
          else reporter.info(line);
        },
      }),
    );
  } catch (error) {
    if (!isArgoEntraError(error)) throw error;
    // The step ends without publishResult: still tell later steps (if: failure()) the last phase the wait saw.
    const lastPhase = error.details['phase'];
    if ((error.code === 'ERR_ARGO_TIMEOUT' || error.code === 'ERR_CANCELLED') && lastPhase)
      reporter.setOutput('phase', lastPhase);
    if (error.code === 'ERR_ARGO_TIMEOUT') {
      await applyPolicy(access, namespace, name, settings.workflow.onTimeout, 'on-timeout', deps);
      await publishTimedOut(settings, access, name, error, deps);
      throw error;
    }
    if (error.code === 'ERR_CANCELLED' && ours) {
      // Only when it took effect: otherwise the post step (cancel target + cached token) gets a second try.
      if (await applyPolicy(access, namespace, name, settings.workflow.onCancel, 'on-cancel', deps))
        reporter.saveState(STATE.done, 'true');
    }
    throw error;
  }
}

/** Runs after the job's own signal has fired, so it gets a short budget of its own (the runner kills ~10 s after SIGINT). */
async function applyPolicy(
  access: PreparedAccess,
  namespace: string,
  name: string,
  policy: ShutdownPolicy,
  input: string,
  deps: MainDeps,
): Promise<boolean> {
  if (policy === 'leave') {
    deps.reporter.info(`${input}: leave: workflow ${namespace}/${name} keeps running.`);
    return true;
  }
  try {
    await applyShutdown(access.client, namespace, name, policy, {
      signal: AbortSignal.timeout(5_000),
      clock: deps.clock,
      sleep: deps.sleep,
    });
    deps.reporter.warning(`${input}: ${policy} applied to workflow ${namespace}/${name}.`);
    return true;
  } catch (error) {
    deps.reporter.warning(`${input}: could not ${policy} workflow ${namespace}/${name}: ${(error as Error).message}`);
    return false;
  }
}
