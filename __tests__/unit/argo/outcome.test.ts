import { describe, expect, it } from '@jest/globals';
import { outcomeError, outcomeExitCode, outcomeOutputs, workflowOutcome } from '../../../src/argo/outcome.js';
import { workflow } from './fake-kube.js';

const done = (phase: 'Succeeded' | 'Failed' | 'Error' | 'Running') =>
  workflow('wf-1', {
    metadata: { uid: 'u-1', namespace: 'team a' },
    status: {
      phase,
      message: phase === 'Failed' ? 'child failed' : '',
      startedAt: '2026-01-01T00:00:00Z',
      finishedAt: phase === 'Running' ? '' : '2026-01-01T00:01:30Z',
      outputs: { parameters: [{ name: 'result', value: '42' }] },
    },
  });

describe('workflowOutcome', () => {
  it('produces the outputs', () => {
    const o = workflowOutcome(done('Succeeded'), 'https://argo.example.com/');
    expect(outcomeOutputs(o)).toEqual({
      'workflow-name': 'wf-1',
      'workflow-uid': 'u-1',
      namespace: 'team a',
      phase: 'Succeeded',
      message: '',
      'started-at': '2026-01-01T00:00:00Z',
      'finished-at': '2026-01-01T00:01:30Z',
      duration: '90',
      outputs: '[{"name":"result","value":"42"}]',
      url: 'https://argo.example.com/workflows/team%20a/wf-1',
    });
  });

  it('has no url without argo-ui-url and no duration while running', () => {
    const o = workflowOutcome(done('Running'), undefined);
    expect(o.url).toBeUndefined();
    expect(o.durationSeconds).toBeUndefined();
    expect(workflowOutcome(workflow('x'), undefined).outputs).toBe('[]');
  });

  it.each([
    ['Succeeded', 0, undefined],
    ['Running', 0, undefined],
    ['Failed', 1, 'ERR_ARGO_WORKFLOW_FAILED'],
    ['Error', 1, 'ERR_ARGO_WORKFLOW_FAILED'],
  ] as const)('%s -> exit %d', (phase, exit, code) => {
    const o = workflowOutcome(done(phase), undefined);
    expect(outcomeExitCode(o)).toBe(exit);
    expect(outcomeError(o)?.code).toBe(code);
  });

  it('names the failure message', () => {
    expect(outcomeError(workflowOutcome(done('Failed'), undefined))?.message).toBe(
      'Workflow "wf-1" ended Failed: child failed.',
    );
  });
});
