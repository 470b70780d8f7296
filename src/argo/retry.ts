/**
 * Retry, following Argo's util.FormulateRetryWorkflow (v4, restartSuccessful=false, no node selector): the
 * workflow is reset in place and updated, and the pods of reset nodes are deleted so the controller re-creates them.
 *
 * The algorithm, as Argo's:
 * 1. Only Failed/Error workflows (Succeeded needs restartSuccessful + a node selector: not offered here).
 * 2. New status: phase/message/finishedAt cleared, startedAt now, condition Completed=False, completed and
 *    archiving-status labels removed, spec.shutdown and stored spec shutdown cleared, PVC list emptied,
 *    activeDeadlineSeconds 0 (left by terminate) removed, optional parameter overrides (passed first, like Argo).
 * 3. "Failed" = Failed/Error execution nodes (Pod, Container, HTTP, Plugin) with no Succeeded descendant (for a
 *    retried child, the check runs on its Retry parent).
 * 4. Nodes form a tree via `children` (one parent per node: the last in sorted-id order, as Argo); walking breadth
 *    first from the root, each failed node not already deleted is deleted with its descendants, and the path above it
 *    is reset: group nodes (DAG, Steps, StepGroup, TaskGroup) and their boundaries up to the root, failed Retry
 *    parents; a Container's Pod is deleted with its subtree. Reset = phase Running (Skipped stays Skipped), message
 *    and finishedAt cleared, startedAt now; Suspend outputs reset to "waiting for a value".
 * 5. Nodes not deleted are kept; exit-handler (`<wf>.onExit`) nodes are dropped and their pods deleted; children and
 *    outboundNodes lose references to deleted nodes.
 * 6. With parameter overrides, children of reset StepGroup/TaskGroup nodes are deleted too (argo#15802).
 *
 * Differences: Argo also computes pod names for non-Pod nodes under onExit (those DELETEs 404); only Pod nodes are
 * deleted here. When the pod-name-format annotation is absent, Argo uses its process's POD_NAMES; we use v2.
 * Argo panics/errs on malformed node trees; here that is ERR_ARGO_OPERATION.
 */
import { ArgoEntraError } from '../errors.js';
import { ARGO_LABEL } from './labels.js';
import { requireReadableNodes, writeNodes } from './nodes.js';
import { podName, podNameVersion } from './pod-name.js';
import type { Parameter, Workflow, WorkflowNode } from './types.js';

export interface RetryPlan {
  readonly workflow: Workflow;
  readonly podsToDelete: readonly string[];
}

export interface RetryOptions {
  readonly parameters?: ReadonlyArray<readonly [string, string]>;
}

interface DagNode {
  readonly n: WorkflowNode;
  parent: DagNode | undefined;
  children: DagNode[];
}

const EXECUTION_TYPES = new Set(['Container', 'Pod', 'HTTP', 'Plugin']);
const GROUP_TYPES = new Set(['DAG', 'TaskGroup', 'StepGroup', 'Steps']);

function failedOrError(n: WorkflowNode): boolean {
  return n.phase === 'Failed' || n.phase === 'Error';
}

function malformed(name: string, what: string): ArgoEntraError {
  return new ArgoEntraError(
    'ERR_ARGO_OPERATION',
    `Cannot retry workflow "${name}": its node tree is inconsistent (${what}).`,
    {
      hint: 'Use resubmit to start a fresh copy of the workflow.',
      details: { name },
    },
  );
}

function timestamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function isDescendantNodeSucceeded(
  nodes: Record<string, WorkflowNode>,
  node: WorkflowNode,
  exclude: ReadonlySet<string>,
  seen = new Set<string>(),
): boolean {
  for (const childId of node.children ?? []) {
    const child = nodes[childId];
    if (!child || seen.has(childId)) continue;
    seen.add(childId);
    if (
      (!exclude.has(childId) && child.phase === 'Succeeded') ||
      isDescendantNodeSucceeded(nodes, child, exclude, seen)
    )
      return true;
  }
  return false;
}

