import type { NodePhase, Workflow, WorkflowNode } from '../argo/types.js';
import type { ArgoEntraError } from '../errors.js';
import type { Operation } from '../settings/types.js';
import { elapsedMs, formatDuration } from './duration.js';
import { codeSpan, escapeInline, escapeTableCell } from './markdown.js';
import { renderWorkflowMermaid } from './mermaid.js';

/**
 * The job summary (GitHub step summary, Azure DevOps uploadsummary, terminal print). Pure: everything it shows is
 * passed in. It names the identity by its ids and the token's expiry only; there is no field a token could go in.
 */

/** GitHub rejects a step summary over 1 MiB; stay well below so other steps' summaries and our upload both fit. */
export const DEFAULT_SUMMARY_MAX_BYTES = 512 * 1024;
export const DEFAULT_SUMMARY_MAX_NODES = 200;

export interface SummaryIdentity {
  readonly ciIssuer?: string | undefined;
  readonly ciSubject?: string | undefined;
  /** Entra application (client) id */
  readonly clientId?: string | undefined;
  /** object id of the service principal / managed identity: the Kubernetes username on AKS */
  readonly objectId?: string | undefined;
  readonly tenantId?: string | undefined;
  /** epoch milliseconds */
  readonly tokenExpiresOnMs?: number | undefined;
}

export interface SummaryInput {
  readonly operation?: Operation | undefined;
  readonly identity?: SummaryIdentity | undefined;
  readonly cluster?: { readonly server: string; readonly namespace: string } | undefined;
  readonly workflow?: Workflow | undefined;
  /** Argo UI base URL, e.g. https://argo.example.com */
  readonly argoUiUrl?: string | undefined;
  /** the error the run ended with, if any */
  readonly error?: ArgoEntraError | undefined;
  readonly nowMs: number;
  readonly maxNodes?: number | undefined;
  readonly maxBytes?: number | undefined;
}

const PHASE_ICONS: Readonly<Record<string, string>> = {
  Succeeded: '✅',
  Failed: '❌',
  Error: '❗',
  Running: '🔄',
  Pending: '⏳',
  Skipped: '⏭️',
  Omitted: '➖',
};

function phaseText(phase: NodePhase | undefined): string {
  const name = phase === undefined || phase === '' ? 'Pending' : phase;
  return `${PHASE_ICONS[name] ?? ''} ${name}`.trim();
}

/** The Argo UI page of one workflow. */
export function workflowUrl(argoUiUrl: string, namespace: string, name: string): string {
  return `${argoUiUrl.replace(/\/+$/, '')}/workflows/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
}

function bullet(label: string, value: string | undefined): string[] {
  return value === undefined || value === '' ? [] : [`- **${label}:** ${value}`];
}

function identitySection(identity: SummaryIdentity, nowMs: number): string[] {
  const expiry =
    identity.tokenExpiresOnMs === undefined
      ? undefined
      : `${new Date(identity.tokenExpiresOnMs).toISOString()} (${
          identity.tokenExpiresOnMs >= nowMs
            ? `in ${formatDuration(identity.tokenExpiresOnMs - nowMs)}`
            : `expired ${formatDuration(nowMs - identity.tokenExpiresOnMs)} ago`
        })`;
  const code = (v: string | undefined): string | undefined => (v === undefined ? undefined : codeSpan(v));
  const lines = [
    ...bullet('CI issuer', code(identity.ciIssuer)),
    ...bullet('CI subject', code(identity.ciSubject)),
    ...bullet('Entra app (client) id', code(identity.clientId)),
    ...bullet('Object id', code(identity.objectId)),
    ...bullet('Tenant', code(identity.tenantId)),
    ...bullet('Access token expires', expiry),
  ];
  return lines.length === 0 ? [] : ['### Identity', '', ...lines, ''];
}

/** Nodes worth a table row: the structural groups the graph elides are noise here too. */
function tableNodes(workflow: Workflow): WorkflowNode[] {
  return Object.values(workflow.status?.nodes ?? {}).filter((n) => n.type !== 'StepGroup' && n.type !== 'TaskGroup');
}

function byStart(a: WorkflowNode, b: WorkflowNode): number {
  const sa = a.startedAt ?? '\uffff';
  const sb = b.startedAt ?? '\uffff';
  if (sa !== sb) return sa < sb ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function nodeTable(workflow: Workflow, maxRows: number, nowMs: number): string[] {
  const all = tableNodes(workflow);
  if (all.length === 0) return [];
  // When rows must go, the ones a reader needs (failed, errored, still running) stay.
  const needed = (n: WorkflowNode): boolean =>
    n.phase !== 'Succeeded' && n.phase !== 'Skipped' && n.phase !== 'Omitted';
  const chosen =
    all.length <= maxRows
      ? all
      : [...all.filter(needed).sort(byStart), ...all.filter((n) => !needed(n)).sort(byStart)].slice(0, maxRows);
  const rows = [...chosen].sort(byStart).map((n) => {
    const ms = elapsedMs(n.startedAt, n.finishedAt, nowMs);
    return `| ${escapeTableCell(n.displayName ?? n.name)} | ${escapeTableCell(n.type)} | ${phaseText(n.phase)} | ${
      ms === undefined ? '' : formatDuration(ms)
    } | ${escapeTableCell(n.message ?? '')} |`;
  });
  const note =
    chosen.length < all.length
      ? [`> Showing ${chosen.length} of ${all.length} nodes (failed and running first). The Argo UI has the rest.`, '']
      : [];
  return [
    `### Nodes (${all.length})`,
    '',
    ...note,
    '| Name | Type | Phase | Duration | Message |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ];
}

