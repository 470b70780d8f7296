import { beforeEach, describe, expect, it } from '@jest/globals';
import { ARGO_ANNOTATION } from '../../../src/argo/labels.js';
import { failedPods, printFailedStepLogs } from '../../../src/argo/logs.js';
import { encodeCompressedNodes } from '../../../src/argo/nodes.js';
import type { Workflow, WorkflowNode } from '../../../src/argo/types.js';
import type { KubeRequest } from '../../../src/cluster/types.js';
import type { Reporter } from '../../../src/report/reporter.js';
import { FakeKube, httpError, unreachable, workflow } from './fake-kube.js';

/** fnv32a("a"), Argo's v2 pod name hash of a node named "a" */
const FNV_A = 3826002220;

function node(id: string, patch: Partial<WorkflowNode> = {}): WorkflowNode {
  return { id, name: id, displayName: id, type: 'Pod', phase: 'Failed', templateName: 'step', ...patch };
}

function failedWf(nodes: WorkflowNode[], patch: Partial<Workflow> = {}): Workflow {
  const wf = workflow('wf', {
    ...patch,
    status: { phase: 'Failed', nodes: Object.fromEntries(nodes.map((n) => [n.id, n])) },
  });
  return wf;
}

class Recorder implements Reporter {
  readonly lines: string[] = [];
  secret(): void {}
  info(m: string): void {
    this.lines.push(m);
  }
  warning(m: string): void {
    this.lines.push(`warning: ${m}`);
  }
  error(m: string): void {
    this.lines.push(`error: ${m}`);
  }
  debug(): void {}
  async group<T>(title: string, body: () => Promise<T>): Promise<T> {
    this.lines.push(`[group] ${title}`);
    const r = await body();
    this.lines.push('[endgroup]');
    return r;
  }
  setOutput(): void {}
  exportVariable(): void {}
  async summary(): Promise<void> {}
  saveState(): void {}
}

const LOG_PATH = /^\/api\/v1\/namespaces\/ns\/pods\/([^/]+)\/log$/;

let kube: FakeKube;
let reporter: Recorder;
/** pod name -> log text, or an error to throw */
let logs: Map<string, string | Error>;

beforeEach(() => {
  kube = new FakeKube();
  reporter = new Recorder();
  logs = new Map();
  kube.requestHooks.push((req: KubeRequest) => {
    const m = LOG_PATH.exec(req.path);
    if (!m) return 'pass';
    const found = logs.get(m[1] ?? '');
    if (found instanceof Error) throw found;
    if (found === undefined) throw httpError(404, 'NotFound');
    return { status: 200, body: found, date: undefined };
  });
});

const logRequests = (): KubeRequest[] => kube.requests.filter((r) => LOG_PATH.test(r.path));

describe('failedPods', () => {
  it('selects only failed or errored Pod nodes, in start order, with v2 pod names', () => {
    const wf = failedWf([
      node('wf', { name: 'wf', type: 'Steps', phase: 'Failed' }),
      node('late', { name: 'a', displayName: 'late', phase: 'Error', startedAt: '2026-01-01T00:00:02Z' }),
      node('early', { phase: 'Failed', startedAt: '2026-01-01T00:00:01Z' }),
      node('ok', { phase: 'Succeeded' }),
      node('running', { phase: 'Running' }),
      node('dag', { type: 'DAG', phase: 'Failed' }),
      node('skip', { type: 'Skipped', phase: 'Failed' }),
    ]);
    const { pods, omitted } = failedPods(wf);
    expect(pods.map((p) => p.displayName)).toEqual(['early', 'late']);
    expect(pods[1]?.pod).toBe(`wf-step-${FNV_A}`);
    expect(omitted).toBe(0);
  });

  it('v1 pod names are the node id', () => {
    const wf = failedWf([node('wf-123456')], {
      metadata: { name: 'wf', annotations: { [ARGO_ANNOTATION.podNameFormat]: 'v1' } },
    });
    expect(failedPods(wf).pods.map((p) => p.pod)).toEqual(['wf-123456']);
  });

  it('uses templateRef.template in v2 names', () => {
    const { templateName: _t, ...ref } = node('x', { name: 'a', templateRef: { name: 't', template: 'run' } });
    const wf = failedWf([ref]);
    expect(failedPods(wf).pods[0]?.pod).toBe(`wf-run-${FNV_A}`);
  });

  it('reads compressed nodes', () => {
    const nodes = { f: node('f', { name: 'a' }), s: node('s', { phase: 'Succeeded' }) };
    const wf = workflow('wf', {
      status: { phase: 'Failed', compressedNodes: encodeCompressedNodes(nodes, 'gzip') },
    });
    expect(failedPods(wf).pods.map((p) => p.pod)).toEqual([`wf-step-${FNV_A}`]);
  });

  it('at most 5, the rest counted', () => {
    const wf = failedWf(Array.from({ length: 7 }, (_, i) => node(`n${i}`, { startedAt: `2026-01-01T00:00:0${i}Z` })));
    const { pods, omitted } = failedPods(wf);
    expect(pods.map((p) => p.displayName)).toEqual(['n0', 'n1', 'n2', 'n3', 'n4']);
    expect(omitted).toBe(2);
  });

  it('offloaded or corrupt node status gives a note, no pods', () => {
    expect(failedPods(workflow('wf', { status: { offloadNodeStatusVersion: 'fnv:1' } })).note).toMatch(/offloaded/);
    expect(failedPods(workflow('wf', { status: { compressedNodes: 'bm90IGNvbXByZXNzZWQ=' } })).note).toMatch(
      /No step logs/,
    );
    expect(failedPods(workflow('wf', { status: { phase: 'Failed' } })).pods).toEqual([]);
  });
});