function buildDag(wfName: string, nodes: Record<string, WorkflowNode>): Map<string, DagNode> {
  const dag = new Map<string, DagNode>();
  const parentOf = new Map<string, string>();
  for (const key of Object.keys(nodes).sort()) {
    const node = nodes[key] as WorkflowNode;
    dag.set(node.id, { n: node, parent: undefined, children: [] });
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }
  for (const node of Object.values(nodes)) {
    const parentId = parentOf.get(node.id);
    if (parentId === undefined && node.name !== wfName && !node.name.startsWith(`${wfName}.onExit`)) {
      throw malformed(wfName, `node ${node.id} has no parent`);
    }
    const self = dag.get(node.id) as DagNode;
    self.parent = parentId === undefined ? undefined : dag.get(parentId);
    self.children = (node.children ?? []).map((id) => {
      const child = dag.get(id);
      if (!child) throw malformed(wfName, `child ${id} of ${node.id} is missing`);
      return child;
    });
  }
  return dag;
}

function sortedFromRoot(dag: Map<string, DagNode>, wfName: string): DagNode[] {
  const root = [...dag.values()].find((d) => d.n.name === wfName);
  if (!root) throw malformed(wfName, 'no root node');
  const out: DagNode[] = [];
  const visited = new Set([root.n.id]);
  const queue = [root];
  while (queue.length > 0) {
    const curr = queue.shift() as DagNode;
    out.push(curr);
    for (const child of curr.children) {
      if (visited.has(child.n.id)) continue;
      visited.add(child.n.id);
      queue.push(child);
    }
  }
  return out;
}

function descendants(n: DagNode): Set<string> {
  const out = new Set<string>();
  const queue = [n];
  while (queue.length > 0) {
    const curr = queue.shift() as DagNode;
    for (const child of curr.children) {
      if (out.has(child.n.id)) continue;
      out.add(child.n.id);
      queue.push(child);
    }
  }
  return out;
}

function resetUntil(wfName: string, n: DagNode, match: (d: DagNode) => boolean, reset: (id: string) => void): DagNode {
  for (let curr: DagNode | undefined = n; curr; curr = curr.parent) {
    if (match(curr)) {
      reset(curr.n.id);
      return curr;
    }
  }
  throw malformed(wfName, `no ancestor of ${n.n.id} matches while resetting`);
}

function resetBoundaries(wfName: string, n: DagNode, reset: (id: string) => void): DagNode | undefined {
  let curr: DagNode | undefined = n;
  for (;;) {
    if (!curr) return undefined;
    if (curr.parent?.n.type === 'Retry') {
      reset(curr.parent.n.id);
      curr = curr.parent;
    }
    if (curr.parent?.n.type === 'StepGroup') reset(curr.parent.n.id);
    if (curr.parent?.n.type === 'TaskGroup') reset(curr.parent.n.id);
    const boundary = curr.n.boundaryID;
    if (boundary === undefined || boundary === '') return curr.parent;
    curr = resetUntil(wfName, curr, (d) => d.n.id === boundary, reset);
  }
}

function resetPath(wfName: string, sorted: DagNode[], startId: string): { reset: Set<string>; del: Set<string> } {
  let root: DagNode | undefined;
  let leaf: DagNode | undefined;
  for (const d of sorted) {
    if (d.n.id === startId) leaf = d;
    if (!d.parent) root = d;
  }
  if (!root) throw malformed(wfName, 'no root node');
  if (!leaf) throw malformed(wfName, `node ${startId} not found`);
  const path: DagNode[] = [];
  for (let curr: DagNode | undefined = leaf; ; curr = curr.parent) {
    if (!curr) throw malformed(wfName, `node ${startId} is not under the root`);
    path.push(curr);
    if (curr.n.id === root.n.id) break;
  }
  const del = descendants(leaf);
  del.add(leaf.n.id);
  const reset = new Set<string>();
  if (path.length <= 1) return { reset, del };

  const addReset = (id: string): void => void reset.add(id);
  let curr: DagNode | undefined = leaf;
  while (curr) {
    if (GROUP_TYPES.has(curr.n.type)) {
      addReset(curr.n.id);
      curr = resetBoundaries(wfName, curr, addReset);
      continue;
    }
    if (curr.n.type === 'Retry' && failedOrError(curr.n)) {
      addReset(curr.n.id);
    } else if (curr.n.type === 'Container') {
      const pod = resetUntil(wfName, curr, (d) => d.n.type === 'Pod', addReset);
      del.add(pod.n.id);
      for (const id of descendants(pod)) del.add(id);
      curr = pod;
      continue;
    }
    curr = curr.parent;
  }
  return { reset, del };
}

