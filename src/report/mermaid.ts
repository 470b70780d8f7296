import type { NodePhase, Workflow, WorkflowNode } from '../argo/types.js';
import { elapsedMs, formatDuration } from './duration.js';

/**
 * A Mermaid `flowchart TD` of a workflow's node graph, coloured by phase, for the job summary.
 *
 * Argo's node graph carries structural nodes that are noise in a picture: a StepGroup (`[0]`, `[1]`...) or a
 * TaskGroup only fans out to its members. Those are elided and their edges passed through, so a steps workflow
 * reads step -> step. Template invocations (Steps, DAG), Retry wrappers, pods and suspend gates stay.
 */

export const DEFAULT_MAX_MERMAID_NODES = 200;
const ELIDED_TYPES: ReadonlySet<string> = new Set(['StepGroup', 'TaskGroup']);
const MAX_LABEL = 60;

export interface MermaidOptions {
  /** nodes drawn at most; the rest are counted in a note node */
  readonly maxNodes?: number;
  /** for the duration of nodes still running */
  readonly nowMs?: number;
}

export interface MermaidResult {
  readonly text: string;
  /** graph nodes drawn / graph nodes after elision */
  readonly shown: number;
  readonly total: number;
  readonly truncated: boolean;
}

const PHASE_CLASSES: ReadonlyArray<readonly [string, string]> = [
  ['succeeded', 'fill:#d3f3da,stroke:#1a7f37,color:#0b3d1b'],
  ['failed', 'fill:#ffd7d5,stroke:#cf222e,color:#5c0a0f'],
  ['error', 'fill:#ffb3ad,stroke:#a40e26,color:#4a0510'],
  ['running', 'fill:#ddf4ff,stroke:#0969da,color:#0a3069'],
  ['pending', 'fill:#eaeef2,stroke:#6e7781,color:#24292f'],
  ['skipped', 'fill:#f6f8fa,stroke:#8c959f,color:#57606a,stroke-dasharray:4 3'],
  ['omitted', 'fill:#f6f8fa,stroke:#d0d7de,color:#8c959f,stroke-dasharray:2 2'],
  ['note', 'fill:#fff8c5,stroke:#9a6700,color:#3b2300'],
];

export function phaseClass(phase: NodePhase | undefined): string {
  switch (phase) {
    case 'Succeeded':
      return 'succeeded';
    case 'Failed':
      return 'failed';
    case 'Error':
      return 'error';
    case 'Running':
      return 'running';
    case 'Skipped':
      return 'skipped';
    case 'Omitted':
      return 'omitted';
    default:
      return 'pending';
  }
}

/**
 * Label text inside `"..."`: Mermaid decodes `#name;` / `#123;` entities, so `#` itself must be escaped first,
 * then the characters that would end the string, open HTML, or start a markdown string.
 */
