/** Label and annotation keys: Argo's own (workflow/common/common.go) and the ones this program stamps. */

export const ARGO_LABEL = {
  completed: 'workflows.argoproj.io/completed',
  phase: 'workflows.argoproj.io/phase',
  workflowTemplate: 'workflows.argoproj.io/workflow-template',
  clusterWorkflowTemplate: 'workflows.argoproj.io/cluster-workflow-template',
  resubmittedFrom: 'workflows.argoproj.io/resubmitted-from-workflow',
  creator: 'workflows.argoproj.io/creator',
  creatorEmail: 'workflows.argoproj.io/creator-email',
  creatorPreferredUsername: 'workflows.argoproj.io/creator-preferred-username',
  archivingStatus: 'workflows.argoproj.io/workflow-archiving-status',
} as const;

export const ARGO_ANNOTATION = {
  podNameFormat: 'workflows.argoproj.io/pod-name-format',
} as const;

/** Labels are for selecting (kubectl -l, the idempotency lookup); everything else goes in annotations. */
export const STAMP_LABEL = {
  ci: 'argo-entra.io/ci',
  repository: 'argo-entra.io/repository',
  runId: 'argo-entra.io/run-id',
  submission: 'argo-entra.io/submission',
} as const;

export const STAMP_ANNOTATION = {
  repository: 'argo-entra.io/repository',
  runId: 'argo-entra.io/run-id',
  runAttempt: 'argo-entra.io/run-attempt',
  jobId: 'argo-entra.io/job-id',
  stepId: 'argo-entra.io/step-id',
  sha: 'argo-entra.io/sha',
  ref: 'argo-entra.io/ref',
  actor: 'argo-entra.io/actor',
  workflowRef: 'argo-entra.io/workflow-ref',
  runUrl: 'argo-entra.io/run-url',
  ciSubject: 'argo-entra.io/ci-subject',
  oid: 'argo-entra.io/entra-oid',
  appid: 'argo-entra.io/entra-appid',
  tid: 'argo-entra.io/entra-tid',
} as const;