function workflowSection(input: SummaryInput, workflow: Workflow): string[] {
  const name = workflow.metadata.name ?? workflow.metadata.generateName ?? '(unnamed)';
  const namespace = workflow.metadata.namespace ?? input.cluster?.namespace;
  const link =
    input.argoUiUrl !== undefined && namespace !== undefined && workflow.metadata.name !== undefined
      ? `[${escapeInline(`${namespace}/${name}`)}](${workflowUrl(input.argoUiUrl, namespace, workflow.metadata.name)})`
      : codeSpan(namespace === undefined ? name : `${namespace}/${name}`);
  const status = workflow.status;
  const ms = elapsedMs(status?.startedAt, status?.finishedAt, input.nowMs);
  return [
    '### Workflow',
    '',
    `- **Workflow:** ${link}`,
    `- **Phase:** ${phaseText(status?.phase)}`,
    ...bullet('Duration', ms === undefined ? undefined : formatDuration(ms)),
    ...bullet('Progress', status?.progress),
    ...bullet('Message', status?.message === undefined ? undefined : escapeInline(status.message)),
    ...(status?.offloadNodeStatusVersion !== undefined && status.nodes === undefined
      ? ['- **Nodes:** offloaded to the Argo database; open the workflow in the Argo UI to see them.']
      : []),
    '',
  ];
}

function render(input: SummaryInput, maxNodes: number, withGraph: boolean): string {
  const wf = input.workflow;
  const phase = wf?.status?.phase;
  const heading = [
    'argo-entra',
    input.operation,
    wf?.metadata.name === undefined ? undefined : codeSpan(wf.metadata.name),
    input.error !== undefined ? '— failed' : phase === undefined || phase === '' ? undefined : `— ${phaseText(phase)}`,
  ]
    .filter((p) => p !== undefined)
    .join(' ');
  const out: string[] = [`## ${heading}`, ''];
  if (input.error !== undefined) {
    out.push(`> [!CAUTION]`, `> **${input.error.code}**: ${escapeInline(input.error.message)}`);
    if (input.error.hint !== undefined) out.push('>', `> **Fix:** ${escapeInline(input.error.hint)}`);
    out.push('');
  }
  if (wf !== undefined) out.push(...workflowSection(input, wf));
  if (input.identity !== undefined) out.push(...identitySection(input.identity, input.nowMs));
  if (input.cluster !== undefined) {
    out.push(
      '### Cluster',
      '',
      `- **API server:** ${codeSpan(input.cluster.server)}`,
      `- **Namespace:** ${codeSpan(input.cluster.namespace)}`,
      '',
    );
  }
  if (wf !== undefined) {
    const graph = withGraph ? renderWorkflowMermaid(wf, { maxNodes, nowMs: input.nowMs }) : undefined;
    if (graph !== undefined) {
      out.push('### Graph', '');
      if (graph.truncated) out.push(`> The graph shows ${graph.shown} of ${graph.total} nodes.`, '');
      out.push('```mermaid', graph.text.trimEnd(), '```', '');
    }
    out.push(...nodeTable(wf, maxNodes, input.nowMs));
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * Markdown for one run. Large workflows shrink in steps (fewer rows and graph nodes, then no graph) until the
 * text fits `maxBytes`; as a last resort the text is cut with a note, so the summary upload itself never fails.
 */
export function renderSummary(input: SummaryInput): string {
  const maxBytes = input.maxBytes ?? DEFAULT_SUMMARY_MAX_BYTES;
  let maxNodes = input.maxNodes ?? DEFAULT_SUMMARY_MAX_NODES;
  let withGraph = true;
  for (;;) {
    const text = render(input, maxNodes, withGraph);
    if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
    if (maxNodes > 10) maxNodes = Math.floor(maxNodes / 2);
    else if (withGraph) withGraph = false;
    else return hardCut(text, maxBytes);
  }
}

function hardCut(text: string, maxBytes: number): string {
  const note = '\n\n> Summary truncated to fit the job summary size limit.\n';
  const budget = Math.max(0, maxBytes - Buffer.byteLength(note, 'utf8'));
  // Cut on a byte budget, then drop a possibly split trailing character.
  const cut = Buffer.from(text, 'utf8')
    .subarray(0, budget)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return `${cut}${note}`;
}
