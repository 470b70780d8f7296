import { describe, expect, it } from '@jest/globals';
import { isValidLabelValue, sanitizeLabelValue } from '../../../src/argo/label-value.js';
import { auditStamp } from '../../../src/argo/stamp.js';
import { submissionKey } from '../../../src/argo/idempotency.js';
import type { RunContext } from '../../../src/settings/types.js';

const run: RunContext = {
  ci: 'github',
  repository: 'octo-org/octo-repo',
  runId: '1234567890',
  runAttempt: '2',
  sha: 'deadbeef',
  ref: 'refs/heads/main',
  actor: 'mona',
  workflowRef: 'octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main',
  runUrl: 'https://github.com/octo-org/octo-repo/actions/runs/1234567890/attempts/2',
  stepId: '__run_2',
  jobId: 'build',
};

describe('sanitizeLabelValue', () => {
  it.each([
    ['github', 'github'],
    ['octo-org/octo-repo', 'octo-org.octo-repo'],
    ['My Project/My Repo', 'My_Project.My_Repo'],
    ['-leading.and.trailing-', 'leading.and.trailing'],
    ['refs/heads/feature/x', 'refs.heads.feature.x'],
    ['', ''],
  ])('%p -> %p', (input, output) => {
    expect(sanitizeLabelValue(input)).toBe(output);
  });

  it.each(['a'.repeat(64), `${'a'.repeat(62)}/x`, 'ü'.repeat(10), '///', 'org/' + 'r'.repeat(100), 'x_'.repeat(40)])(
    'always yields a valid label value for %p',
    (input) => {
      const out = sanitizeLabelValue(input);
      expect(isValidLabelValue(out)).toBe(true);
      expect(out.length).toBeGreaterThan(0);
    },
  );

  it('hash-truncates long values so values sharing a 63-char prefix stay distinct', () => {
    const a = sanitizeLabelValue(`${'p'.repeat(70)}a`);
    const b = sanitizeLabelValue(`${'p'.repeat(70)}b`);
    expect(a).toHaveLength(63);
    expect(a).not.toBe(b);
    expect(a.startsWith('p'.repeat(52))).toBe(true);
  });

  it('keeps a value that is already valid, even at 63 chars', () => {
    expect(sanitizeLabelValue('a'.repeat(63))).toBe('a'.repeat(63));
  });
});

describe('auditStamp', () => {
  it('labels for selecting, annotations with the exact values', () => {
    const stamp = auditStamp(
      run,
      { ciSubject: 'repo:octo-org/octo-repo:ref:refs/heads/main', oid: 'oid-1', appid: 'app-1', tid: 'tid-1' },
      'team-a',
    );
    expect(stamp.labels).toEqual({
      'argo-entra.io/ci': 'github',
      'argo-entra.io/repository': 'octo-org.octo-repo',
      'argo-entra.io/run-id': '1234567890',
      'argo-entra.io/submission': submissionKey(run, 'team-a'),
    });
    expect(stamp.annotations).toEqual({
      'argo-entra.io/repository': 'octo-org/octo-repo',
      'argo-entra.io/run-id': '1234567890',
      'argo-entra.io/run-attempt': '2',
      'argo-entra.io/job-id': 'build',
      'argo-entra.io/step-id': '__run_2',
      'argo-entra.io/sha': 'deadbeef',
      'argo-entra.io/ref': 'refs/heads/main',
      'argo-entra.io/actor': 'mona',
      'argo-entra.io/workflow-ref': run.workflowRef,
      'argo-entra.io/run-url': run.runUrl,
      'argo-entra.io/ci-subject': 'repo:octo-org/octo-repo:ref:refs/heads/main',
      'argo-entra.io/entra-oid': 'oid-1',
      'argo-entra.io/entra-appid': 'app-1',
      'argo-entra.io/entra-tid': 'tid-1',
    });
    for (const v of Object.values(stamp.labels)) expect(isValidLabelValue(v)).toBe(true);
  });

  it('a local run has no run id, so no idempotency key', () => {
    const local: RunContext = { ...run, ci: 'local', runId: undefined, repository: undefined, runAttempt: undefined };
    const stamp = auditStamp(local, {}, 'ns');
    expect(stamp.labels).toEqual({ 'argo-entra.io/ci': 'local' });
    expect(stamp.submissionKey).toBeUndefined();
  });
});

describe('submissionKey', () => {
  const base = submissionKey(run, 'ns');
  it('is a valid label value and stable', () => {
    expect(base).toMatch(/^[0-9a-f]{40}$/);
    expect(submissionKey({ ...run }, 'ns')).toBe(base);
  });

  it.each([
    ['a new attempt', { runAttempt: '3' }, 'ns'],
    ['another step', { stepId: 'other' }, 'ns'],
    ['another job', { jobId: 'test' }, 'ns'],
    ['another run', { runId: '1' }, 'ns'],
    ['another repository', { repository: 'o/r2' }, 'ns'],
    ['another CI', { ci: 'gitlab' as const }, 'ns'],
    ['another namespace', {}, 'other'],
  ])('changes with %s', (_l, patch, ns) => {
    expect(submissionKey({ ...run, ...patch }, ns)).not.toBe(base);
  });

  it('keeps field boundaries (no concatenation collisions)', () => {
    expect(submissionKey({ ...run, jobId: 'ab', stepId: 'c' }, 'ns')).not.toBe(
      submissionKey({ ...run, jobId: 'a', stepId: 'bc' }, 'ns'),
    );
  });
});
