/**
 * Resume as Argo's util.ResumeWorkflow does (no node selector): clear spec.suspend, and mark every active suspend
 * node (type Suspend, phase Running) Succeeded with finishedAt now; raw output parameters still waiting for a value
 * get their default (OverrideOutputParametersWithDefault) or the resume is refused.
 *
 * Differences from Argo, on purpose:
 * - nothing to resume (not suspended, no running suspend node) is an ERR_ARGO_OPERATION here; Argo returns success.
 * - Argo accumulates the "Resumed by" message across nodes (a loop-variable slip); here each node gets its own
 *   message followed by ours.
 * - Argo labels the actor only when argo-server knows the user; we record nothing on the workflow for resume.
 */
import { ArgoEntraError } from '../errors.js';
import { nodesOf, requireReadableNodes, writeNodes } from './nodes.js';
import type { Parameter, Workflow, WorkflowNode } from './types.js';

export function isActiveSuspendNode(node: WorkflowNode): boolean {
  return node.type === 'Suspend' && node.phase === 'Running';
}

export function isWorkflowSuspended(wf: Workflow): boolean {
  if (wf.spec.suspend === true) return true;
  const nodes = nodesOf(wf.status);
  return nodes !== undefined && Object.values(nodes).some(isActiveSuspendNode);
}

function withDefaults(outputs: WorkflowNode['outputs'], node: WorkflowNode): WorkflowNode['outputs'] {
  if (!outputs?.parameters) return outputs;
  const parameters = outputs.parameters.map((p: Parameter): Parameter => {
    const from = p.valueFrom as { supplied?: unknown; default?: string } | undefined;
    if (from?.supplied === undefined || from.supplied === null) return p;
    if (from.default === undefined) {
      throw new ArgoEntraError(
        'ERR_ARGO_OPERATION',
        `Cannot resume node "${node.displayName ?? node.name}": its output parameter "${p.name}" waits for a value and has no default.`,
        {
          hint: 'Supply the value with `argo node set --output-parameter` (argo-server), or give the parameter a default.',
          details: { node: node.name, parameter: p.name },
        },
      );
    }
    const { valueFrom: _valueFrom, ...rest } = p;
    return { ...rest, value: from.default };
  });
  return { ...outputs, parameters };
}

/** Pure: the workflow to PUT back. Throws ERR_ARGO_OPERATION when there is nothing to resume or it cannot be done. */
export function formulateResume(wf: Workflow, now: Date, message = ''): Workflow {
  const name = wf.metadata.name ?? '';
  const phase = wf.status?.phase || 'Pending';
  if (
    wf.metadata.labels?.['workflows.argoproj.io/completed'] === 'true' ||
    ['Succeeded', 'Failed', 'Error'].includes(phase)
  ) {
    throw new ArgoEntraError(
      'ERR_ARGO_OPERATION',
      `Cannot resume workflow "${name}": it has already completed (phase ${phase}).`,
      {
        hint: 'Use retry (re-runs failed steps) or resubmit (a new workflow) instead.',
        details: { name, phase },
      },
    );
  }
  const view = requireReadableNodes(wf, 'resume', phase);
  const out: Workflow = structuredClone(wf);
  let updated = false;
  if (out.spec.suspend === true) {
    delete out.spec.suspend;
    updated = true;
  }
  const nodes = view.kind === 'none' ? {} : structuredClone(view.nodes);
  const finishedAt = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  for (const [id, node] of Object.entries(nodes)) {
    if (!isActiveSuspendNode(node)) continue;
    const outputs = withDefaults(node.outputs, node);
    const next: WorkflowNode = { ...node, phase: 'Succeeded', finishedAt };
    if (outputs !== undefined) next.outputs = outputs;
    const text = node.message ? (message ? `${node.message}; ${message}` : node.message) : message;
    if (text) next.message = text;
    else delete next.message;
    nodes[id] = next;
    updated = true;
  }
  if (!updated) {
    throw new ArgoEntraError(
      'ERR_ARGO_OPERATION',
      `Cannot resume workflow "${name}": it is not suspended (phase ${phase}, spec.suspend not set, no running suspend step).`,
      {
        hint: 'Nothing to resume. Wait for it instead, or check the workflow name.',
        details: { name, phase },
      },
    );
  }
  if (view.kind !== 'none') writeNodes((out.status ??= {}), nodes, view);
  return out;
}
