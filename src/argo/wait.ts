/**
 * Wait for a workflow to finish: GET, then ONE watch by name from the GET's resourceVersion. The watch is the normal
 * path (completion is seen as soon as the controller's write reaches us); everything else is recovery:
 *
 * - stream closed by the server: resume from the last resourceVersion (objects and bookmarks move it);
 * - 410 Gone (ERROR event or HTTP 410): the resourceVersion was compacted; re-GET, re-watch;
 * - connection failures, 429/5xx (API server restarting): capped, jittered backoff, then resume;
 * - a silent stream (half-open TCP, a proxy that stopped forwarding): a slow fallback GET sees the object moved
 *   without the stream saying so, observes it and restarts the stream.
 *
 * Done = phase Succeeded/Failed/Error or label workflows.argoproj.io/completed=true (Argo's own IsWorkflowCompleted;
 * `finishedAt` is not required, see argo-workflows#13550). The first completion wins (once-only guard).
 * A lost watch never becomes a failed workflow: only the workflow's own phase says Failed/Error; losing the API
 * server ends in ERR_ARGO_TIMEOUT (when a timeout is set) or the coded cluster error, never exit 1.
 */
import type { KubeClient } from '../cluster/types.js';
import { ArgoEntraError } from '../errors.js';
import { type Clock, type Sleep, realSleep, systemClock } from '../util/time.js';
import { workflowPath } from './paths.js';
import { diffProgress, type ProgressEvent, type ProgressListener } from './progress.js';
import { isTransient, notFoundError, statusMessage, argoRequest } from './status.js';
import { TERMINAL_PHASES, type Workflow } from './types.js';
import { watchWorkflowStream } from './watch.js';
import { ARGO_LABEL } from './labels.js';

export interface WaitOptions {
  /** cancellation (job cancelled); an AbortSignal.timeout() reason maps to ERR_ARGO_TIMEOUT, anything else ERR_CANCELLED */
  readonly signal?: AbortSignal;
  /** overall limit; ERR_ARGO_TIMEOUT when it passes (the caller applies on-timeout) */
  readonly timeoutMs?: number;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  readonly onProgress?: ProgressListener;
  /** warn when the workflow still has no status after this long (default 60 s; 0 = never) */
  readonly noStatusWarningMs?: number;
  /** period of the safety GET that guards against a silent stream (default 45 s; 0 = off) */
  readonly fallbackPollMs?: number;
  /** reconnect backoff (default 500 ms doubling to 30 s, each delay jittered to 50-100 %) */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** server-side lifetime of one watch stream (default 300 s); it closes cleanly and we resume */
  readonly watchTimeoutSeconds?: number;
  /**
   * After the workflow was read once, 401/403 are retried for this long (default 60 s) before they end the wait:
   * a restarted API server answers 403 until its RBAC caches are warm, and 401 until its authenticators are.
   */
  readonly authFailureGraceMs?: number;
  readonly random?: () => number;
}

const DEFAULTS = {
  noStatusWarningMs: 60_000,
  fallbackPollMs: 45_000,
  backoff: { initialMs: 500, maxMs: 30_000 },
  watchTimeoutSeconds: 300,
  authFailureGraceMs: 60_000,
  /** a stream that ends this fast without a single event counts as a failure for backoff purposes */
  fastCloseMs: 1_000,
};

export function isWorkflowDone(wf: Workflow): boolean {
  return TERMINAL_PHASES.has(wf.status?.phase ?? '') || wf.metadata.labels?.[ARGO_LABEL.completed] === 'true';
}

export function waitForWorkflow(
  client: KubeClient,
  namespace: string,
  name: string,
  options: WaitOptions = {},
): Promise<Workflow> {
  return new Waiter(client, namespace, name, options).run();
}

/** Capped exponential backoff with jitter (50-100 % of the capped delay). */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number): number {
  const capped = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(capped / 2 + (random() * capped) / 2);
}

function rvNumber(rv: string | undefined): number | undefined {
  return rv !== undefined && /^\d+$/.test(rv) ? Number(rv) : undefined;
}

class Waiter {
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly stop = new AbortController();
  private readonly result: Promise<Workflow>;
  private resolve!: (wf: Workflow) => void;
  private reject!: (error: unknown) => void;
  private settled = false;
  private last: Workflow | undefined;
  private rv: string | undefined;
  private stream: AbortController | undefined;
  /** when the current run of 401/403 answers began (undefined: the last call was not refused) */
  private authFailingSince: number | undefined;
  /** stream events since the last fallback tick: a tick that finds the object moved with none of them means silence */
  private streamEvents = 0;
  private readonly startedAt: number;

  constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
    private readonly name: string,
    private readonly options: WaitOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.startedAt = this.clock.now();
    this.result = new Promise<Workflow>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  async run(): Promise<Workflow> {
    const external = this.options.signal;
    if (external?.aborted) throw this.abortError(external.reason);
    const onAbort = (): void => this.fail(this.abortError(external?.reason));
    external?.addEventListener('abort', onAbort, { once: true });
    const tasks = [this.watchLoop(), this.timeoutTask(), this.noStatusTask(), this.fallbackTask()].map((t) =>
      t.catch((error: unknown) => this.fail(error)),
    );
    try {
      return await this.result;
    } finally {
      external?.removeEventListener('abort', onAbort);
      this.stop.abort();
      await Promise.allSettled(tasks);
    }
  }

