/**
 * Structured progress events, computed by comparing the last seen workflow with the next one. The reporter prints
 * them (one line each); the wait loop only produces them.
 */
import { nodesOf, readNodes } from './nodes.js';
import type { NodePhase, Workflow, WorkflowNode, WorkflowPhase } from './types.js';

export type ProgressEvent =
  | {
      readonly type: 'phase';
      readonly phase: WorkflowPhase;
      readonly previous: WorkflowPhase | undefined;
      readonly message: string | undefined;
    }
  | { readonly type: 'progress'; readonly progress: string; readonly previous: string | undefined }
  | {
      readonly type: 'node';
      readonly id: string;
      readonly name: string;
      readonly displayName: string;
      readonly nodeType: string;
      readonly phase: NodePhase;
      readonly previous: NodePhase | undefined;
      readonly message: string | undefined;
    }
  | { readonly type: 'nodes-offloaded'; readonly version: string }
  | { readonly type: 'nodes-unreadable'; readonly message: string }
  | { readonly type: 'no-status'; readonly afterMs: number; readonly message: string }
  | {
      readonly type: 'reconnect';
      readonly reason: 'closed' | 'gone' | 'error' | 'silent';
      readonly attempt: number;
      readonly delayMs: number;
      readonly error: string | undefined;
    };

export type ProgressListener = (event: ProgressEvent) => void;

interface NodeSnapshot {
  readonly nodes: Record<string, WorkflowNode> | undefined;
  readonly offloadedVersion: string | undefined;
  readonly error: string | undefined;
}

function snapshot(wf: Workflow | undefined): NodeSnapshot {
  if (!wf) return { nodes: {}, offloadedVersion: undefined, error: undefined };
  try {
    const view = readNodes(wf.status);
    if (view.kind === 'offloaded') return { nodes: undefined, offloadedVersion: view.version, error: undefined };
    return { nodes: nodesOf(wf.status), offloadedVersion: undefined, error: undefined };
  } catch (error) {
    return {
      nodes: undefined,
      offloadedVersion: undefined,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

/** Pure: events that take `previous` to `next`. Node events come in start order so a DAG reads top-down. */
export function diffProgress(previous: Workflow | undefined, next: Workflow): ProgressEvent[] {
  const events: ProgressEvent[] = [];
  const before = previous?.status;
  const after = next.status;

  const prevPhase = before?.phase;
  const phase = after?.phase;
  if (phase !== undefined && phase !== '' && phase !== prevPhase) {
    events.push({ type: 'phase', phase, previous: prevPhase === '' ? undefined : prevPhase, message: after?.message });
  }

  const prevNodes = snapshot(previous);
  const nextNodes = snapshot(next);
  if (nextNodes.offloadedVersion !== undefined && nextNodes.offloadedVersion !== prevNodes.offloadedVersion) {
    events.push({ type: 'nodes-offloaded', version: nextNodes.offloadedVersion });
  }
  if (nextNodes.error !== undefined && nextNodes.error !== prevNodes.error) {
    events.push({ type: 'nodes-unreadable', message: nextNodes.error });
  }
  if (nextNodes.nodes) {
    const old = prevNodes.nodes ?? {};
    const changed = Object.values(nextNodes.nodes)
      .filter((n) => n.phase !== undefined && n.phase !== '' && old[n.id]?.phase !== n.phase)
      .sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? '') || a.name.localeCompare(b.name));
    for (const n of changed) {
      const prev = old[n.id]?.phase;
      events.push({
        type: 'node',
        id: n.id,
        name: n.name,
        displayName: n.displayName ?? n.name,
        nodeType: n.type,
        phase: n.phase as NodePhase,
        previous: prev === '' ? undefined : prev,
        message: n.message,
      });
    }
  }

  const progress = after?.progress;
  if (progress !== undefined && progress !== '' && progress !== before?.progress) {
    events.push({ type: 'progress', progress, previous: before?.progress });
  }
  return events;
}
