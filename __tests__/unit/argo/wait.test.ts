import { describe, expect, it } from '@jest/globals';
import { backoffDelay, isWorkflowDone, waitForWorkflow, type WaitOptions } from '../../../src/argo/wait.js';
import type { ProgressEvent } from '../../../src/argo/progress.js';
import type { Workflow } from '../../../src/argo/types.js';
import { ArgoEntraError } from '../../../src/errors.js';
import { FakeKube, flush, httpError, ManualTime, unreachable, workflow } from './fake-kube.js';
import { gzipSync } from 'node:zlib';

function setup(initial: Partial<Workflow> = { status: { phase: 'Running' } }) {
  const kube = new FakeKube();
  const time = new ManualTime();
  kube.put(workflow('wf', initial));
  const events: ProgressEvent[] = [];
  const opts = (extra: WaitOptions = {}): WaitOptions => ({
    clock: time.clock,
    sleep: time.sleep,
    random: () => 0.5,
    onProgress: (e) => events.push(e),
    ...extra,
  });
  return { kube, time, events, opts };
}

async function settle<T>(p: Promise<T>): Promise<{ value?: T; error?: ArgoEntraError }> {
  try {
    return { value: await p };
  } catch (error) {
    return { error: error as ArgoEntraError };
  }
}

const finish = (phase: 'Succeeded' | 'Failed' | 'Error') => (wf: Workflow) => {
  wf.status = { ...(wf.status ?? {}), phase, finishedAt: '2026-01-01T00:00:10Z' };
  wf.metadata.labels = {
    ...(wf.metadata.labels ?? {}),
    'workflows.argoproj.io/completed': 'true',
    'workflows.argoproj.io/phase': phase,
  };
};

describe('isWorkflowDone', () => {
  it.each([
    ['Succeeded', undefined, true],
    ['Failed', undefined, true],
    ['Error', undefined, true],
    ['Running', undefined, false],
    ['', undefined, false],
    ['Running', 'true', true],
    [undefined, 'true', true],
    ['Pending', 'false', false],
  ])('phase %p completed label %p -> %p', (phase, label, done) => {
    const wf = workflow('x', { status: phase === undefined ? {} : { phase: phase as 'Running' } });
    if (label) wf.metadata.labels = { 'workflows.argoproj.io/completed': label };
    expect(isWorkflowDone(wf)).toBe(done);
  });
});

describe('backoffDelay', () => {
  it.each([
    [0, 0, 250],
    [0, 1, 500],
    [1, 1, 1000],
    [3, 0.5, 3000],
    [10, 1, 30_000],
    [50, 0, 15_000],
  ])('attempt %p random %p -> %p ms (500 initial, 30 s cap, 50-100 %% jitter)', (attempt, r, ms) => {
    expect(backoffDelay(attempt, 500, 30_000, () => r)).toBe(ms);
  });
});