export function escapeMermaidLabel(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const short = flat.length > MAX_LABEL ? `${flat.slice(0, MAX_LABEL - 1)}…` : flat;
  return short
    .replace(/#/g, '#35;')
    .replace(/&/g, '#amp;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/`/g, '#96;');
}

function shape(node: WorkflowNode, label: string): string {
  const quoted = `"${label}"`;
  switch (node.type) {
    case 'Suspend':
      return `{{${quoted}}}`;
    case 'Steps':
    case 'DAG':
    case 'Retry':
      return `([${quoted}])`;
    default:
      return `[${quoted}]`;
  }
}

function byStart(a: WorkflowNode, b: WorkflowNode): number {
  const sa = a.startedAt ?? '';
  const sb = b.startedAt ?? '';
  if (sa !== sb) return sa < sb ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Children of `id` with elided nodes replaced by their own (resolved) children; missing ids dropped. */
function resolveChildren(
  nodes: Readonly<Record<string, WorkflowNode>>,
  id: string,
  memo: Map<string, string[]>,
  visiting: Set<string>,
): string[] {
  const cached = memo.get(id);
  if (cached !== undefined) return cached;
  if (visiting.has(id)) return []; // a malformed status with a cycle must not hang the summary
  visiting.add(id);
  const out: string[] = [];
  for (const child of nodes[id]?.children ?? []) {
    const node = nodes[child];
    if (node === undefined) continue;
    if (ELIDED_TYPES.has(node.type)) out.push(...resolveChildren(nodes, child, memo, visiting));
    else out.push(child);
  }
  visiting.delete(id);
  const unique = [...new Set(out)];
  memo.set(id, unique);
  return unique;
}

/** Undefined when the workflow has no nodes yet (or they are offloaded/compressed and not decoded). */
export function renderWorkflowMermaid(
  workflow: Pick<Workflow, 'metadata' | 'status'>,
  options: MermaidOptions = {},
): MermaidResult | undefined {
  const nodes = workflow.status?.nodes ?? {};
  const maxNodes = options.maxNodes ?? DEFAULT_MAX_MERMAID_NODES;
  const nowMs = options.nowMs ?? Date.now();
  const kept = Object.values(nodes).filter((n) => !ELIDED_TYPES.has(n.type));
  if (kept.length === 0) return undefined;

  const memo = new Map<string, string[]>();
  const edges = new Map<string, string[]>();
  const hasParent = new Set<string>();
  for (const node of kept) {
    const children = resolveChildren(nodes, node.id, memo, new Set());
    edges.set(node.id, children);
    for (const c of children) hasParent.add(c);
  }

  // Breadth-first from the roots (the workflow node, then e.g. the onExit handler), so truncation keeps the top of
  // the graph, which is where a reader starts.
  const rootName = workflow.metadata.name;
  const roots = kept
    .filter((n) => !hasParent.has(n.id))
    .sort((a, b) => (a.id === rootName ? -1 : b.id === rootName ? 1 : byStart(a, b)));
  const order: string[] = [];
  const seen = new Set<string>();
  const queue = roots.map((r) => r.id);
  for (const id of queue) {
    if (seen.has(id)) continue;
    seen.add(id);
    order.push(id);
    for (const c of edges.get(id) ?? []) if (!seen.has(c)) queue.push(c);
  }
  // Nodes only reachable through a cycle: still show them rather than drop them silently.
  for (const node of [...kept].sort(byStart)) if (!seen.has(node.id)) order.push(node.id);

  const shownIds = order.slice(0, maxNodes);
  const ids = new Map<string, string>(shownIds.map((id, i) => [id, `n${i}`]));
  const lines = ['flowchart TD'];
  const classes = new Map<string, string[]>();
  for (const id of shownIds) {
    const node = nodes[id];
    if (node === undefined) continue;
    const ms = elapsedMs(node.startedAt, node.finishedAt, nowMs);
    const name = node.displayName ?? node.name;
    const label = escapeMermaidLabel(ms === undefined ? name : `${name} · ${formatDuration(ms)}`);
    const mid = ids.get(id) ?? '';
    lines.push(`  ${mid}${shape(node, label)}`);
    const cls = phaseClass(node.phase);
    classes.set(cls, [...(classes.get(cls) ?? []), mid]);
  }
  // StepGroup elision turns n parallel steps followed by m into n*m edges; cap so a wide fan-out stays drawable.
  const maxEdges = maxNodes * 4;
  let edgeCount = 0;
  let droppedEdges = 0;
  for (const id of shownIds) {
    for (const child of edges.get(id) ?? []) {
      const to = ids.get(child);
      if (to === undefined) continue;
      if (edgeCount >= maxEdges) {
        droppedEdges += 1;
        continue;
      }
      lines.push(`  ${ids.get(id) ?? ''} --> ${to}`);
      edgeCount += 1;
    }
  }
  const hidden = order.length - shownIds.length;
  if (hidden > 0 || droppedEdges > 0) {
    const parts = [
      hidden > 0 ? `${hidden} more nodes not shown` : '',
      droppedEdges > 0 ? `${droppedEdges} edges not shown` : '',
    ]
      .filter((p) => p !== '')
      .join(', ');
    lines.push(`  truncated["${escapeMermaidLabel(parts)}"]`);
    classes.set('note', [...(classes.get('note') ?? []), 'truncated']);
  }
  for (const [name, style] of PHASE_CLASSES) lines.push(`  classDef ${name} ${style}`);
  for (const [name, members] of classes) lines.push(`  class ${members.join(',')} ${name}`);
  return {
    text: `${lines.join('\n')}\n`,
    shown: shownIds.length,
    total: order.length,
    truncated: hidden > 0 || droppedEdges > 0,
  };
}
