/**
 * The CLI bundle (dist/cli/index.js) under the Azure DevOps agent's contract, against the emulators and a real
 * cluster: TF_BUILD=True, SYSTEM_OIDCREQUESTURI -> the Azure DevOps OIDC emulator, SYSTEM_ACCESSTOKEN mapped in, the
 * service connection id, and the predefined BUILD_* / SYSTEM_* variables. The service connection's federated
 * credential trusts the emulated pipeline (issuer https://<emulator>/{orgGuid}, subject sc://ORG/PROJECT/CONNECTION),
 * Entra's v1 token is accepted by kube-apiserver (username = oid), and RBAC comes from `argo-entra rbac`.
 *
 * What the agent sees is asserted line by line: `##vso[task.setvariable ...;isOutput=true]` outputs, secrets
 * registered with `issecret=true`, `##[group]`, `##vso[task.logissue ...]`, the summary upload, and the exit code.
 * The agent shows neither `issecret=true` lines nor the values they register, so outside those lines no token may
 * appear at all.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { INPUTS } from '../../../src/settings/inputs.js';
import { runNode } from '../../harness/sandbox/github-runner.js';
import { REPO_ROOT, type Sandbox, startSandbox } from '../../harness/sandbox/world.js';

const LONG = 240_000;
const JWT = /eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}/g;

let sandbox: Sandbox;
let agentTemp: string;

beforeAll(async () => {
  sandbox = await startSandbox({ azureDevOps: true });
  agentTemp = mkdtempSync(path.join(tmpdir(), 'argo-entra-ado-agent-'));
}, LONG);

afterAll(async () => {
  await sandbox?.stop();
  if (agentTemp) rmSync(agentTemp, { recursive: true, force: true });
}, 60_000);

interface AgentRun {
  code: number;
  stdout: string;
  /** stdout + stderr */
  output: string;
  /** `##vso[task.setvariable variable=NAME;isOutput=true]VALUE` */
  outputs: Record<string, string>;
  /** values registered with issecret=true (unescaped) */
  secrets: string[];
  /** what the agent would display: every line except the issecret=true registrations */
  visible: string;
}

const unescape = (v: string): string =>
  v
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%AZP25/g, '%');

/** `script: node dist/cli/index.js ...` in a job that mapped SYSTEM_ACCESSTOKEN and names the service connection. */
async function runCli(args: string[], extraEnv: Record<string, string> = {}): Promise<AgentRun> {
  const ado = sandbox.azureDevOps;
  if (ado === undefined) throw new Error('sandbox started without the Azure DevOps emulator');
  const env = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? agentTemp,
    ...ado.env(),
    AGENT_TEMPDIRECTORY: agentTemp,
    AGENT_OS: 'Linux',
    BUILD_DEFINITIONNAME: 'platform-deploy-ci',
    SYSTEM_JOBATTEMPT: '1',
    ARGO_ENTRA_AZURE_DEVOPS_SERVICE_CONNECTION: ado.defaultServiceConnectionId,
    ...sandbox.cliEnv,
    ...sandbox.trustEnv,
    ...extraEnv,
  };
  const r = await runNode(path.join(sandbox.distDir, 'cli', 'index.js'), env, REPO_ROOT, args);
  const outputs: Record<string, string> = {};
  const secrets: string[] = [];
  const visible: string[] = [];
  for (const line of r.output.split('\n')) {
    const out = /^##vso\[task\.setvariable variable=([^;\]]+);isOutput=true\](.*)$/.exec(line);
    if (out) outputs[out[1] ?? ''] = unescape(out[2] ?? '');
    const secret = /^##vso\[task\.setvariable variable=[^;\]]+;issecret=true\](.*)$/.exec(line);
    if (secret) secrets.push(unescape(secret[1] ?? ''));
    else visible.push(line);
  }
  return { code: r.code, stdout: r.stdout, output: r.output, outputs, secrets, visible: visible.join('\n') };
}

/** No token outside the issecret=true registrations, and every JWT the run printed anywhere was registered. */
function expectNoTokenLeak(run: AgentRun): void {
  const ado = sandbox.azureDevOps!;
  expect(run.visible).not.toMatch(JWT);
  expect(run.visible).not.toContain(ado.accessToken);
  for (const jwt of run.output.match(JWT) ?? []) expect(run.secrets).toContain(jwt);
}

const claimsOf = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

