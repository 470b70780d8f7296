/** The argo stage's public surface: the entry points import from here. */
export { parseWorkflowManifest, WORKFLOW_API_VERSION } from './manifest.js';
export { buildWorkflow, overrideParameters, type BuildOptions, type BuildSettings } from './build.js';
export { validateWorkflow } from './validate.js';
export { auditStamp, type AuditStamp, type StampIdentity } from './stamp.js';
export { sanitizeLabelValue, isValidLabelValue } from './label-value.js';
export { submissionKey, findSubmission, SUBMISSION_LABEL, type ExistingSubmission } from './idempotency.js';
export { submitWorkflow, checkTemplate, type SubmitOptions, type SubmitResult } from './submit.js';
export { waitForWorkflow, isWorkflowDone, type WaitOptions } from './wait.js';
export { diffProgress, type ProgressEvent, type ProgressListener } from './progress.js';
export { readNodes, nodesOf, decodeCompressedNodes, type NodesView } from './nodes.js';
export {
  runOperation,
  applyShutdown,
  getWorkflow,
  shutdownWorkflow,
  suspendWorkflow,
  resumeWorkflow,
  retryWorkflow,
  resubmitWorkflow,
  type WorkflowOperation,
  type OperationOptions,
  type OperationResult,
} from './ops.js';
export { formulateResume } from './resume.js';
export { formulateRetry, type RetryPlan } from './retry.js';
export { formulateResubmit } from './resubmit.js';
export {
  workflowOutcome,
  outcomeOutputs,
  outcomeError,
  outcomeExitCode,
  workflowUrl,
  type WorkflowOutcome,
} from './outcome.js';
export { STAMP_LABEL, STAMP_ANNOTATION, ARGO_LABEL } from './labels.js';
