/**
 * The published package, as `npx argo-entra` / `npm i argo-entra` get it: `npm pack`, install the tarball offline
 * into an empty project (no runtime dependencies: the bundles are self-contained), and run its `argo-entra` bin.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../../..');
let dir: string;
let bin: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'argo-entra-pack-'));
  execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT, stdio: 'pipe' });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (tarball === undefined) throw new Error('npm pack produced no tarball');
  const project = path.join(dir, 'project');
  execFileSync('mkdir', ['-p', project]);
  writeFileSync(path.join(project, 'package.json'), '{"name":"consumer","version":"1.0.0","private":true}');
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--silent', path.join(dir, tarball)], {
    cwd: project,
    stdio: 'pipe',
  });
  bin = path.join(project, 'node_modules', '.bin', 'argo-entra');
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The bin runs with whatever `node` is first on PATH, as on a user's machine: put Node 24 there. */
function run(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(bin, args, {
    encoding: 'utf8',
    env: { PATH: `${path.dirname(process.execPath)}:${process.env['PATH'] ?? ''}`, HOME: dir },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the packed package', () => {
  it('installs as one package and its bin prints the commands', () => {
    const installed = readdirSync(path.join(dir, 'project', 'node_modules')).filter((d) => !d.startsWith('.'));
    expect(installed).toEqual(['argo-entra']);
    const help = run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('argo-entra <command> [flags]');
    expect(help.stdout).toContain('doctor');
  });

  it('runs a command end to end (rbac prints a Role for the principal)', () => {
    const r = run(['rbac', '--user', '11111111-2222-3333-4444-555555555555', '-n', 'team-a', '--operations', 'submit']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kind: RoleBinding');
    expect(r.stdout).toContain('name: 11111111-2222-3333-4444-555555555555');
  });

  it('reports bad input as a coded error with exit 2 and no stack trace', () => {
    const r = run(['submit', '-n', 'Team A']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\[ERR_SETTINGS_/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
