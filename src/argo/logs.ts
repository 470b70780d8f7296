/**
 * Logs of failed steps: when a waited-on workflow ends Failed or Error, the tail of the `main` container log of its
 * failed Pod nodes, so the CI log shows why without opening the Argo UI. Best effort by design: nothing here throws
 * or changes the run's exit code; every problem is one note line (403 names the missing pods/log permission).
 */
import { ArgoEntraError } from '../errors.js';
import type { KubeClient } from '../cluster/types.js';
import type { Reporter } from '../report/reporter.js';
import { readNodes } from './nodes.js';
import { podName, podNameVersion } from './pod-name.js';
import type { Workflow, WorkflowNode } from './types.js';

export const MAX_LOG_PODS = 5;
export const LOG_TAIL_LINES = 50;
export const LOG_LIMIT_BYTES = 65_536;

export interface FailedPod {
  readonly node: WorkflowNode;
  readonly displayName: string;
  readonly pod: string;
}

export interface FailedPods {
  readonly pods: FailedPod[];
  /** failed Pod nodes past MAX_LOG_PODS */
  readonly omitted: number;
  /** why no node could be read (offloaded or unreadable node status), if so */
  readonly note?: string;
}

/** The failed/errored Pod nodes (in the order they started), with their pod names, at most MAX_LOG_PODS. */
export function failedPods(wf: Workflow, max = MAX_LOG_PODS): FailedPods {
  let view: ReturnType<typeof readNodes>;
  try {
    view = readNodes(wf.status);
  } catch (error) {
    return { pods: [], omitted: 0, note: `No step logs: ${(error as Error).message}` };
  }
  if (view.kind === 'offloaded')
    return {
      pods: [],
      omitted: 0,
      note: 'No step logs: the node statuses are offloaded to the Argo database (only argo-server can read them).',
    };
  if (view.kind === 'none') return { pods: [], omitted: 0 };
  const name = wf.metadata.name ?? '';
  const version = podNameVersion(wf);
  const failed = Object.values(view.nodes)
    .filter((node) => node.type === 'Pod' && (node.phase === 'Failed' || node.phase === 'Error'))
    .sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? '') || (a.name ?? '').localeCompare(b.name ?? ''));
  return {
    pods: failed.slice(0, max).map((node) => ({
      node,
      displayName: node.displayName ?? node.name,
      pod: podName(name, node, version),
    })),
    omitted: Math.max(0, failed.length - max),
  };
}

/** Log lines are printed behind this prefix so a line can never act as a runner command (`::…`, `##vso[…`). */
const LINE_PREFIX = '| ';

/** Prints one group per failed pod with the tail of its `main` container log. Never throws; a cancel stops it. */
export async function printFailedStepLogs(
  client: KubeClient,
  wf: Workflow,
  reporter: Reporter,
  signal?: AbortSignal,
): Promise<void> {
  if (signal?.aborted) return;
  const { pods, omitted, note } = failedPods(wf);
  if (note !== undefined) {
    reporter.info(note);
    return;
  }
  const namespace = wf.metadata.namespace ?? '';
  for (const failed of pods) {
    let stop = false;
    await reporter.group(`Logs of failed step ${failed.displayName} (pod ${failed.pod})`, async () => {
      if (typeof failed.node.message === 'string' && failed.node.message !== '')
        reporter.info(`Step message: ${failed.node.message}`);
      try {
        const res = await client.request<string>({
          method: 'GET',
          path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(failed.pod)}/log`,
          query: { container: 'main', tailLines: String(LOG_TAIL_LINES), limitBytes: String(LOG_LIMIT_BYTES) },
          responseType: 'text',
          ...(signal === undefined ? {} : { signal }),
        });
        const text = typeof res.body === 'string' ? res.body : '';
        const lines = text.split(/\r?\n/);
        if (lines[lines.length - 1] === '') lines.pop();
        if (lines.length === 0)
          reporter.info(
            'Note: the container wrote no log output (it may never have started, e.g. the pod was never scheduled).',
          );
        for (const line of lines) reporter.info(`${LINE_PREFIX}${line}`);
      } catch (error) {
        if (signal?.aborted || (error instanceof ArgoEntraError && error.code === 'ERR_CANCELLED')) {
          stop = true;
          return;
        }
        stop = error instanceof ArgoEntraError && error.code === 'ERR_KUBE_FORBIDDEN';
        reporter.info(logNote(error, failed.pod));
      }
    });
    // Cancelled, or every other pod would be refused the same way (one 403 note is enough).
    if (stop) return;
  }
  if (omitted > 0)
    reporter.info(
      `${omitted} more failed step${omitted === 1 ? '' : 's'} not shown (logs of ${MAX_LOG_PODS} at most).`,
    );
}

function logNote(error: unknown, pod: string): string {
  const code = error instanceof ArgoEntraError ? error.code : undefined;
  const status = error instanceof ArgoEntraError ? error.details['status'] : undefined;
  if (code === 'ERR_KUBE_FORBIDDEN')
    return (
      'Note: no step logs: this identity may not get pods/log in the namespace (check with `kubectl auth can-i get ' +
      'pods/log`); `argo-entra rbac --logs` prints a Role that includes it.'
    );
  if (status === '404') return `Note: no log for pod ${pod}: the pod is gone (deleted or garbage-collected).`;
  if (status === '400')
    return `Note: no log for pod ${pod}: the API server refused it (the pod may never have been scheduled or started): ${conciseMessage(error)}`;
  if (code === 'ERR_KUBE_UNREACHABLE' || code === 'ERR_KUBE_TLS')
    return `Note: no log for pod ${pod}: the API server could not be reached: ${conciseMessage(error)}`;
  return `Note: no log for pod ${pod}: ${conciseMessage(error)}`;
}

/** The API server's own Status message when there is one (e.g. why a pod has no log), else the error's first line. */
function conciseMessage(error: unknown): string {
  const status = error instanceof ArgoEntraError ? error.details['message'] : undefined;
  if (status !== undefined && status !== '') return status;
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