describe('printFailedStepLogs', () => {
  it('one group per failed pod with its log tail as text, behind a prefix; the request asks for main, 50 lines, 64 KiB', async () => {
    const wf = failedWf([
      node('a', { name: 'a', displayName: 'build', message: 'Error (exit code 1)', startedAt: '1' }),
      node('b', { startedAt: '2' }),
    ]);
    logs.set(`wf-step-${FNV_A}`, 'compiling\n::error::boom\n');
    logs.set(failedPods(wf).pods[1]?.pod ?? '', '');
    await printFailedStepLogs(kube, wf, reporter);
    expect(reporter.lines).toEqual([
      `[group] Logs of failed step build (pod wf-step-${FNV_A})`,
      'Step message: Error (exit code 1)',
      '| compiling',
      '| ::error::boom',
      '[endgroup]',
      `[group] Logs of failed step b (pod ${failedPods(wf).pods[1]?.pod})`,
      'Note: the container wrote no log output (it may never have started, e.g. the pod was never scheduled).',
      '[endgroup]',
    ]);
    expect(logRequests()[0]).toMatchObject({
      method: 'GET',
      query: { container: 'main', tailLines: '50', limitBytes: '65536' },
      responseType: 'text',
    });
  });

  it('403: one note naming pods/log and argo-entra rbac --logs, no further pods tried', async () => {
    const wf = failedWf([node('a', { startedAt: '1' }), node('b', { startedAt: '2' })]);
    for (const p of failedPods(wf).pods) logs.set(p.pod, httpError(403, 'Forbidden'));
    await expect(printFailedStepLogs(kube, wf, reporter)).resolves.toBeUndefined();
    const notes = reporter.lines.filter((l) => l.startsWith('Note'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('kubectl auth can-i get pods/log');
    expect(notes[0]).toContain('argo-entra rbac --logs');
    expect(logRequests()).toHaveLength(1);
  });

  it('404, 400, 5xx and connection errors: one note per pod, every pod tried, nothing thrown', async () => {
    const wf = failedWf(['a', 'b', 'c', 'd'].map((id, i) => node(id, { startedAt: String(i) })));
    const pods = failedPods(wf).pods.map((p) => p.pod);
    logs.set(pods[1] ?? '', httpError(400, 'BadRequest'));
    logs.set(pods[2] ?? '', httpError(500));
    logs.set(pods[3] ?? '', unreachable());
    await expect(printFailedStepLogs(kube, wf, reporter)).resolves.toBeUndefined();
    const notes = reporter.lines.filter((l) => l.startsWith('Note'));
    expect(notes).toHaveLength(4);
    expect(notes[0]).toMatch(/pod is gone/);
    expect(notes[1]).toMatch(/never have been scheduled/);
    expect(notes[2]).toContain('HTTP 500');
    expect(notes[3]).toMatch(/could not be reached/);
    expect(logRequests()).toHaveLength(4);
    expect(reporter.lines.filter((l) => l.startsWith('[group]'))).toHaveLength(4);
  });

  it('more than 5 failed pods: 5 groups and a count of the rest', async () => {
    const wf = failedWf(Array.from({ length: 6 }, (_, i) => node(`n${i}`, { startedAt: String(i) })));
    for (const p of failedPods(wf, 10).pods) logs.set(p.pod, 'x\n');
    await printFailedStepLogs(kube, wf, reporter);
    expect(logRequests()).toHaveLength(5);
    expect(reporter.lines.at(-1)).toBe('1 more failed step not shown (logs of 5 at most).');
  });

  it('a cancelled run asks for nothing', async () => {
    const wf = failedWf([node('a')]);
    await printFailedStepLogs(kube, wf, reporter, AbortSignal.abort());
    expect(logRequests()).toHaveLength(0);
    expect(reporter.lines).toEqual([]);
  });
});
