/**
 * One watch stream on one workflow, by name, from a resourceVersion. It reports how the stream ended; the wait loop
 * (wait.ts) decides what to do next. Kept separate so the loop's policy is testable without stream plumbing.
 */
import type { KubeClient, KubeStatus, WatchEvent } from '../cluster/types.js';
import { workflowsPath } from './paths.js';
import type { Workflow } from './types.js';

export type StreamEnd =
  /** the server closed the stream (its timeout, or a restart with a clean close); resume from `resourceVersion` */
  | { readonly kind: 'closed' }
  /** 410 Gone: our resourceVersion was compacted away; re-GET and watch again */
  | { readonly kind: 'gone' }
  /** an ERROR event other than 410 (e.g. 500 internal error from the watch cache) */
  | { readonly kind: 'error-event'; readonly status: KubeStatus }
  /** the workflow was deleted */
  | { readonly kind: 'deleted'; readonly workflow: Workflow }
  /** the caller aborted the stream (done, timeout, or a suspected silent stream) */
  | { readonly kind: 'aborted' };

export interface StreamHandlers {
  /** ADDED/MODIFIED object */
  onObject(wf: Workflow): void;
  /** every resourceVersion the stream moves to (objects and bookmarks) */
  onResourceVersion(rv: string): void;
}

export interface StreamRequest {
  readonly namespace: string;
  readonly name: string;
  readonly resourceVersion: string | undefined;
  readonly signal: AbortSignal;
  /** server-side stream lifetime; the server closes cleanly after it and we resume */
  readonly timeoutSeconds?: number;
}

export function watchQuery(
  req: Pick<StreamRequest, 'name' | 'resourceVersion' | 'timeoutSeconds'>,
): Record<string, string> {
  const query: Record<string, string> = {
    watch: 'true',
    fieldSelector: `metadata.name=${req.name}`,
    allowWatchBookmarks: 'true',
  };
  if (req.resourceVersion !== undefined && req.resourceVersion !== '') query['resourceVersion'] = req.resourceVersion;
  if (req.timeoutSeconds !== undefined) query['timeoutSeconds'] = String(req.timeoutSeconds);
  return query;
}

/**
 * Resolves with how the stream ended; rejects only with the client's connection/HTTP errors (the caller classifies
 * them: 410 means gone, transient means back off, anything else is fatal).
 */
export async function watchWorkflowStream(
  client: KubeClient,
  req: StreamRequest,
  handlers: StreamHandlers,
): Promise<StreamEnd> {
  const local = new AbortController();
  const forward = (): void => local.abort(req.signal.reason);
  if (req.signal.aborted) return { kind: 'aborted' };
  req.signal.addEventListener('abort', forward, { once: true });
  let end: StreamEnd | undefined;
  const finish = (e: StreamEnd): void => {
    if (end) return;
    end = e;
    // The server would keep the stream open after an ERROR or DELETED; we have what we need.
    local.abort();
  };
  try {
    await client.watch<Workflow | KubeStatus>(
      { path: workflowsPath(req.namespace), query: watchQuery(req), signal: local.signal },
      (event: WatchEvent<Workflow | KubeStatus>) => {
        if (end) return;
        switch (event.type) {
          case 'ADDED':
          case 'MODIFIED': {
            const wf = event.object as Workflow;
            if (wf.metadata?.name !== undefined && wf.metadata.name !== req.name) return;
            if (wf.metadata?.resourceVersion) handlers.onResourceVersion(wf.metadata.resourceVersion);
            handlers.onObject(wf);
            return;
          }
          case 'BOOKMARK': {
            const rv = (event.object as Workflow).metadata?.resourceVersion;
            if (rv) handlers.onResourceVersion(rv);
            return;
          }
          case 'DELETED': {
            const wf = event.object as Workflow;
            if (wf.metadata?.name !== undefined && wf.metadata.name !== req.name) return;
            finish({ kind: 'deleted', workflow: wf });
            return;
          }
          case 'ERROR': {
            const status = event.object as KubeStatus;
            finish(
              status.code === 410 || status.reason === 'Expired' || status.reason === 'Gone'
                ? { kind: 'gone' }
                : { kind: 'error-event', status },
            );
            return;
          }
        }
      },
    );
  } catch (error) {
    // Our own abort after an ERROR/DELETED event may surface as a rejection from some clients.
    if (end) return end;
    if (req.signal.aborted) return { kind: 'aborted' };
    throw error;
  } finally {
    req.signal.removeEventListener('abort', forward);
  }
  if (end) return end;
  return req.signal.aborted ? { kind: 'aborted' } : { kind: 'closed' };
}
