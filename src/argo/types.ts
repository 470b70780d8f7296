/** The parts of Argo's Workflow resource this program reads and writes (argoproj.io/v1alpha1). */

export type WorkflowPhase = '' | 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Error';
export type NodePhase = WorkflowPhase | 'Skipped' | 'Omitted';

export const TERMINAL_PHASES: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Error']);

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  [key: string]: unknown;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  [key: string]: unknown;
}

export interface Parameter {
  name: string;
  value?: string;
  valueFrom?: unknown;
  [key: string]: unknown;
}

export interface WorkflowNode {
  id: string;
  name: string;
  displayName?: string;
  type: string;
  templateName?: string;
  phase?: NodePhase;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  boundaryID?: string;
  children?: string[];
  outboundNodes?: string[];
  progress?: string;
  outputs?: { parameters?: Parameter[]; [key: string]: unknown };
  /** set on a retry child node (Argo NodeFlag) */
  nodeFlag?: { retried?: boolean; hooked?: boolean };
  templateRef?: { name?: string; template?: string; clusterScope?: boolean };
  [key: string]: unknown;
}

/** Argo's node types (pkg/apis/workflow/v1alpha1 NodeType). */
export type NodeType =
  | 'Pod'
  | 'Container'
  | 'Steps'
  | 'StepGroup'
  | 'DAG'
  | 'TaskGroup'
  | 'Retry'
  | 'Skipped'
  | 'Suspend'
  | 'HTTP'
  | 'Plugin';

export interface WorkflowStatus {
  phase?: WorkflowPhase;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  progress?: string;
  nodes?: Record<string, WorkflowNode>;
  compressedNodes?: string;
  offloadNodeStatusVersion?: string;
  outputs?: { parameters?: Parameter[]; [key: string]: unknown };
  conditions?: Array<{ type: string; status: string; message?: string }>;
  storedWorkflowTemplateSpec?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface WorkflowSpec {
  entrypoint?: string;
  arguments?: { parameters?: Parameter[]; [key: string]: unknown };
  workflowTemplateRef?: { name: string; clusterScope?: boolean };
  serviceAccountName?: string;
  shutdown?: 'Stop' | 'Terminate' | '';
  suspend?: boolean;
  activeDeadlineSeconds?: number;
  templates?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

export interface Workflow {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'Workflow';
  metadata: ObjectMeta;
  spec: WorkflowSpec;
  status?: WorkflowStatus;
}
