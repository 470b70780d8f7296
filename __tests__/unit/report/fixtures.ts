import type { NodePhase, Workflow, WorkflowNode } from '../../../src/argo/types.js';

const T0 = Date.parse('2026-11-29T10:00:00Z');
export const iso = (offsetS: number): string => new Date(T0 + offsetS * 1000).toISOString().replace('.000Z', 'Z');
export const NOW = T0 + 600_000;

export function node(id: string, type: string, phase: NodePhase, extra: Partial<WorkflowNode> = {}): WorkflowNode {
  return {
    id,
    name: id,
    displayName: id.split('.').pop() ?? id,
    type,
    phase,
    startedAt: iso(0),
    finishedAt: iso(10),
    ...extra,
  };
}

export function workflow(
  name: string,
  nodes: WorkflowNode[],
  status: Partial<NonNullable<Workflow['status']>> = {},
): Workflow {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name, namespace: 'team-a' },
    spec: {},
    status: {
      phase: 'Failed',
      startedAt: iso(0),
      finishedAt: iso(75),
      progress: '2/3',
      nodes: Object.fromEntries(nodes.map((n) => [n.id, n])),
      ...status,
    },
  };
}

/** A steps workflow: root -> [0] -> (build, lint) -> [1] -> deploy; plus an onExit handler. */
export function stepsWorkflow(): Workflow {
  return workflow('ci-abc', [
    node('ci-abc', 'Steps', 'Failed', { children: ['ci-abc-g0'], displayName: 'ci-abc' }),
    node('ci-abc-g0', 'StepGroup', 'Succeeded', { displayName: '[0]', children: ['ci-abc-build', 'ci-abc-lint'] }),
    node('ci-abc-build', 'Pod', 'Succeeded', {
      displayName: 'build',
      children: ['ci-abc-g1'],
      startedAt: iso(1),
      finishedAt: iso(31),
    }),
    node('ci-abc-lint', 'Pod', 'Succeeded', {
      displayName: 'lint "strict" | <fast>',
      children: ['ci-abc-g1'],
      startedAt: iso(1),
      finishedAt: iso(5),
    }),
    node('ci-abc-g1', 'StepGroup', 'Failed', { displayName: '[1]', children: ['ci-abc-deploy'] }),
    node('ci-abc-deploy', 'Pod', 'Failed', {
      displayName: 'deploy',
      startedAt: iso(32),
      finishedAt: iso(70),
      message: 'Error (exit code 1)\nline two | pipe',
    }),
    node('ci-abc.onExit', 'Pod', 'Succeeded', {
      displayName: 'ci-abc.onExit',
      startedAt: iso(71),
      finishedAt: iso(74),
    }),
  ]);
}

/** A wide DAG with `n` tasks in a chain of fan-outs, for truncation. */
export function largeDag(n: number): Workflow {
  const nodes: WorkflowNode[] = [node('big', 'DAG', 'Running', { children: ['big-0'], finishedAt: '' })];
  for (let i = 0; i < n; i += 1) {
    const children = [2 * i + 1, 2 * i + 2].filter((c) => c < n).map((c) => `big-${c}`);
    nodes.push(
      node(`big-${i}`, 'Pod', i === n - 1 ? 'Failed' : i % 7 === 0 ? 'Running' : 'Succeeded', {
        displayName: `task-${i} ${'x'.repeat(40)}`,
        children,
        message: i % 5 === 0 ? `message ${'m'.repeat(400)}` : '',
      }),
    );
  }
  return workflow('big', nodes, { phase: 'Running', finishedAt: '' });
}