describe('waitForWorkflow', () => {
  it('returns at once when the GET already shows a terminal phase, without opening a watch', async () => {
    const { kube, opts } = setup({ status: { phase: 'Succeeded' } });
    const wf = await waitForWorkflow(kube, 'ns', 'wf', opts());
    expect(wf.status?.phase).toBe('Succeeded');
    expect(kube.watchRequests).toHaveLength(0);
  });

  it('watches by name from the GET resourceVersion with bookmarks, and completes on the terminal write (one watch)', async () => {
    const { kube, opts } = setup();
    const rv = kube.workflows.get('ns/wf')?.metadata.resourceVersion;
    const p = waitForWorkflow(kube, 'ns', 'wf', opts());
    await flush();
    expect(kube.watchRequests).toHaveLength(1);
    expect(kube.watchRequests[0]?.path).toBe('/apis/argoproj.io/v1alpha1/namespaces/ns/workflows');
    expect(kube.watchRequests[0]?.query).toMatchObject({
      fieldSelector: 'metadata.name=wf',
      resourceVersion: rv,
      allowWatchBookmarks: 'true',
    });
    kube.update('ns', 'wf', finish('Succeeded'));
    const wf = await p;
    expect(wf.status?.phase).toBe('Succeeded');
    expect(kube.watchRequests).toHaveLength(1);
    expect(kube.count('GET')).toBe(1);
  });

  it('treats the completed label as done even without a terminal phase or finishedAt (argo#13550)', async () => {
    const { kube, opts } = setup();
    const p = waitForWorkflow(kube, 'ns', 'wf', opts());
    await flush();
    kube.update('ns', 'wf', (wf) => (wf.metadata.labels = { 'workflows.argoproj.io/completed': 'true' }));
    expect((await p).metadata.labels?.['workflows.argoproj.io/completed']).toBe('true');
  });

  it('resumes a closed stream from the last resourceVersion (objects and bookmarks)', async () => {
    const { kube, time, opts, events } = setup();
    const p = waitForWorkflow(kube, 'ns', 'wf', opts());
    await flush();
    time.nowMs += 5_000; // the stream lived a while
    kube.update('ns', 'wf', (wf) => (wf.status = { phase: 'Running', progress: '0/2' }));
    kube.bookmark();
    const bookmarkRv = String(kube.rv);
    kube.closeStreams();
    await flush();
    expect(kube.watchRequests).toHaveLength(2);
    expect(kube.watchRequests[1]?.query?.['resourceVersion']).toBe(bookmarkRv);
    expect(events).toContainEqual(expect.objectContaining({ type: 'reconnect', reason: 'closed', delayMs: 0 }));
    kube.update('ns', 'wf', finish('Failed'));
    expect((await p).status?.phase).toBe('Failed');
    expect(kube.count('GET')).toBe(1);
  });

  it('backs off when streams close immediately with no events (no hot loop)', async () => {
    const { kube, time, opts, events } = setup();
    let closes = 0;
    kube.watchHooks.push(() => (closes++ < 3 ? 'close' : 'pass'));
    const p = waitForWorkflow(kube, 'ns', 'wf', opts());
    await flush();
    expect(kube.watchRequests).toHaveLength(1);
    await time.advance(10_000);
    expect(kube.watchRequests).toHaveLength(4);
    const delays = events.filter((e) => e.type === 'reconnect').map((e) => (e as { delayMs: number }).delayMs);
    expect(delays).toEqual([375, 750, 1500]);
    kube.update('ns', 'wf', finish('Succeeded'));
    await expect(p).resolves.toBeDefined();
  });

  it('on an ERROR 410 event re-GETs and re-watches from the fresh resourceVersion', async () => {
    const { kube, opts, events } = setup();
    let first = true;
    kube.watchHooks.push(() => (first ? ((first = false), 'gone-event') : 'pass'));
    const p = waitForWorkflow(kube, 'ns', 'wf', opts());
    await flush();
    expect(kube.count('GET')).toBe(2);
    expect(kube.watchRequests).toHaveLength(2);
    expect(events).toContainEqual(expect.objectContaining({ type: 'reconnect', reason: 'gone' }));
    kube.update('ns', 'wf', finish('Succeeded'));
    expect((await p).status?.phase).toBe('Succeeded');
  });

  it('after etcd compaction (resourceVersion too old) the resumed watch gets 410 and the wait still ends right', async () => {
    const { kube, time, opts } = setup();
    const p = waitForWorkflow(kube, 'ns', 'wf', opts());
    await flush();
    kube.silenceStreams();
    kube.update('ns', 'wf', (wf) => (wf.status = { phase: 'Running', progress: '1/2' }));
    kube.compact();
    time.nowMs += 5000;
    kube.closeStreams();
    await flush();
    expect(kube.count('GET')).toBe(2);
    kube.update('ns', 'wf', finish('Error'));
    expect((await p).status?.phase).toBe('Error');
  });

  it('on HTTP 410 from the watch request re-GETs', async () => {
    const { kube, time, opts } = setup();
    let first = true;
    kube.watchHooks.push(() => (first ? ((first = false), httpError(410, 'Expired')) : 'pass'));
    const p = waitForWorkflow(kube, 'ns', 'wf', opts());
    await time.advance(1_000);
    expect(kube.count('GET')).toBe(2);
    kube.update('ns', 'wf', finish('Succeeded'));
    await expect(p).resolves.toBeDefined();
  });

  it('survives an API-server restart: connection failures back off (capped, jittered) and the watch resumes', async () => {
    const { kube, time, opts, events } = setup();
    const p = waitForWorkflow(kube, 'ns', 'wf', opts({ backoff: { initialMs: 100, maxMs: 400 } }));
    await flush();
    let down = 5;
    kube.watchHooks.push(() => (down-- > 0 ? unreachable() : 'pass'));
    kube.breakStreams();
    await time.advance(60_000);
    const reconnects = events
      .filter((e) => e.type === 'reconnect' && e.reason === 'error')
      .map((e) => (e as { delayMs: number }).delayMs);
    expect(reconnects).toEqual([75, 150, 300, 300, 300, 300]);
    kube.update('ns', 'wf', finish('Succeeded'));
    expect((await p).status?.phase).toBe('Succeeded');
  });

  it('retries a transient failure of the first GET', async () => {
    const { kube, time, opts } = setup();
    let fails = 2;
    kube.requestHooks.push(() => (fails-- > 0 ? { status: 503, body: {}, date: undefined } : 'pass'));
    const p = waitForWorkflow(kube, 'ns', 'wf', opts());
    await time.advance(5_000);
    expect(kube.count('GET')).toBe(3);
    kube.update('ns', 'wf', finish('Succeeded'));
    await expect(p).resolves.toBeDefined();
  });

  it('a slow fallback GET sees completion that a silent stream never delivered', async () => {
    const { kube, time, opts } = setup();
    const p = waitForWorkflow(kube, 'ns', 'wf', opts({ fallbackPollMs: 45_000 }));
    await flush();
    kube.silenceStreams();
    kube.update('ns', 'wf', finish('Succeeded'));
    await time.advance(44_000);
    expect(kube.count('GET')).toBe(1);
    await time.advance(1_000);
    expect((await p).status?.phase).toBe('Succeeded');
    expect(kube.count('GET')).toBe(2);
  });

  it('restarts a stream that stayed silent while the object moved', async () => {
    const { kube, time, opts, events } = setup();
    const p = waitForWorkflow(kube, 'ns', 'wf', opts({ fallbackPollMs: 30_000 }));
    await flush();
    kube.silenceStreams();
    kube.update('ns', 'wf', (wf) => (wf.status = { phase: 'Running', progress: '1/3' }));
    await time.advance(30_000);
    expect(events).toContainEqual(expect.objectContaining({ type: 'reconnect', reason: 'silent' }));
    expect(kube.watchRequests).toHaveLength(2);
    expect(kube.watchRequests[1]?.query?.['resourceVersion']).toBe(String(kube.rv));
    kube.update('ns', 'wf', finish('Succeeded'));
    await expect(p).resolves.toBeDefined();
  });

  it('does not restart a healthy stream on a fallback tick', async () => {
    const { kube, time, opts } = setup();
    const p = waitForWorkflow(kube, 'ns', 'wf', opts({ fallbackPollMs: 30_000 }));
    await flush();
    kube.update('ns', 'wf', (wf) => (wf.status = { phase: 'Running', progress: '1/3' }));
    await time.advance(30_000);
    expect(kube.watchRequests).toHaveLength(1);
    kube.update('ns', 'wf', finish('Succeeded'));
    await expect(p).resolves.toBeDefined();
  });

  it('times out with ERR_ARGO_TIMEOUT (exit 5), names the last phase, and leaves the workflow alone', async () => {
    const { kube, time, opts } = setup();
    const p = settle(waitForWorkflow(kube, 'ns', 'wf', opts({ timeoutMs: 120_000 })));
    await time.advance(120_000);
    const { error } = await p;
    expect(error?.code).toBe('ERR_ARGO_TIMEOUT');
    expect(error?.exitCode).toBe(5);
    expect(error?.details['phase']).toBe('Running');
    expect(kube.count('PATCH') + kube.count('PUT')).toBe(0);
    expect(kube.watchers.size).toBe(0);
  });

  it('a lost API server is never reported as a failed workflow: it ends in the timeout', async () => {
    const { kube, time, opts } = setup();
    kube.watchHooks.push(() => unreachable());
    kube.requestHooks.push((req) =>
      req.method === 'GET' && kube.count('GET') > 1 ? Promise.reject(unreachable()) : 'pass',
    );
    const p = settle(waitForWorkflow(kube, 'ns', 'wf', opts({ timeoutMs: 600_000 })));
    await time.advance(600_000);
    const { error } = await p;
    expect(error?.code).toBe('ERR_ARGO_TIMEOUT');
    expect(error?.code).not.toBe('ERR_ARGO_WORKFLOW_FAILED');
  });

  it.each([
    ['TimeoutError', 'ERR_ARGO_TIMEOUT'],
    ['AbortError', 'ERR_CANCELLED'],
  ])('an external signal aborted with %s ends as %s', async (name, code) => {
    const { kube, opts } = setup();
    const ac = new AbortController();
    const p = settle(waitForWorkflow(kube, 'ns', 'wf', opts({ signal: ac.signal })));
    await flush();
    ac.abort(Object.assign(new Error('x'), { name }));
    expect((await p).error?.code).toBe(code);
    expect(kube.watchers.size).toBe(0);
  });

  it('the done guard settles once: later events after the terminal one are ignored', async () => {
    const { kube, opts, events } = setup();
    const p = waitForWorkflow(kube, 'ns', 'wf', opts());
    await flush();
    kube.update('ns', 'wf', finish('Succeeded'));
    kube.update('ns', 'wf', (wf) => (wf.status = { ...wf.status, phase: 'Failed' }));
    expect((await p).status?.phase).toBe('Succeeded');
    expect(events.filter((e) => e.type === 'phase').map((e) => (e as { phase: string }).phase)).toEqual([
      'Running',
      'Succeeded',
    ]);
  });

  it('emits node phase changes and status.progress, also from compressedNodes', async () => {
    const { kube, opts, events } = setup({ status: {} });
    const p = waitForWorkflow(kube, 'ns', 'wf', opts());
    await flush();
    const nodes = {
      wf: {
        id: 'wf',
        name: 'wf',
        displayName: 'wf',
        type: 'DAG',
        phase: 'Running',
        startedAt: '2026-01-01T00:00:00Z',
        children: ['a'],
      },
      a: {
        id: 'a',
        name: 'wf.a',
        displayName: 'a',
        type: 'Suspend',
        phase: 'Running',
        startedAt: '2026-01-01T00:00:01Z',
      },
    };
    kube.update('ns', 'wf', (wf) => (wf.status = { phase: 'Running', progress: '0/1', nodes: nodes as never }));
    const done = { ...nodes, a: { ...nodes.a, phase: 'Succeeded' }, wf: { ...nodes.wf, phase: 'Succeeded' } };
    kube.update('ns', 'wf', (wf) => {
      wf.status = {
        phase: 'Running',
        progress: '1/1',
        compressedNodes: gzipSync(JSON.stringify(done)).toString('base64'),
      };
    });
    kube.update('ns', 'wf', finish('Succeeded'));
    await p;
    const summary = events.map((e) =>
      e.type === 'node'
        ? `node ${e.displayName} ${e.previous ?? '-'}>${e.phase}`
        : e.type === 'phase'
          ? `phase ${e.phase}`
          : e.type === 'progress'
            ? `progress ${e.progress}`
            : e.type,
    );
    expect(summary).toEqual([
      'phase Running',
      'node wf ->Running',
      'node a ->Running',
      'progress 0/1',
      'node wf Running>Succeeded',
      'node a Running>Succeeded',
      'progress 1/1',
      'phase Succeeded',
    ]);
  });

  it('reports offloaded nodes as held by the server', async () => {
    const { kube, opts, events } = setup();
    const p = waitForWorkflow(kube, 'ns', 'wf', opts());
    await flush();
    kube.update('ns', 'wf', (wf) => (wf.status = { phase: 'Running', offloadNodeStatusVersion: 'fnv:123' }));
    kube.update('ns', 'wf', finish('Succeeded'));
    await p;
    expect(events).toContainEqual({ type: 'nodes-offloaded', version: 'fnv:123' });
  });

  it('warns once when no status appears (controller absent or not watching the namespace)', async () => {
    const { kube, time, opts, events } = setup({ status: {} });
    const p = settle(waitForWorkflow(kube, 'ns', 'wf', opts({ noStatusWarningMs: 60_000, timeoutMs: 200_000 })));
    await time.advance(59_000);
    expect(events.some((e) => e.type === 'no-status')).toBe(false);
    await time.advance(200_000);
    const warnings = events.filter((e) => e.type === 'no-status');
    expect(warnings).toHaveLength(1);
    expect((warnings[0] as { message: string }).message).toMatch(/controller/);
    expect((await p).error?.code).toBe('ERR_ARGO_TIMEOUT');
  });

  it('does not warn about a missing status when the controller has written one', async () => {
    const { kube, time, opts, events } = setup({ status: {} });
    const p = waitForWorkflow(kube, 'ns', 'wf', opts({ noStatusWarningMs: 60_000 }));
    await flush();
    kube.update('ns', 'wf', (wf) => (wf.status = { phase: 'Running' }));
    await time.advance(61_000);
    expect(events.some((e) => e.type === 'no-status')).toBe(false);
    kube.update('ns', 'wf', finish('Succeeded'));
    await p;
  });

  it.each([
    ['missing workflow', (k: FakeKube) => k.remove('ns', 'wf'), 'ERR_ARGO_WORKFLOW_NOT_FOUND'],
    ['CRDs not installed', (k: FakeKube) => (k.crdInstalled = false), 'ERR_ARGO_CRD_MISSING'],
  ])('fails fast on %s', async (_label, arrange, code) => {
    const { kube, opts } = setup();
    arrange(kube);
    expect((await settle(waitForWorkflow(kube, 'ns', 'wf', opts()))).error?.code).toBe(code);
  });

  it('a workflow deleted while waiting ends with ERR_ARGO_WORKFLOW_NOT_FOUND, not a failure', async () => {
    const { kube, opts } = setup();
    const p = settle(waitForWorkflow(kube, 'ns', 'wf', opts()));
    await flush();
    kube.remove('ns', 'wf');
    expect((await p).error?.code).toBe('ERR_ARGO_WORKFLOW_NOT_FOUND');
  });

  it('a 403 on the first GET is a cluster-access error (exit 4) at once', async () => {
    const { kube, opts } = setup();
    kube.requestHooks.push(() => ({ status: 403, body: {}, date: undefined }));
    const { error } = await settle(waitForWorkflow(kube, 'ns', 'wf', opts()));
    expect(error?.code).toBe('ERR_KUBE_FORBIDDEN');
    expect(error?.exitCode).toBe(4);
  });

  it('403 after the workflow was readable (API server restarting, RBAC cache cold) is retried within the grace period', async () => {
    const { kube, time, opts } = setup();
    let refusals = 3;
    kube.watchHooks.push(() => (refusals-- > 0 ? httpError(403, 'Forbidden') : 'pass'));
    const p = waitForWorkflow(kube, 'ns', 'wf', opts({ authFailureGraceMs: 60_000 }));
    await time.advance(10_000);
    expect(kube.watchRequests).toHaveLength(4);
    kube.update('ns', 'wf', finish('Succeeded'));
    await expect(p).resolves.toBeDefined();
  });

  it('a 403 that persists past the grace period ends the wait with ERR_KUBE_FORBIDDEN, never a failed workflow', async () => {
    const { kube, time, opts } = setup();
    kube.watchHooks.push(() => httpError(403, 'Forbidden'));
    const p = settle(waitForWorkflow(kube, 'ns', 'wf', opts({ authFailureGraceMs: 20_000 })));
    await time.advance(60_000);
    expect((await p).error?.code).toBe('ERR_KUBE_FORBIDDEN');
  });

  it('an ERROR event other than 410 re-GETs after a backoff', async () => {
    const { kube, time, opts } = setup();
    const p = waitForWorkflow(kube, 'ns', 'wf', opts());
    await flush();
    kube.sendError({ code: 500, reason: 'InternalError', message: 'etcd leader changed' });
    await time.advance(1_000);
    expect(kube.count('GET')).toBe(2);
    kube.update('ns', 'wf', finish('Succeeded'));
    await expect(p).resolves.toBeDefined();
  });

  it('a throwing progress listener does not end the wait', async () => {
    const { kube, time } = setup();
    const p = waitForWorkflow(kube, 'ns', 'wf', {
      clock: time.clock,
      sleep: time.sleep,
      onProgress: () => {
        throw new Error('reporter bug');
      },
    });
    await flush();
    kube.update('ns', 'wf', finish('Succeeded'));
    await expect(p).resolves.toBeDefined();
  });

  it('leaves no timers or streams behind after completing', async () => {
    const { kube, time, opts } = setup();
    const p = waitForWorkflow(kube, 'ns', 'wf', opts({ timeoutMs: 1_000_000 }));
    await flush();
    kube.update('ns', 'wf', finish('Succeeded'));
    await p;
    await flush();
    expect(time.pending).toBe(0);
    expect(kube.watchers.size).toBe(0);
  });
});