export function resetNode(node: WorkflowNode, now: Date): WorkflowNode {
  const out: WorkflowNode = structuredClone(node);
  if (out.type === 'Suspend' && out.outputs?.parameters) {
    out.outputs.parameters = out.outputs.parameters.map((p) => ({ name: p.name, valueFrom: { supplied: {} } }));
  }
  out.phase = out.phase === 'Skipped' ? 'Skipped' : 'Running';
  delete out.message;
  out.startedAt = timestamp(now);
  delete out.finishedAt;
  return out;
}

/** Argo's overrideParameters: passed parameters first (as plain name/value), then the untouched rest. */
export function argoOverrideParameters(
  existing: readonly Parameter[],
  overrides: ReadonlyArray<readonly [string, string]>,
): Parameter[] {
  const passed = new Set(overrides.map(([name]) => name));
  return [...overrides.map(([name, value]) => ({ name, value })), ...existing.filter((p) => !passed.has(p.name))];
}

function newRetryWorkflow(wf: Workflow, now: Date, parameters: ReadonlyArray<readonly [string, string]>): Workflow {
  const out: Workflow = structuredClone(wf);
  if (out.metadata.labels) {
    delete out.metadata.labels[ARGO_LABEL.completed];
    delete out.metadata.labels[ARGO_LABEL.archivingStatus];
  }
  const status = (out.status ??= {});
  // UpsertCondition: replace the first Completed condition in place, or append.
  const conditions = [...(status.conditions ?? [])];
  const completed = { type: 'Completed', status: 'False' };
  const at = conditions.findIndex((c) => c.type === 'Completed');
  if (at >= 0) conditions[at] = completed;
  else conditions.push(completed);
  status.conditions = conditions;
  delete status.phase;
  delete status.message;
  status.startedAt = timestamp(now);
  delete status.finishedAt;
  const stored = status.storedWorkflowTemplateSpec as
    { shutdown?: string; arguments?: { parameters?: Parameter[] } } | undefined;
  if (stored) delete stored.shutdown;
  delete out.spec.shutdown;
  delete status['persistentVolumeClaims'];
  if (out.spec.activeDeadlineSeconds === 0) delete out.spec.activeDeadlineSeconds;
  if (parameters.length > 0) {
    const params = argoOverrideParameters(out.spec.arguments?.parameters ?? [], parameters);
    out.spec.arguments = { ...(out.spec.arguments ?? {}), parameters: params };
    if (stored) stored.arguments = { ...(stored.arguments ?? {}), parameters: params };
  }
  return out;
}

