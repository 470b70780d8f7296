/**
 * dist/cli under the other CI systems, against the emulators: Azure DevOps (##vso logging commands, System.AccessToken,
 * service connection), GitLab (an id_tokens variable minted by a generic OIDC issuer), and a workload-identity token
 * file. `kubeconfig --preflight false` needs no cluster. Each path also runs the credential plugin the kubeconfig
 * names, the way kubectl would in a later step, through a refresh.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AzureDevOpsOidcEmulator } from '../../harness/emulators/azure-devops.js';
import { OidcIssuerEmulator } from '../../harness/emulators/oidc-issuer.js';
import { startIdentityWorld, type IdentityWorld } from '../../harness/emulators/world.js';
import { execBlockOf, readKubeconfig, runExecPlugin, type PluginRun } from '../../helpers/kubeconfig.js';
import { bundlePath, freshDir, runBundle, stackTraceLines, type BundleRun } from '../../helpers/run-bundle.js';
import { emulatorSecrets, expectNoSecrets } from '../../helpers/secret-scan.js';

const AUD = 'api://AzureADTokenExchange';
const SERVER = 'https://k8s.example.test:6443';

let world: IdentityWorld;
let ado: AzureDevOpsOidcEmulator;
let gitlab: OidcIssuerEmulator;
let k8sIssuer: OidcIssuerEmulator;
const runs: BundleRun[] = [];
const pluginRuns: PluginRun[] = [];

beforeAll(async () => {
  world = await startIdentityWorld();
  ado = await new AzureDevOpsOidcEmulator({ pki: world.pki }).start();
  gitlab = await new OidcIssuerEmulator({ pki: world.pki }).start();
  k8sIssuer = await new OidcIssuerEmulator({ pki: world.pki }).start();
});
afterAll(async () => {
  expectNoSecrets(
    [...runs, ...pluginRuns.map((r) => ({ entry: 'credential', stdout: '', stderr: r.stderr }))],
    emulatorSecrets(world.entra, world.github, ado, gitlab, k8sIssuer),
  );
  await Promise.all([world?.stop(), ado?.stop(), gitlab?.stop(), k8sIssuer?.stop()]);
});

function clusterFlags(): string[] {
  return [
    '--authority-host',
    world.entra.authorityHost,
    '--server',
    SERVER,
    '--certificate-authority-data',
    Buffer.from(world.pki.caPem).toString('base64'),
    '-n',
    'team-a',
    '--preflight',
    'false',
  ];
}

async function cli(args: string[], env: Record<string, string>): Promise<BundleRun> {
  const run = await runBundle('cli', { args, env, caPath: world.pki.caPath, host: 'bare' });
  runs.push(run);
  return run;
}

function expireCache(cachePath: string): void {
  const entry = JSON.parse(readFileSync(cachePath, 'utf8')) as { token: string };
  writeFileSync(cachePath, JSON.stringify({ token: entry.token, expiresOnMs: Date.now() - 1000 }), { mode: 0o600 });
}

function flagValue(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
}

describe('Azure DevOps (TF_BUILD=True, SYSTEM_OIDCREQUESTURI, SYSTEM_ACCESSTOKEN, service connection)', () => {
  let env: Record<string, string>;
  let clientId: string;
  beforeAll(() => {
    const connection = ado.serviceConnections[0];
    if (!connection) throw new Error('no service connection');
    clientId = world.entra.addApp(world.tenantId, {
      federatedCredentials: [{ issuer: ado.issuer, subject: ado.subjectFor(connection), audiences: [AUD] }],
    }).clientId;
    env = {
      ...ado.env(),
      AGENT_TEMPDIRECTORY: freshDir('argo-entra-agent-temp-'),
      AZURE_CLIENT_ID: clientId,
      AZURE_TENANT_ID: world.tenantId,
      ARGO_ENTRA_AZURE_DEVOPS_SERVICE_CONNECTION: connection.id,
    };
  });

  it('kubeconfig: outputs as isOutput=true variables, KUBECONFIG set, every token registered issecret=true', async () => {
    const before = ado.tokenRequests.length;
    const run = await cli(['kubeconfig', ...clusterFlags()], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(ado.tokenRequests.length - before).toBe(1);
    const request = ado.tokenRequests.at(-1);
    expect(request?.method).toBe('POST');
    expect(request?.query).toMatchObject({
      'api-version': '7.1',
      serviceConnectionId: env['ARGO_ENTRA_AZURE_DEVOPS_SERVICE_CONNECTION'],
    });

    const lines = run.stdout.split('\n');
    const output = lines.find((l) => l.startsWith('##vso[task.setvariable variable=kubeconfig;isOutput=true]'));
    expect(output).toBeDefined();
    const file = (output ?? '').slice('##vso[task.setvariable variable=kubeconfig;isOutput=true]'.length);
    expect(file.startsWith(env['AGENT_TEMPDIRECTORY'] + path.sep)).toBe(true);
    expect(lines).toContain(`##vso[task.setvariable variable=KUBECONFIG]${file}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);

    const secrets = lines
      .map((l) => /^##vso\[task\.setvariable variable=([A-Z0-9_]+);issecret=true\](.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => m[2]);
    expect(secrets).toContain(ado.accessToken);
    expect(secrets).toContain(ado.issuerCore.minted.at(-1));
    expect(secrets).toContain(world.entra.issued.at(-1));
    // a secret is registered before any line that could carry it
    expect(lines.findIndex((l) => l.includes('issecret=true'))).toBeLessThan(
      lines.findIndex((l) => l.includes('isOutput=true')),
    );

    const exec = execBlockOf(readKubeconfig(file));
    expect(exec.args[0]).toBe(bundlePath('credential'));
    expect(flagValue(exec.args, '--ci')).toBe('azure-devops');
    expect(flagValue(exec.args, '--service-connection-id')).toBe(env['ARGO_ENTRA_AZURE_DEVOPS_SERVICE_CONNECTION']);
    expect(readFileSync(file, 'utf8')).not.toContain(ado.accessToken);

    // a later step's kubectl, with System.AccessToken mapped, refreshes through Azure DevOps
    const cachePath = flagValue(exec.args, '--cache') ?? '';
    expireCache(cachePath);
    const plugin = await runExecPlugin(exec, {
      SYSTEM_OIDCREQUESTURI: ado.oidcRequestUri,
      SYSTEM_ACCESSTOKEN: ado.accessToken,
      NODE_EXTRA_CA_CERTS: world.pki.caPath,
    });
    pluginRuns.push(plugin);
    expect(plugin.stderr).toBe('');
    expect(plugin.code).toBe(0);
    expect(world.entra.issued).toContain(plugin.credential?.status.token);
    expect(ado.tokenRequests.length - before).toBe(2);
  }, 60_000);

  it('SYSTEM_ACCESSTOKEN not mapped: task.logissue error with the code, exit 3, the fix names the mapping', async () => {
    const { SYSTEM_ACCESSTOKEN: _dropped, ...rest } = env;
    const run = await cli(['kubeconfig', ...clusterFlags()], rest);
    expect(run.code).toBe(3);
    const issue = run.stdout
      .split('\n')
      .find((l) => l.startsWith('##vso[task.logissue type=error;code=ERR_CI_TOKEN_NOT_FOUND]'));
    expect(issue).toBeDefined();
    expect(issue).toContain('SYSTEM_ACCESSTOKEN: $(System.AccessToken)');
    expect(run.stdout).toContain('##vso[task.setvariable variable=error-code;isOutput=true]ERR_CI_TOKEN_NOT_FOUND');
    expect(stackTraceLines(run.stdout + run.stderr)).toEqual([]);
  }, 60_000);

  it('subject mismatch (connection renamed): exit 3, ERR_ENTRA_SUBJECT_MISMATCH names the sc:// subject', async () => {
    const stranger = world.entra.addApp(world.tenantId, {
      federatedCredentials: [
        { issuer: ado.issuer, subject: `sc://${ado.organization}/${ado.project}/renamed`, audiences: [AUD] },
      ],
    });
    const run = await cli(['kubeconfig', ...clusterFlags()], { ...env, AZURE_CLIENT_ID: stranger.clientId });
    expect(run.code).toBe(3);
    const issue = run.stdout
      .split('\n')
      .find((l) => l.startsWith('##vso[task.logissue type=error;code=ERR_ENTRA_SUBJECT_MISMATCH]'));
    expect(issue).toContain(`sc://${ado.organization}/${ado.project}/aks-prod`);
    expect(stackTraceLines(run.stdout + run.stderr)).toEqual([]);
  }, 60_000);
});

describe('GitLab (id_tokens variable, issuer = the instance)', () => {
  const SUB = 'project_path:platform/deploy:ref_type:branch:ref:main';
  let env: Record<string, string>;
  beforeAll(async () => {
    const clientId = world.entra.addApp(world.tenantId, {
      federatedCredentials: [{ issuer: gitlab.issuer, subject: SUB, audiences: [AUD] }],
    }).clientId;
    const idToken = await gitlab.mint({
      sub: SUB,
      aud: AUD,
      namespace_path: 'platform',
      project_path: 'platform/deploy',
      ref: 'main',
      ref_type: 'branch',
      pipeline_id: '881',
    });
    env = {
      GITLAB_CI: 'true',
      CI: 'true',
      CI_PROJECT_PATH: 'platform/deploy',
      CI_PIPELINE_ID: '881',
      CI_JOB_ID: '9001',
      CI_JOB_NAME: 'deploy',
      CI_COMMIT_SHA: 'c'.repeat(40),
      CI_COMMIT_REF_NAME: 'main',
      ARGO_ENTRA_ID_TOKEN: idToken,
      AZURE_CLIENT_ID: clientId,
      AZURE_TENANT_ID: world.tenantId,
      TMPDIR: freshDir('argo-entra-gitlab-tmp-'),
    };
  });

  it('kubeconfig: prints the output and an eval-able export; the exec user reads the id_tokens variable', async () => {
    const run = await cli(['kubeconfig', ...clusterFlags()], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const file = /^kubeconfig=(.+)$/m.exec(run.stdout)?.[1] ?? '';
    expect(file.startsWith(env['TMPDIR'] + path.sep)).toBe(true);
    expect(run.stdout).toContain(`export KUBECONFIG='${file}'`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(world.entra.tokenRequests.at(-1)?.body).toContain(
      encodeURIComponent(env['ARGO_ENTRA_ID_TOKEN'] ?? '').slice(0, 40),
    );

    const exec = execBlockOf(readKubeconfig(file));
    expect(flagValue(exec.args, '--ci')).toBe('gitlab');
    expect(flagValue(exec.args, '--token-env')).toBe('ARGO_ENTRA_ID_TOKEN');
    expect(readFileSync(file, 'utf8')).not.toContain(env['ARGO_ENTRA_ID_TOKEN']);

    expireCache(flagValue(exec.args, '--cache') ?? '');
    const plugin = await runExecPlugin(exec, {
      ARGO_ENTRA_ID_TOKEN: env['ARGO_ENTRA_ID_TOKEN'] ?? '',
      NODE_EXTRA_CA_CERTS: world.pki.caPath,
    });
    pluginRuns.push(plugin);
    expect(plugin.stderr).toBe('');
    expect(world.entra.issued).toContain(plugin.credential?.status.token);
  }, 60_000);

  it('--json: one JSON document on stdout with the kubeconfig output, human lines on stderr, no token', async () => {
    const run = await cli(['kubeconfig', '--json', ...clusterFlags()], env);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as {
      ok: boolean;
      exitCode: number;
      outputs: Record<string, string>;
      variables: Record<string, string>;
    };
    expect(doc.ok).toBe(true);
    expect(doc.exitCode).toBe(0);
    expect(doc.outputs['kubeconfig']).toMatch(/kubeconfig$/);
    expect(doc.variables['KUBECONFIG']).toBe(doc.outputs['kubeconfig']);
  }, 60_000);

  it('GITLAB_CI without the id_tokens variable: exit 3 ERR_CI_TOKEN_NOT_FOUND with the id_tokens YAML', async () => {
    const { ARGO_ENTRA_ID_TOKEN: _dropped, ...rest } = env;
    const run = await cli(['kubeconfig', ...clusterFlags()], rest);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error: \[ERR_CI_TOKEN_NOT_FOUND\]/m);
    expect(run.stderr).toContain('id_tokens:\n    ARGO_ENTRA_ID_TOKEN:\n      aud: api://AzureADTokenExchange');
    expect(stackTraceLines(run.stdout + run.stderr)).toEqual([]);
  }, 60_000);
});

describe('workload identity token file (AZURE_FEDERATED_TOKEN_FILE)', () => {
  it('kubeconfig from the projected token; the plugin re-reads the file on refresh (rotated token)', async () => {
    const clientId = world.entra.addApp(world.tenantId, {
      federatedCredentials: [
        { issuer: k8sIssuer.issuer, subject: 'system:serviceaccount:ci:runner', audiences: [AUD] },
      ],
    }).clientId;
    const dir = freshDir('argo-entra-wi-');
    const tokenFile = path.join(dir, 'azure-identity-token');
    writeFileSync(tokenFile, await k8sIssuer.mintServiceAccountToken('ci', 'runner'));
    const env = {
      AZURE_FEDERATED_TOKEN_FILE: tokenFile,
      AZURE_CLIENT_ID: clientId,
      AZURE_TENANT_ID: world.tenantId,
      TMPDIR: dir,
    };
    const run = await cli(['kubeconfig', ...clusterFlags()], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const file = /^kubeconfig=(.+)$/m.exec(run.stdout)?.[1] ?? '';
    const exec = execBlockOf(readKubeconfig(file));
    expect(flagValue(exec.args, '--ci')).toBe('token-file');
    expect(flagValue(exec.args, '--token-file')).toBe(tokenFile);

    // the kubelet rotates the token in place; the next refresh must present the new one
    const rotated = await k8sIssuer.mintServiceAccountToken('ci', 'runner');
    writeFileSync(tokenFile, rotated);
    expireCache(flagValue(exec.args, '--cache') ?? '');
    const plugin = await runExecPlugin(exec, { NODE_EXTRA_CA_CERTS: world.pki.caPath });
    pluginRuns.push(plugin);
    expect(plugin.stderr).toBe('');
    expect(plugin.code).toBe(0);
    const assertion = new URLSearchParams(world.entra.tokenRequests.at(-1)?.body ?? '').get('client_assertion');
    expect(assertion).toBe(rotated);
    expect(world.entra.issued).toContain(plugin.credential?.status.token);
  }, 60_000);

  it('token file missing: exit 3 ERR_CI_TOKEN_FILE naming the path', async () => {
    const missing = path.join(freshDir('argo-entra-wi-'), 'nope', randomUUID());
    const run = await cli(['kubeconfig', ...clusterFlags()], {
      AZURE_FEDERATED_TOKEN_FILE: missing,
      AZURE_CLIENT_ID: randomUUID(),
      AZURE_TENANT_ID: world.tenantId,
      TMPDIR: freshDir('argo-entra-wi-'),
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^error: \[ERR_CI_TOKEN_FILE\]/m);
    expect(run.stderr).toContain(missing);
    expect(stackTraceLines(run.stdout + run.stderr)).toEqual([]);
  }, 60_000);
});