  private get stopped(): boolean {
    return this.settled || this.stop.signal.aborted;
  }

  private succeed(wf: Workflow): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve(wf);
    this.stop.abort();
  }

  private fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
    this.stop.abort();
  }

  private emit(event: ProgressEvent): void {
    if (this.settled) return;
    try {
      this.options.onProgress?.(event);
    } catch {
      // A reporter bug must not end the wait.
    }
  }

  /** Every sighting of the object goes through here (GET, watch, fallback GET). */
  private observe(wf: Workflow): void {
    if (this.settled) return;
    const seen = rvNumber(this.last?.metadata.resourceVersion);
    const next = rvNumber(wf.metadata.resourceVersion);
    // A fallback GET can race the stream and return an older object; don't replay history backwards.
    if (seen !== undefined && next !== undefined && next < seen) return;
    for (const event of diffProgress(this.last, wf)) this.emit(event);
    this.last = wf;
    if (isWorkflowDone(wf)) this.succeed(wf);
  }

  private async get(): Promise<Workflow> {
    const res = await argoRequest<Workflow>(
      this.client,
      {
        method: 'GET',
        path: workflowPath(this.namespace, this.name),
        accept: [404],
        signal: this.stop.signal,
      },
      this.namespace,
    );
    if (res.status === 404) throw notFoundError(this.namespace, this.name, res.body);
    return res.body;
  }

  private async pause(delayMs: number): Promise<void> {
    if (delayMs <= 0) return;
    try {
      await this.sleep(delayMs, this.stop.signal);
    } catch {
      // aborted: the loop checks `stopped`
    }
  }

  private async watchLoop(): Promise<void> {
    const backoff = this.options.backoff ?? DEFAULTS.backoff;
    let attempt = 0;
    let needGet = true;
    const retry = async (reason: 'closed' | 'gone' | 'error', error: string | undefined): Promise<void> => {
      const delayMs = backoffDelay(attempt, backoff.initialMs, backoff.maxMs, this.random);
      attempt += 1;
      this.emit({ type: 'reconnect', reason, attempt, delayMs, error });
      await this.pause(delayMs);
    };

    while (!this.stopped) {
      if (needGet) {
        try {
          const wf = await this.get();
          this.authFailingSince = undefined;
          this.observe(wf);
          this.rv = wf.metadata.resourceVersion;
          needGet = false;
        } catch (error) {
          if (this.stopped) return;
          if (!isTransient(error) && !this.authRetryable(error)) throw error;
          await retry('error', errorText(error));
          continue;
        }
        if (this.stopped) return;
      }

      const stream = new AbortController();
      const onStop = (): void => stream.abort();
      this.stop.signal.addEventListener('abort', onStop, { once: true });
      this.stream = stream;
      const began = this.clock.now();
      let events = 0;
      try {
        const end = await watchWorkflowStream(
          this.client,
          {
            namespace: this.namespace,
            name: this.name,
            resourceVersion: this.rv,
            signal: stream.signal,
            timeoutSeconds: this.options.watchTimeoutSeconds ?? DEFAULTS.watchTimeoutSeconds,
          },
          {
            onResourceVersion: (rv) => {
              this.rv = rv;
              this.authFailingSince = undefined;
              events += 1;
              this.streamEvents += 1;
            },
            onObject: (wf) => this.observe(wf),
          },
        );
        if (this.stopped) return;
        switch (end.kind) {
          case 'deleted':
            throw new ArgoEntraError(
              'ERR_ARGO_WORKFLOW_NOT_FOUND',
              `Workflow "${this.name}" was deleted from namespace "${this.namespace}" while waiting for it (last phase: ${this.last?.status?.phase || 'none'}).`,
              {
                hint: 'Something deleted the workflow (a person, a TTL strategy, or a cleanup job); its outcome is unknown.',
                details: { namespace: this.namespace, name: this.name },
              },
            );
          case 'gone':
            // Not a failure of ours: compaction. Re-list immediately; back off only if it repeats.
            needGet = true;
            if (attempt > 0) await retry('gone', undefined);
            else {
              attempt += 1;
              this.emit({ type: 'reconnect', reason: 'gone', attempt, delayMs: 0, error: undefined });
            }
            break;
          case 'error-event':
            needGet = true;
            await retry(
              'error',
              `${end.status.code ?? '?'} ${end.status.reason ?? ''} ${end.status.message ?? ''}`.trim(),
            );
            break;
          case 'aborted':
            // Aborted by the silent-stream guard (the loop is not stopped): resume at once from the fallback's rv.
            this.emit({ type: 'reconnect', reason: 'silent', attempt, delayMs: 0, error: undefined });
            break;
          case 'closed':
            if (events === 0 && this.clock.now() - began < DEFAULTS.fastCloseMs) await retry('closed', undefined);
            else {
              attempt = 0;
              this.emit({ type: 'reconnect', reason: 'closed', attempt: 0, delayMs: 0, error: undefined });
            }
            break;
        }
      } catch (error) {
        if (this.stopped) return;
        if (httpStatus(error) === 410) {
          needGet = true;
          await retry('gone', errorText(error));
        } else if (isTransient(error) || this.authRetryable(error)) {
          await retry('error', errorText(error));
        } else {
          throw error;
        }
      } finally {
        this.stop.signal.removeEventListener('abort', onStop);
        if (this.stream === stream) this.stream = undefined;
      }
      if (events > 0 && !needGet) attempt = 0;
    }
  }

  /** 401/403 after the workflow was readable: retried within the grace period (see WaitOptions.authFailureGraceMs). */
  private authRetryable(error: unknown): boolean {
    if (!(error instanceof ArgoEntraError)) return false;
    if (error.code !== 'ERR_KUBE_FORBIDDEN' && error.code !== 'ERR_KUBE_UNAUTHORIZED') return false;
    if (this.last === undefined) return false;
    const now = this.clock.now();
    this.authFailingSince ??= now;
    return now - this.authFailingSince < (this.options.authFailureGraceMs ?? DEFAULTS.authFailureGraceMs);
  }

  private async timeoutTask(): Promise<void> {
    const ms = this.options.timeoutMs;
    if (ms === undefined) return;
    await this.pause(ms);
    if (this.stopped) return;
    this.fail(this.timeoutError(ms));
  }

  private async noStatusTask(): Promise<void> {
    const ms = this.options.noStatusWarningMs ?? DEFAULTS.noStatusWarningMs;
    if (ms <= 0) return;
    await this.pause(ms);
    if (this.stopped) return;
    if ((this.last?.status?.phase ?? '') === '') {
      this.emit({
        type: 'no-status',
        afterMs: ms,
        message: `Workflow "${this.name}" has no status after ${Math.round(ms / 1000)} s: no Argo workflow-controller seems to be handling namespace "${this.namespace}". Check that the controller is running, that it watches this namespace (--namespaced / managed namespace), and that the workflow's controller-instanceid label matches the controller's instanceID.`,
      });
    }
  }

  private async fallbackTask(): Promise<void> {
    const period = this.options.fallbackPollMs ?? DEFAULTS.fallbackPollMs;
    if (period <= 0) return;
    while (!this.stopped) {
      await this.pause(period);
      if (this.stopped) return;
      const quietStream = this.streamEvents === 0;
      this.streamEvents = 0;
      let wf: Workflow;
      try {
        wf = await this.get();
      } catch (error) {
        if (this.stopped) return;
        // The workflow is gone: that is an answer. Everything else is the watch loop's business.
        if (error instanceof ArgoEntraError && error.code === 'ERR_ARGO_WORKFLOW_NOT_FOUND') throw error;
        continue;
      }
      const moved =
        wf.metadata.resourceVersion !== undefined &&
        wf.metadata.resourceVersion !== this.last?.metadata.resourceVersion;
      this.observe(wf);
      if (this.stopped) return;
      if (moved && quietStream && this.stream) {
        // The object changed and the stream said nothing for a whole period: assume it is dead and restart it
        // from what we just read.
        this.rv = wf.metadata.resourceVersion;
        this.stream.abort();
      }
    }
  }

  private abortError(reason: unknown): ArgoEntraError {
    if (reason instanceof Error && reason.name === 'TimeoutError')
      return this.timeoutError(this.clock.now() - this.startedAt);
    return new ArgoEntraError('ERR_CANCELLED', `Stopped waiting for workflow "${this.name}": the run was cancelled.`, {
      cause: reason,
      hint: 'The job was cancelled; on-cancel decides what happens to the workflow.',
      details: this.lastDetails(),
    });
  }

  private timeoutError(ms: number): ArgoEntraError {
    const phase = this.last?.status?.phase || 'no status yet';
    return new ArgoEntraError(
      'ERR_ARGO_TIMEOUT',
      `Timed out after ${Math.round(ms / 1000)} s waiting for workflow "${this.name}" in namespace "${this.namespace}" (last phase: ${phase}${this.last?.status?.progress ? `, progress ${this.last.status.progress}` : ''}).`,
      {
        hint: 'Raise timeout, or look at why the workflow is not finishing (pending pods, suspend steps). on-timeout decides whether it is stopped.',
        details: this.lastDetails(),
      },
    );
  }

  private lastDetails(): Record<string, string> {
    const d: Record<string, string> = { namespace: this.namespace, name: this.name };
    if (this.last?.status?.phase) d['phase'] = this.last.status.phase;
    if (this.last?.status?.progress) d['progress'] = this.last.status.progress;
    return d;
  }
}

function httpStatus(error: unknown): number | undefined {
  if (!(error instanceof ArgoEntraError)) return undefined;
  const s = Number(error.details['status']);
  return Number.isNaN(s) ? undefined : s;
}

function errorText(error: unknown): string {
  if (error instanceof ArgoEntraError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return statusMessage(error);
}
