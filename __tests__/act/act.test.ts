/**
 * The sample workflow examples/github/argo.yml run by act (github.com/nektos/act, built from its Go module by
 * `npm run harness:build`) in host mode (`-P ubuntu-latest=-self-hosted`) against the sandbox: the GitHub OIDC and
 * Entra emulators and a real cluster trusting them. act plays the runner: `uses: ./` reads action.yml, runs
 * dist/main with INPUT_* and file commands, later `run:` steps get the exported KUBECONFIG, and the post step
 * (dist/post) removes it. The job's OIDC request variables point at the GitHub OIDC emulator, as a job with
 * `permissions: id-token: write` would get them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { actBinary } from '../harness/sandbox/act.js';
import { REPO_ROOT, type Sandbox, startSandbox } from '../harness/sandbox/world.js';

const LONG = 240_000;
const WORKFLOW = 'examples/github/argo.yml';
const JWT = /eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}/;

let sandbox: Sandbox;
let actPath: string;
let home: string;

beforeAll(async () => {
  const act = actBinary();
  if (act.path === undefined) throw new Error(act.problem);
  actPath = act.path;
  home = mkdtempSync(path.join(tmpdir(), 'argo-entra-act-home-'));
  sandbox = await startSandbox();
}, LONG);

afterAll(async () => {
  await sandbox?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
}, 60_000);

interface ActRun {
  code: number;
  output: string;
}

/** act with a clean environment (nothing of this process's CI leaks into the job), in host mode. */
function runAct(opts: { oidc: boolean }): Promise<ActRun> {
  const { github } = sandbox.identity;
  const i = sandbox.actionInputs;
  const vars = {
    AZURE_CLIENT_ID: i['client-id'],
    AZURE_TENANT_ID: i['tenant-id'],
    AZURE_AUTHORITY_HOST: i['authority-host'],
    ARGO_SERVER: i['server'],
    ARGO_CA_DATA: i['certificate-authority-data'],
    ARGO_NAMESPACE: sandbox.namespace,
  };
  // act's `--env NAME` (without =VALUE) sets NAME to "" rather than copying it from the environment: pass values.
  const envs: Record<string, string> = {
    ...sandbox.trustEnv,
    ...(opts.oidc
      ? { ACTIONS_ID_TOKEN_REQUEST_URL: github.requestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: github.requestToken }
      : {}),
  };
  const args = [
    'workflow_dispatch',
    '-P',
    'ubuntu-latest=-self-hosted',
    '-W',
    WORKFLOW,
    ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}=${v ?? ''}`]),
    ...Object.entries(envs).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
  ];
  const env = {
    // node (the runner's, for `using: node24`) and kubectl (for the workflow's `run: kubectl ...` step)
    PATH: [
      path.dirname(process.execPath),
      path.dirname(sandbox.cluster.binaries.kubectl),
      '/usr/local/bin',
      '/usr/bin',
      '/bin',
    ].join(':'),
    HOME: home,
    ACT_DISABLE_VERSION_CHECK: '1',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(actPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.stderr.on('data', (b: Buffer) => chunks.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

function outputOf(run: ActRun, name: string): string | undefined {
  return new RegExp(`::set-output:: ${name}=(.*)$`, 'm').exec(run.output)?.[1]?.trim();
}

describe('act runs examples/github/argo.yml in host mode against the sandbox', () => {
  it(
    'submits from the template, waits to Succeeded, later steps use the kubeconfig, post removes it',
    async () => {
      const run = await runAct({ oidc: true });
      const why = `act exited ${run.code}:\n${run.output}`;
      expect({ code: run.code, why: run.code === 0 ? '' : why }).toEqual({ code: 0, why: '' });
      expect(run.output).toContain('Job succeeded');

      const name = outputOf(run, 'workflow-name');
      expect(name).toMatch(/^hello-[a-z0-9]{5}$/);
      expect(outputOf(run, 'phase')).toBe('Succeeded');
      expect(outputOf(run, 'namespace')).toBe(sandbox.namespace);
      // the Report step read the step outputs
      expect(run.output).toContain(`workflow=${name}`);
      expect(run.output).toContain('phase=Succeeded');

      // the real controller finished it, and it carries the audit stamp
      const wf = JSON.parse(
        await sandbox.kubectl(['get', 'wf', String(name), '-n', sandbox.namespace, '-o', 'json']),
      ) as {
        status?: { phase?: string };
        metadata: { labels?: Record<string, string> };
        spec: { arguments?: { parameters?: Array<{ name: string; value?: string }> } };
      };
      expect(wf.status?.phase).toBe('Succeeded');
      expect(wf.metadata.labels?.['workflows.argoproj.io/workflow-template']).toBe('hello');
      expect(wf.metadata.labels?.['argo-entra.io/run-id']).toBeDefined();
      expect(wf.spec.arguments?.parameters).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'seconds', value: '1' })]),
      );

      // a later `run: kubectl get workflows` step listed it through the exec kubeconfig (credential plugin)
      expect(run.output).toMatch(new RegExp(`\\|\\s+${name}\\s+Succeeded`));
      expect(run.output).toContain('Success - Main kubectl with the exported kubeconfig');

      // the post step ran and the kubeconfig is gone
      const kubeconfig = outputOf(run, 'kubeconfig');
      expect(kubeconfig).toBeDefined();
      expect(run.output).toContain('Removed the ephemeral kubeconfig and token cache.');
      expect(existsSync(String(kubeconfig))).toBe(false);

      // the job summary was written; no token reached the log
      expect(run.output).toContain(`argo-entra submit \`${name}\``);
      expect(run.output).not.toMatch(JWT);
      expect(run.output).not.toContain(sandbox.identity.github.requestToken);
    },
    LONG,
  );

  it(
    'without the OIDC request variables (no id-token: write) the step fails with ERR_CI_TOKEN_NOT_FOUND, exit 3',
    async () => {
      const run = await runAct({ oidc: false });
      expect(run.code).not.toBe(0);
      expect(outputOf(run, 'error-code')).toBe('ERR_CI_TOKEN_NOT_FOUND');
      expect(run.output).toContain('exit status 3');
      expect(run.output).toContain('id-token: write');
      expect(run.output).toContain('Job failed');
    },
    LONG,
  );
});

describe('examples/github/argo.yml', () => {
  it('asks for id-token: write and passes only inputs that action.yml declares', () => {
    const action = parse(readFileSync(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    const wf = parse(readFileSync(path.join(REPO_ROOT, WORKFLOW), 'utf8')) as {
      permissions?: Record<string, string>;
      jobs: Record<
        string,
        { permissions?: Record<string, string>; steps: Array<{ uses?: string; with?: Record<string, string> }> }
      >;
    };
    for (const job of Object.values(wf.jobs)) {
      expect({ ...wf.permissions, ...job.permissions }['id-token']).toBe('write');
      const ours = job.steps.filter((s) => s.uses === './');
      expect(ours.length).toBeGreaterThan(0);
      for (const step of ours) expect(Object.keys(step.with ?? {}).filter((k) => !(k in action.inputs))).toEqual([]);
      // nothing that needs the network under act: only the local checkout (act copies the working tree) and ./
      expect(
        job.steps.filter((s) => s.uses !== undefined && s.uses !== './' && !s.uses.startsWith('actions/checkout@')),
      ).toEqual([]);
    }
  });
});