/** Pure: the workflow to PUT back and the pods to delete first. */
export function formulateRetry(wf: Workflow, now: Date, options: RetryOptions = {}): RetryPlan {
  const name = wf.metadata.name ?? '';
  const phase = wf.status?.phase ?? '';
  if (phase === 'Succeeded') {
    throw new ArgoEntraError(
      'ERR_ARGO_OPERATION',
      `Cannot retry workflow "${name}": it Succeeded; only Failed or Error workflows can be retried.`,
      {
        hint: 'Use resubmit to run it again (Argo retries succeeded workflows only with --restart-successful and a node selector, which argo-entra does not offer).',
        details: { name, phase },
      },
    );
  }
  if (phase !== 'Failed' && phase !== 'Error') {
    throw new ArgoEntraError(
      'ERR_ARGO_OPERATION',
      `Cannot retry workflow "${name}" in phase ${phase || 'Pending (no status)'}; only Failed or Error workflows can be retried.`,
      {
        hint: 'Wait for it to finish, or stop it first.',
        details: { name, phase },
      },
    );
  }
  const view = requireReadableNodes(wf, 'retry', phase);
  const nodes: Record<string, WorkflowNode> = view.kind === 'none' ? {} : view.nodes;
  const parameters = options.parameters ?? [];
  const newWf = newRetryWorkflow(wf, now, parameters);
  const onExitName = `${name}.onExit`;

  const deleteSet = new Set<string>();
  const noneToReset = new Set<string>();
  for (const [id, node] of Object.entries(nodes)) {
    if (!failedOrError(node) || !EXECUTION_TYPES.has(node.type)) continue;
    let check = node;
    if (node.nodeFlag?.retried === true) {
      check = Object.values(nodes).find((n) => n.type === 'Retry' && (n.children ?? []).includes(id)) ?? node;
    }
    if (!isDescendantNodeSucceeded(nodes, check, noneToReset)) deleteSet.add(id);
  }

  const newNodes: Record<string, WorkflowNode> = {};
  const toReset = new Set<string>();
  const toDelete = new Set<string>();
  if (Object.keys(nodes).length > 0) {
    const dag = buildDag(name, nodes);
    const sorted = sortedFromRoot(dag, name);
    for (const d of sorted) {
      if (!deleteSet.has(d.n.id) || toDelete.has(d.n.id)) continue;
      const { reset, del } = resetPath(name, sorted, d.n.id);
      for (const id of reset) toReset.add(id);
      for (const id of del) toDelete.add(id);
    }
    if (parameters.length > 0) {
      for (const id of toReset) {
        if (toDelete.has(id)) continue;
        const d = dag.get(id);
        if (d && (d.n.type === 'TaskGroup' || d.n.type === 'StepGroup'))
          for (const c of descendants(d)) toDelete.add(c);
      }
    }
  }

  for (const id of toReset) {
    const n = nodes[id];
    if (!toDelete.has(id) && n) newNodes[id] = resetNode(n, now);
  }

  const version = podNameVersion(wf);
  const pods: string[] = [];
  const addPod = (n: WorkflowNode): void => {
    if (n.type !== 'Pod') return;
    const pod = podName(name, n, version);
    if (!pods.includes(pod)) pods.push(pod);
  };
  for (const id of toDelete) {
    const n = nodes[id];
    if (n) addPod(n);
  }

  for (const [id, n] of Object.entries(nodes)) {
    const drop = toDelete.has(id) || n.name.startsWith(onExitName);
    if (!(id in newNodes) && !drop) newNodes[id] = structuredClone(n);
    if (n.name === onExitName) {
      const queue: WorkflowNode[] = [n];
      const seen = new Set<string>();
      while (queue.length > 0) {
        const curr = queue.shift() as WorkflowNode;
        if (seen.has(curr.id)) continue;
        seen.add(curr.id);
        addPod(curr);
        for (const c of curr.children ?? []) {
          const child = nodes[c];
          if (!child) throw malformed(name, `child ${c} of ${curr.id} is missing`);
          queue.push(child);
        }
      }
    }
  }

  for (const [id, kept] of Object.entries(newNodes)) {
    const old = nodes[id];
    if (!old) continue;
    const children = (old.children ?? []).filter((c) => !toDelete.has(c));
    const outbound = (old.outboundNodes ?? []).filter((c) => !toDelete.has(c));
    // Argo writes empty lists, which its omitempty JSON drops.
    if (children.length > 0) kept.children = children;
    else delete kept.children;
    if (outbound.length > 0) kept.outboundNodes = outbound;
    else delete kept.outboundNodes;
  }

  writeNodes((newWf.status ??= {}), newNodes, view.kind === 'none' ? { kind: 'none' } : view);
  return { workflow: newWf, podsToDelete: pods };
}
