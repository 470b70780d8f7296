import { describe, expect, it } from '@jest/globals';
import { ArgoEntraError } from '../../../src/errors.js';
import { codeSpan, escapeTableCell } from '../../../src/report/markdown.js';
import { renderSummary, workflowUrl } from '../../../src/report/summary.js';
import { largeDag, NOW, stepsWorkflow } from './fixtures.js';
import { mermaidParse } from './mermaid-parse.js';

const identity = {
  ciIssuer: 'https://token.actions.githubusercontent.com',
  ciSubject: 'repo:octo/app:environment:prod',
  clientId: '11111111-1111-1111-1111-111111111111',
  objectId: '22222222-2222-2222-2222-222222222222',
  tenantId: '33333333-3333-3333-3333-333333333333',
  tokenExpiresOnMs: NOW + 3_540_000,
};

function mermaidBlock(md: string): string {
  return /```mermaid\n([\s\S]*?)```/.exec(md)?.[1] ?? '';
}

describe('renderSummary', () => {
  const md = renderSummary({
    operation: 'submit',
    identity,
    cluster: { server: 'https://aks.example.com:443', namespace: 'team-a' },
    workflow: stepsWorkflow(),
    argoUiUrl: 'https://argo.example.com/',
    nowMs: NOW,
  });

  it.each([
    ['identity subject', '`repo:octo/app:environment:prod`'],
    ['app id', identity.clientId],
    ['object id', identity.objectId],
    ['tenant', identity.tenantId],
    ['token expiry', '2026-11-29T11:09:00.000Z (in 59m 0s)'],
    ['cluster', '`https://aks.example.com:443`'],
    ['namespace', '`team-a`'],
    ['link', '(https://argo.example.com/workflows/team-a/ci-abc)'],
    ['phase', '❌ Failed'],
    ['duration', '1m 15s'],
    ['progress', '2/3'],
    [
      'node row with escaped pipe and newline',
      '| deploy | Pod | ❌ Failed | 38s | Error (exit code 1) line two \\| pipe |',
    ],
    ['escaped html in names', 'lint "strict" \\| &lt;fast&gt;'],
  ])('shows the %s', (_what, needle) => {
    expect(md).toContain(needle);
  });

  it('never carries a token-shaped value and has a parseable graph', async () => {
    expect(md).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    expect(md).not.toContain('[0]');
    await expect(mermaidParse(mermaidBlock(md))).resolves.toBeDefined();
  });

  it('every table row has exactly five cells', () => {
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Name') && !l.startsWith('| ---'));
    expect(rows.length).toBe(5);
    for (const row of rows) expect(row.replace(/\\\|/g, '').split('|').length - 2).toBe(5);
  });

  it('puts the error code and fix first when the run failed', () => {
    const failed = renderSummary({
      error: new ArgoEntraError('ERR_KUBE_FORBIDDEN', 'User "x" may not create workflows', { hint: 'Apply the Role' }),
      nowMs: NOW,
    });
    expect(failed).toContain('**ERR_KUBE_FORBIDDEN**');
    expect(failed).toContain('**Fix:** Apply the Role');
  });

  it('truncates a large workflow with notes and stays parseable', async () => {
    const big = renderSummary({ workflow: largeDag(1000), nowMs: NOW, argoUiUrl: 'https://argo' });
    expect(big).toContain('> Showing 200 of 1001 nodes (failed and running first)');
    expect(big).toContain('> The graph shows 200 of 1001 nodes.');
    // the one failed task survives row truncation
    expect(big).toContain('| task-999');
    await expect(mermaidParse(mermaidBlock(big))).resolves.toBeDefined();
  });

  it.each([[200_000], [60_000], [20_000], [3_000]])('fits maxBytes=%d', (maxBytes) => {
    const out = renderSummary({ workflow: largeDag(3000), identity, nowMs: NOW, maxBytes });
    expect(Buffer.byteLength(out, 'utf8')).toBeLessThanOrEqual(maxBytes);
    expect(out.startsWith('## argo-entra')).toBe(true);
  });

  it('defaults stay far below the 1 MiB GitHub limit for 5000 nodes', () => {
    const out = renderSummary({ workflow: largeDag(5000), identity, nowMs: NOW });
    expect(Buffer.byteLength(out, 'utf8')).toBeLessThan(512 * 1024);
  });

  it('notes offloaded nodes', () => {
    const wf = stepsWorkflow();
    const status = { ...wf.status, offloadNodeStatusVersion: 'abc' };
    delete status.nodes;
    const out = renderSummary({ workflow: { ...wf, status }, nowMs: NOW });
    expect(out).toContain('offloaded');
  });
});

describe('markdown helpers', () => {
  it.each([
    ['a|b', 'a\\|b'],
    ['x\ny', 'x y'],
    ['<img src=x>', '&lt;img src=x&gt;'],
    ['back\\slash', 'back\\\\slash'],
  ])('escapeTableCell(%j) = %j', (input, expected) => {
    expect(escapeTableCell(input)).toBe(expected);
  });
  it.each([
    ['plain', '`plain`'],
    ['a`b', '``a`b``'],
    ['`x', '`` `x ``'],
  ])('codeSpan(%j) = %j', (input, expected) => {
    expect(codeSpan(input)).toBe(expected);
  });
  it('workflowUrl encodes and trims', () => {
    expect(workflowUrl('https://a/b//', 'n s', 'w')).toBe('https://a/b/workflows/n%20s/w');
  });
});
