import { describe, expect, it } from '@jest/globals';
import { escapeMermaidLabel, renderWorkflowMermaid } from '../../../src/report/mermaid.js';
import { largeDag, NOW, node, stepsWorkflow, workflow } from './fixtures.js';
import { mermaidParse } from './mermaid-parse.js';

describe('renderWorkflowMermaid', () => {
  it('elides StepGroups, keeps step -> step edges, and colours by phase', async () => {
    const result = renderWorkflowMermaid(stepsWorkflow(), { nowMs: NOW });
    expect(result).toBeDefined();
    const text = result?.text ?? '';
    expect(text.startsWith('flowchart TD\n')).toBe(true);
    expect(text).not.toContain('[0]');
    expect(text).not.toContain('[1]');
    // root n0 -> build, lint; build -> deploy; lint -> deploy
    const ids = Object.fromEntries(
      [...text.matchAll(/^\s+(n\d+)\W+"([^"]*)"/gm)].map((m) => [m[2]?.split(' · ')[0], m[1]]),
    );
    const build = ids['build'];
    const deploy = ids['deploy'];
    expect(text).toContain(`${ids['ci-abc']} --> ${build}`);
    expect(text).toContain(`${build} --> ${deploy}`);
    expect(text).toMatch(new RegExp(`class [n\\d,]*${deploy}[n\\d,]* failed`));
    expect(text).toContain('classDef failed');
    expect(result?.truncated).toBe(false);
    expect(result?.total).toBe(5);
    await expect(mermaidParse(text)).resolves.toBeDefined();
  });

  it('escapes hostile labels so the text still parses', async () => {
    const nasty = [
      'end',
      'a"b',
      'x --> y',
      '<script>',
      '#quot;',
      '`md`',
      'style',
      'graph TD',
      'a;b',
      'o',
      'x',
      'click',
      '%%',
      '[0]',
      '((',
      '|pipe|',
    ];
    const nodes = [node('root', 'DAG', 'Succeeded', { children: nasty.map((_, i) => `t${i}`) })];
    nasty.forEach((label, i) => nodes.push(node(`t${i}`, 'Pod', 'Succeeded', { displayName: label })));
    const result = renderWorkflowMermaid(workflow('root', nodes), { nowMs: NOW });
    await expect(mermaidParse(result?.text ?? '')).resolves.toBeDefined();
    expect(result?.text).not.toContain('<script>');
  });

  it('truncates large graphs with a note node and still parses', async () => {
    const result = renderWorkflowMermaid(largeDag(450), { nowMs: NOW, maxNodes: 200 });
    expect(result?.truncated).toBe(true);
    expect(result?.shown).toBe(200);
    expect(result?.total).toBe(451);
    expect(result?.text).toContain('251 more nodes not shown');
    await expect(mermaidParse(result?.text ?? '')).resolves.toBeDefined();
  });

  it.each([
    [
      'phase Pending and Omitted/Skipped get their own classes',
      ['Pending', 'Omitted', 'Skipped', 'Error', 'Running'] as const,
    ],
  ])('%s', async (_name, phases) => {
    const nodes = [node('r', 'DAG', 'Running', { children: phases.map((p) => p) })];
    for (const p of phases) nodes.push(node(p, 'Pod', p));
    const text = renderWorkflowMermaid(workflow('r', nodes), { nowMs: NOW })?.text ?? '';
    for (const cls of ['pending', 'omitted', 'skipped', 'error', 'running'])
      expect(text).toMatch(new RegExp(`class [n\\d,]+ ${cls}$`, 'm'));
    await expect(mermaidParse(text)).resolves.toBeDefined();
  });

  it('returns undefined without nodes and survives cycles and dangling children', async () => {
    expect(renderWorkflowMermaid(workflow('none', []))).toBeUndefined();
    const cyclic = workflow('c', [
      node('c', 'DAG', 'Running', { children: ['a', 'missing'] }),
      node('a', 'Pod', 'Running', { children: ['g'] }),
      node('g', 'TaskGroup', 'Running', { children: ['b'] }),
      node('b', 'Pod', 'Running', { children: ['g2'] }),
      node('g2', 'TaskGroup', 'Running', { children: ['g'] }),
    ]);
    const text = renderWorkflowMermaid(cyclic, { nowMs: NOW })?.text ?? '';
    expect(text).toContain('-->');
    await expect(mermaidParse(text)).resolves.toBeDefined();
  });

  it('rejects what it must: the parser is a real check', async () => {
    await expect(mermaidParse('flowchart TD\n  a["x --> b')).rejects.toThrow();
  });
});

describe('escapeMermaidLabel', () => {
  it.each([
    ['a"b', 'a#quot;b'],
    ['#1', '#35;1'],
    ['<b>&', '#lt;b#gt;#amp;'],
    ['line\nbreak', 'line break'],
    ['`x`', '#96;x#96;'],
  ])('%j -> %j', (input, expected) => {
    expect(escapeMermaidLabel(input)).toBe(expected);
  });
  it('shortens long labels', () => {
    expect(escapeMermaidLabel('y'.repeat(100)).length).toBeLessThanOrEqual(60);
  });
});
