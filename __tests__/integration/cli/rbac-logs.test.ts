/**
 * `argo-entra rbac --logs` (dist/cli): the printed Role adds pods and pods/log get, which the logs of failed steps
 * need; without the flag they are left out (preflight never requires them).
 */
import { describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { runBundle } from '../../helpers/run-bundle.js';

const USER = '11111111-2222-3333-4444-555555555555';

async function roleRules(
  extra: string[],
): Promise<Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>> {
  const r = await runBundle('cli', { args: ['rbac', '--user', USER, '-n', 'team-a', ...extra], host: 'bare' });
  expect(r.code).toBe(0);
  const role = parseAllDocuments(r.stdout)
    .map(
      (d) =>
        d.toJSON() as { kind: string; rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }> },
    )
    .find((d) => d.kind === 'Role');
  return role?.rules ?? [];
}

describe('argo-entra rbac --logs', () => {
  it('adds pods and pods/log get; without --logs neither is granted', async () => {
    const core = (rules: Awaited<ReturnType<typeof roleRules>>): string[] =>
      rules
        .filter((r) => r.apiGroups.includes(''))
        .flatMap((r) => r.resources.map((res) => `${r.verbs.join(',')} ${res}`));
    expect(core(await roleRules(['--logs'])).sort()).toEqual(['get pods', 'get pods/log']);
    expect(core(await roleRules([]))).toEqual([]);
  });

  it('the help names the flag', async () => {
    const r = await runBundle('cli', { args: ['rbac', '--help'], host: 'bare' });
    expect(r.stdout).toContain('--logs');
  });
});
