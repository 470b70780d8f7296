/**
 * The audit stamp: who and what caused a workflow. Labels carry the few values worth selecting on
 * (`kubectl get wf -l argo-entra.io/repository=org.repo`), sanitised to label rules; annotations carry everything
 * exactly as the CI system reported it. Workflows created through the Kubernetes API get no Argo creator labels
 * (only argo-server sets those), so this is the only record of the CI identity on the object.
 */
import type { RunContext } from '../settings/types.js';
import { submissionKey } from './idempotency.js';
import { STAMP_ANNOTATION, STAMP_LABEL } from './labels.js';
import { sanitizeLabelValue } from './label-value.js';

export interface StampIdentity {
  /** the CI token's `sub` */
  readonly ciSubject?: string | undefined;
  /** from the Entra access token */
  readonly oid?: string | undefined;
  readonly appid?: string | undefined;
  readonly tid?: string | undefined;
}

export interface AuditStamp {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** the idempotency key (also in labels), undefined for runs without a run id */
  readonly submissionKey: string | undefined;
}

export function auditStamp(run: RunContext, identity: StampIdentity, namespace: string): AuditStamp {
  const labels: Record<string, string> = { [STAMP_LABEL.ci]: sanitizeLabelValue(run.ci) };
  const annotations: Record<string, string> = {};

  const label = (key: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') labels[key] = sanitizeLabelValue(value);
  };
  const note = (key: string, value: string | undefined): void => {
    if (value !== undefined && value !== '') annotations[key] = value;
  };

  label(STAMP_LABEL.repository, run.repository);
  label(STAMP_LABEL.runId, run.runId);
  const key = submissionKey(run, namespace);
  if (key !== undefined) labels[STAMP_LABEL.submission] = key;

  note(STAMP_ANNOTATION.repository, run.repository);
  note(STAMP_ANNOTATION.runId, run.runId);
  note(STAMP_ANNOTATION.runAttempt, run.runAttempt);
  note(STAMP_ANNOTATION.jobId, run.jobId);
  note(STAMP_ANNOTATION.stepId, run.stepId);
  note(STAMP_ANNOTATION.sha, run.sha);
  note(STAMP_ANNOTATION.ref, run.ref);
  note(STAMP_ANNOTATION.actor, run.actor);
  note(STAMP_ANNOTATION.workflowRef, run.workflowRef);
  note(STAMP_ANNOTATION.runUrl, run.runUrl);
  note(STAMP_ANNOTATION.ciSubject, identity.ciSubject);
  note(STAMP_ANNOTATION.oid, identity.oid);
  note(STAMP_ANNOTATION.appid, identity.appid);
  note(STAMP_ANNOTATION.tid, identity.tid);

  return { labels, annotations, submissionKey: key };
}