describe('the CLI under the Azure DevOps agent contract, on the real cluster', () => {
  it(
    'submit --from workflowtemplate/hello -p seconds=1: ##vso outputs, secrets registered, groups, exit 0',
    async () => {
      const run = await runCli(['submit', '--from', 'workflowtemplate/hello', '-p', 'seconds=1', '--timeout', '2m']);
      expect({ code: run.code, output: run.code === 0 ? '' : run.output }).toEqual({ code: 0, output: '' });

      const name = run.outputs['workflow-name'];
      expect(name).toMatch(/^hello-[a-z0-9]{5}$/);
      expect(run.stdout).toMatch(
        new RegExp(`^##vso\\[task\\.setvariable variable=workflow-name;isOutput=true\\]${name}$`, 'm'),
      );
      expect(run.stdout).toMatch(/^##vso\[task\.setvariable variable=phase;isOutput=true\]Succeeded$/m);
      expect(run.outputs).toMatchObject({ namespace: sandbox.namespace, phase: 'Succeeded' });
      expect(run.outputs['workflow-uid']).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number(run.outputs['duration'])).toBeGreaterThanOrEqual(1);

      // log groups open and close in pairs
      const opened = run.stdout.match(/^##\[group\].+$/gm) ?? [];
      expect(opened.length).toBeGreaterThan(0);
      expect((run.stdout.match(/^##\[endgroup\]$/gm) ?? []).length).toBe(opened.length);

      // the pipeline's OIDC token, the Entra access token and System.AccessToken are registered as secrets
      const ado = sandbox.azureDevOps!;
      expect(run.stdout).toMatch(/^##vso\[task\.setvariable variable=[A-Za-z0-9_]+;issecret=true\]/m);
      const jwts = run.secrets.filter((s) => /^eyJ/.test(s)).map(claimsOf);
      expect(jwts.map((c) => c['iss'])).toEqual(
        expect.arrayContaining([ado.issuer, `https://sts.windows.net/${sandbox.identity.tenantId}/`]),
      );
      expect(run.secrets).toContain(ado.accessToken);
      expectNoTokenLeak(run);

      // the run summary was uploaded from Agent.TempDirectory and names the workflow
      const summary = /^##vso\[task\.uploadsummary\](.+)$/m.exec(run.stdout)?.[1];
      expect(summary).toBeDefined();
      expect(path.dirname(String(summary))).toBe(agentTemp);
      const markdown = readFileSync(String(summary), 'utf8');
      expect(markdown).toContain(String(name));
      expect(markdown).toContain(ado.subjectFor(ado.serviceConnections[0]!));
      expect(markdown).not.toMatch(JWT);

      // the real controller finished it, stamped with the pipeline that caused it
      const wf = JSON.parse(
        await sandbox.kubectl(['get', 'wf', String(name), '-n', sandbox.namespace, '-o', 'json']),
      ) as {
        status?: { phase?: string };
        metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
      };
      expect(wf.status?.phase).toBe('Succeeded');
      expect(wf.metadata.labels?.['argo-entra.io/run-id']).toBe('4711');
      expect(JSON.stringify(wf.metadata.annotations)).toContain('_build/results?buildId=4711');

      // nothing left behind in Agent.TempDirectory but the summary (kubeconfig and token cache removed)
      const left = readdirRecursive(agentTemp).filter((f) => !f.endsWith('.md'));
      expect(left).toEqual([]);
    },
    LONG,
  );

  it(
    'a KUBECONFIG handed to later steps (task.setvariable / kubeconfig output) still exists when the step ends',
    async () => {
      // Azure DevOps has no post step: the CLI removes its private dir at exit unless the command is `kubeconfig`.
      // A variable pointing later `kubectl` steps at a removed file would break them with a confusing error.
      const run = await runCli(['submit', '--from', 'workflowtemplate/hello', '-p', 'seconds=0']);
      expect(run.code).toBe(0);
      const exported = /^##vso\[task\.setvariable variable=KUBECONFIG\](.+)$/m.exec(run.stdout)?.[1];
      const handedOn = [exported, run.outputs['kubeconfig']].filter((p): p is string => p !== undefined && p !== '');
      expect(handedOn.filter((p) => !existsSync(p))).toEqual([]);

      const kc = await runCli(['kubeconfig']);
      expect(kc.code).toBe(0);
      const kept = /^##vso\[task\.setvariable variable=KUBECONFIG\](.+)$/m.exec(kc.stdout)?.[1];
      expect(kept !== undefined && existsSync(kept)).toBe(true);
      expectNoTokenLeak(kc);
    },
    LONG,
  );

  it(
    'a service connection the pipeline may not use: ERR_CI_TOKEN_REQUEST, exit 3, logissue with the code',
    async () => {
      const run = await runCli(['submit', '--from', 'workflowtemplate/hello'], {
        ARGO_ENTRA_AZURE_DEVOPS_SERVICE_CONNECTION: '00000000-0000-4000-8000-000000000000',
      });
      expect(run.code).toBe(3);
      expect(run.outputs['error-code']).toBe('ERR_CI_TOKEN_REQUEST');
      expect(run.outputs['workflow-name']).toBeUndefined();
      expect(run.stdout).toMatch(/^##vso\[task\.logissue type=error;code=ERR_CI_TOKEN_REQUEST\]/m);
      expectNoTokenLeak(run);
    },
    LONG,
  );

  it(
    'a namespace the RoleBinding does not cover: preflight stops with ERR_KUBE_FORBIDDEN, exit 4, nothing created',
    async () => {
      await sandbox.kubectl(['create', 'namespace', 'other']);
      const run = await runCli(['submit', '--from', 'workflowtemplate/hello', '-n', 'other']);
      expect(run.code).toBe(4);
      expect(run.outputs['error-code']).toBe('ERR_KUBE_FORBIDDEN');
      expect(run.stdout).toMatch(/^##vso\[task\.logissue type=error;code=ERR_KUBE_FORBIDDEN\]/m);
      expect(run.visible).toContain(sandbox.oid);
      expect(await sandbox.kubectl(['get', 'wf', '-n', 'other', '-o', 'name'])).toBe('');
      expectNoTokenLeak(run);
    },
    LONG,
  );

  it(
    'a workflow that ends Failed: phase=Failed output, ERR_ARGO_WORKFLOW_FAILED, exit 1',
    async () => {
      const manifest = JSON.stringify({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Workflow',
        metadata: { generateName: 'deadline-' },
        spec: { entrypoint: 'hold', activeDeadlineSeconds: 2, templates: [{ name: 'hold', suspend: {} }] },
      });
      const run = await runCli(['submit', '--workflow', manifest, '--timeout', '2m']);
      expect(run.code).toBe(1);
      expect(run.outputs['phase']).toBe('Failed');
      expect(run.outputs['error-code']).toBe('ERR_ARGO_WORKFLOW_FAILED');
      expect(run.outputs['workflow-name']).toMatch(/^deadline-/);
      expect(run.stdout).toMatch(/^##vso\[task\.logissue type=error;code=ERR_ARGO_WORKFLOW_FAILED\]/m);
      expectNoTokenLeak(run);
    },
    LONG,
  );
});

function readdirRecursive(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const p = path.join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...readdirRecursive(p));
    else out.push(p);
  }
  return out;
}

describe('examples/azure-devops/azure-pipelines.yml', () => {
  it('maps System.AccessToken and sets only variables the CLI reads, in every argo-entra step', () => {
    const known = new Set([
      'SYSTEM_ACCESSTOKEN',
      ...INPUTS.flatMap((i) => [`ARGO_ENTRA_${i.name.toUpperCase().replace(/-/g, '_')}`, ...(i.env ?? [])]),
    ]);
    const pipeline = parse(
      readFileSync(path.join(REPO_ROOT, 'examples/azure-devops/azure-pipelines.yml'), 'utf8'),
    ) as unknown;
    const steps: Array<{ script?: string; env?: Record<string, string> }> = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node !== null && typeof node === 'object') {
        const o = node as Record<string, unknown>;
        if (typeof o['script'] === 'string' && o['script'].includes('argo-entra'))
          steps.push(o as (typeof steps)[number]);
        Object.values(o).forEach(walk);
      }
    };
    walk(pipeline);
    expect(steps.length).toBeGreaterThanOrEqual(2);
    for (const step of steps) {
      const env = step.env ?? {};
      expect(env['SYSTEM_ACCESSTOKEN']).toBe('$(System.AccessToken)');
      expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
      for (const required of [
        'ARGO_ENTRA_AZURE_DEVOPS_SERVICE_CONNECTION',
        'AZURE_CLIENT_ID',
        'AZURE_TENANT_ID',
        'ARGO_ENTRA_SERVER',
      ]) {
        expect(env).toHaveProperty(required);
      }
    }
  });
});
