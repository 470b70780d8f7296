import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ArgoEntraError, type ErrorCode } from '../../../src/errors.js';
import { INPUTS, OUTPUTS } from '../../../src/settings/inputs.js';
import { parseSettings } from '../../../src/settings/parse.js';
import { rawFromActionEnv, rawFromCli, type Env } from '../../../src/settings/raw.js';

const CLIENT = '11111111-2222-3333-4444-555555555555';
const TENANT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
const GITHUB_ENV: Env = {
  GITHUB_ACTIONS: 'true',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://pipelines.example/token?api-version=2.0',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token-secret',
  GITHUB_REPOSITORY: 'octo/repo',
  GITHUB_RUN_ID: '42',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_SERVER_URL: 'https://github.com',
  RUNNER_TEMP: '/runner/temp',
};
const BASE: Record<string, string> = {
  'client-id': CLIENT,
  'tenant-id': TENANT,
  server: 'https://cluster.example:443',
  namespace: 'team-a',
  'workflow-template': 'hello',
};

function actionEnv(inputs: Record<string, string | undefined>, env: Env = GITHUB_ENV): Env {
  const all: Record<string, string | undefined> = { ...env };
  for (const [k, v] of Object.entries({ ...BASE, ...inputs })) all[`INPUT_${k.toUpperCase()}`] = v;
  return all;
}

function parseAction(inputs: Record<string, string | undefined>, env: Env = GITHUB_ENV) {
  const full = actionEnv(inputs, env);
  return parseSettings(rawFromActionEnv(full), { env: full, platform: 'action', fileExists: () => false });
}

function codeOf(fn: () => unknown): ErrorCode | 'no error' {
  try {
    fn();
    return 'no error';
  } catch (error) {
    if (error instanceof ArgoEntraError) return error.code;
    throw error;
  }
}

describe('parseSettings (action inputs)', () => {
  test('defaults and GitHub detection', () => {
    const s = parseAction({});
    expect(s.operation).toBe('submit');
    expect(s.identity).toMatchObject({
      clientId: CLIENT,
      tenantId: TENANT,
      authorityHost: 'https://login.microsoftonline.com',
      audience: 'api://AzureADTokenExchange',
      scope: '6dae42f8-4368-4678-94ff-3960e28e3630/.default',
      ciSource: { kind: 'github', requestToken: 'request-token-secret' },
    });
    expect(s.cluster).toMatchObject({
      namespace: 'team-a',
      kubeconfigMode: 'exec',
      exportKubeconfig: true,
      tempDir: '/runner/temp',
      caData: undefined,
    });
    expect(s.workflow).toMatchObject({
      source: { kind: 'template', name: 'hello', clusterScope: false },
      wait: true,
      timeoutMs: undefined,
      onTimeout: 'stop',
      onCancel: 'stop',
      dryRun: 'none',
      logs: 'failed',
    });
    expect(s.report.reporter).toBe('github');
    expect(s.secrets).toEqual(['request-token-secret']);
    expect(s.run).toMatchObject({
      ci: 'github',
      repository: 'octo/repo',
      runId: '42',
      runAttempt: '2',
      runUrl: 'https://github.com/octo/repo/actions/runs/42/attempts/2',
    });
    expect(Object.isFrozen(s)).toBe(true);
  });

  test('parameters as lines, YAML map and labels', () => {
    const s = parseAction({ parameters: 'a=1\nb = two words\n# comment\nc=x=y', labels: 'team=a, tier=gold' });
    expect(s.workflow.parameters).toEqual([
      ['a', '1'],
      ['b', 'two words'],
      ['c', 'x=y'],
    ]);
    expect(s.workflow.labels).toEqual({ team: 'a', tier: 'gold' });
    const y = parseAction({ parameters: 'message: hello\ncount: 3' });
    expect(y.workflow.parameters).toEqual([
      ['message', 'hello'],
      ['count', '3'],
    ]);
  });

  test('on-timeout defaults to stop, but leaves a workflow this job only waits on', () => {
    expect(parseAction({}).workflow.onTimeout).toBe('stop');
    expect(
      parseAction({ operation: 'wait', 'workflow-template': undefined, 'workflow-name': 'wf-1' }).workflow.onTimeout,
    ).toBe('leave');
    expect(
      parseAction({
        operation: 'wait',
        'workflow-template': undefined,
        'workflow-name': 'wf-1',
        'on-timeout': 'terminate',
      }).workflow.onTimeout,
    ).toBe('terminate');
  });

  test('timeouts', () => {
    expect(parseAction({ timeout: '90s' }).workflow.timeoutMs).toBe(90_000);
    expect(parseAction({ timeout: '1h30m' }).workflow.timeoutMs).toBe(5_400_000);
    expect(parseAction({ timeout: '120' }).workflow.timeoutMs).toBe(120_000);
    expect(parseAction({ timeout: '0' }).workflow.timeoutMs).toBeUndefined();
  });

  test.each<[string, Record<string, string | undefined>, ErrorCode]>([
    ['missing client id', { 'client-id': undefined }, 'ERR_SETTINGS_MISSING'],
    ['client id not a GUID', { 'client-id': 'my-app' }, 'ERR_SETTINGS_INVALID'],
    ['tenant not a GUID', { 'tenant-id': 'x y' }, 'ERR_SETTINGS_INVALID'],
    ['http authority', { 'authority-host': 'http://login.example' }, 'ERR_SETTINGS_INVALID'],
    ['scope with two resources', { scope: 'a/.default b/.default' }, 'ERR_SETTINGS_INVALID'],
    ['scope without .default', { scope: 'https://management.azure.com' }, 'ERR_SETTINGS_INVALID'],
    ['missing server', { server: undefined }, 'ERR_SETTINGS_MISSING'],
    ['http server', { server: 'http://cluster:6443' }, 'ERR_SETTINGS_INVALID'],
    ['missing namespace', { namespace: undefined }, 'ERR_SETTINGS_MISSING'],
    ['namespace upper case', { namespace: 'Team-A' }, 'ERR_SETTINGS_INVALID'],
    [
      'CA as PEM text',
      { 'certificate-authority-data': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' },
      'ERR_SETTINGS_INVALID',
    ],
    [
      'CA base64 of garbage',
      { 'certificate-authority-data': Buffer.from('hello').toString('base64') },
      'ERR_SETTINGS_INVALID',
    ],
    [
      'CA both forms',
      { 'certificate-authority-data': CA, 'certificate-authority': '/ca.pem' },
      'ERR_SETTINGS_CONFLICT',
    ],
    ['bad kubeconfig mode', { 'kubeconfig-mode': 'file' }, 'ERR_SETTINGS_INVALID'],
    ['bad boolean', { wait: 'maybe' }, 'ERR_SETTINGS_INVALID'],
    ['bad operation', { operation: 'delete' }, 'ERR_SETTINGS_INVALID'],
    ['bad duration', { timeout: '10 minutes' }, 'ERR_SETTINGS_INVALID'],
    ['bad on-timeout', { 'on-timeout': 'kill' }, 'ERR_SETTINGS_INVALID'],
    ['two sources', { workflow: 'apiVersion: argoproj.io/v1alpha1\nkind: Workflow' }, 'ERR_SETTINGS_CONFLICT'],
    ['submit without source', { 'workflow-template': undefined }, 'ERR_SETTINGS_MISSING'],
    ['manifest path missing', { 'workflow-template': undefined, workflow: 'wf.yaml' }, 'ERR_SETTINGS_INVALID'],
    ['stop without workflow-name', { operation: 'stop', 'workflow-template': undefined }, 'ERR_SETTINGS_MISSING'],
    ['stop with template', { operation: 'stop', 'workflow-name': 'wf-1' }, 'ERR_SETTINGS_CONFLICT'],
    ['bad label value', { labels: 'team=not ok' }, 'ERR_SETTINGS_INVALID'],
    ['label without =', { labels: 'team' }, 'ERR_SETTINGS_INVALID'],
    ['name and generate-name', { name: 'a', 'generate-name': 'b-' }, 'ERR_SETTINGS_CONFLICT'],
    ['bad dry-run', { 'dry-run': 'yes' }, 'ERR_SETTINGS_INVALID'],
    ['bad logs', { logs: 'all' }, 'ERR_SETTINGS_INVALID'],
    ['bad least-privilege', { 'least-privilege': 'strict' }, 'ERR_SETTINGS_INVALID'],
    ['bad ci-token-source', { 'ci-token-source': 'jenkins' }, 'ERR_SETTINGS_INVALID'],
  ])('%s -> %s', (_name, inputs, code) => {
    expect(codeOf(() => parseAction(inputs))).toBe(code);
  });

  describe('aks-cluster', () => {
    const AKS =
      '/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-ci/providers/Microsoft.ContainerService/managedClusters/aks-ci';

    test('instead of server: parsed id, default ARM endpoint, server left for discovery', () => {
      const s = parseAction({ server: undefined, 'aks-cluster': AKS });
      expect(s.cluster.server).toBe('');
      expect(s.cluster.caData).toBeUndefined();
      expect(s.cluster.aks).toEqual({
        id: AKS,
        subscriptionId: '0b1f6471-1bf0-4dda-aec3-cb9272f09590',
        resourceGroup: 'rg-ci',
        name: 'aks-ci',
        armEndpoint: 'https://management.azure.com',
      });
      expect(parseAction({}).cluster.aks).toBeUndefined();
      expect(
        parseAction({ server: undefined, 'aks-cluster': AKS, 'arm-endpoint': 'https://management.usgovcloudapi.net/' })
          .cluster.aks?.armEndpoint,
      ).toBe('https://management.usgovcloudapi.net');
    });

    test.each<[string, Record<string, string | undefined>, ErrorCode]>([
      ['server and aks-cluster', { 'aks-cluster': AKS }, 'ERR_SETTINGS_CONFLICT'],
      [
        'aks-cluster and CA data',
        { server: undefined, 'aks-cluster': AKS, 'certificate-authority-data': CA },
        'ERR_SETTINGS_CONFLICT',
      ],
      ['neither server nor aks-cluster', { server: undefined }, 'ERR_SETTINGS_MISSING'],
      ['aks-cluster not a resource id', { server: undefined, 'aks-cluster': 'aks-ci' }, 'ERR_SETTINGS_INVALID'],
      [
        'http arm-endpoint',
        { server: undefined, 'aks-cluster': AKS, 'arm-endpoint': 'http://arm.local' },
        'ERR_SETTINGS_INVALID',
      ],
    ])('%s -> %s', (_name, inputs, code) => {
      expect(codeOf(() => parseAction(inputs))).toBe(code);
    });

    test('the missing error names both inputs; the conflict error names both', () => {
      const message = (inputs: Record<string, string | undefined>): string => {
        try {
          parseAction(inputs);
        } catch (error) {
          return (error as Error).message;
        }
        return 'no error';
      };
      expect(message({ server: undefined })).toMatch(/"server" or "aks-cluster"/);
      expect(message({ 'aks-cluster': AKS })).toMatch(/"server" or "aks-cluster"/);
    });
  });

  test('errors name the input and value and never echo a secret', () => {
    try {
      parseAction({ 'client-id': 'not-a-guid' });
      throw new Error('expected an error');
    } catch (error) {
      expect(error).toBeInstanceOf(ArgoEntraError);
      const e = error as ArgoEntraError;
      expect(e.message).toContain('client-id');
      expect(e.message).toContain('not-a-guid');
      expect(e.message).toContain('GUID');
      expect(e.exitCode).toBe(2);
    }
  });
});

describe('CI source detection', () => {
  const plain: Env = { RUNNER_TEMP: '/t' };
  test.each<[string, Env, Record<string, string>, string | ErrorCode]>([
    ['github', GITHUB_ENV, {}, 'github'],
    ['explicit wins', GITHUB_ENV, { 'ci-token': 'eyJ.x.y' }, 'explicit'],
    ['token file input', plain, { 'token-file': '/var/run/token' }, 'token-file'],
    [
      'workload identity env',
      { ...plain, AZURE_FEDERATED_TOKEN_FILE: '/var/run/secrets/azure/tokens/azure-identity-token' },
      {},
      'token-file',
    ],
    ['gitlab', { ...plain, GITLAB_CI: 'true', ARGO_ENTRA_ID_TOKEN: 'jwt' }, {}, 'gitlab'],
    ['gitlab without id_tokens', { ...plain, GITLAB_CI: 'true' }, {}, 'ERR_CI_TOKEN_NOT_FOUND'],
    [
      'azure devops',
      {
        ...plain,
        TF_BUILD: 'True',
        SYSTEM_OIDCREQUESTURI: 'https://dev.azure.com/org/_apis/oidc',
        SYSTEM_ACCESSTOKEN: 'ado-secret',
      },
      { 'azure-devops-service-connection': CLIENT },
      'azure-devops',
    ],
    [
      'azure devops without access token',
      { ...plain, TF_BUILD: 'True', SYSTEM_OIDCREQUESTURI: 'https://dev.azure.com/o' },
      { 'azure-devops-service-connection': CLIENT },
      'ERR_CI_TOKEN_NOT_FOUND',
    ],
    ['github without id-token permission', { GITHUB_ACTIONS: 'true', RUNNER_TEMP: '/t' }, {}, 'ERR_CI_TOKEN_NOT_FOUND'],
    ['nothing at all', plain, {}, 'ERR_CI_TOKEN_NOT_FOUND'],
    ['forced github elsewhere', plain, { 'ci-token-source': 'github' }, 'ERR_CI_TOKEN_NOT_FOUND'],
  ])('%s', (_name, env, inputs, expected) => {
    let got: string;
    try {
      got = parseAction(inputs, env).identity.ciSource.kind;
    } catch (error) {
      if (!(error instanceof ArgoEntraError)) throw error;
      got = error.code;
      expect(error.exitCode).toBe(3);
    }
    expect(got).toBe(expected);
  });

  test('missing id-token permission hint carries the YAML', () => {
    try {
      parseAction({}, { GITHUB_ACTIONS: 'true' });
    } catch (error) {
      expect((error as ArgoEntraError).hint).toContain('id-token: write');
      return;
    }
    throw new Error('expected an error');
  });

  test('secrets of every source are collected for masking', () => {
    const ado = parseAction(
      { 'azure-devops-service-connection': CLIENT },
      { TF_BUILD: 'True', SYSTEM_OIDCREQUESTURI: 'https://dev.azure.com/o', SYSTEM_ACCESSTOKEN: 'ado-secret' },
    );
    expect(ado.secrets).toContain('ado-secret');
  });
});

describe('CLI', () => {
  test('flags, env fallbacks, --from and positional workflow name', () => {
    const env: Env = {
      AZURE_CLIENT_ID: CLIENT,
      AZURE_TENANT_ID: TENANT,
      ARGO_ENTRA_SERVER: 'https://k:6443',
      AZURE_FEDERATED_TOKEN_FILE: '/tok',
    };
    const submit = rawFromCli(
      ['submit', '-n', 'team-a', '--from', 'workflowtemplate/hello', '-p', 'a=1', '-p', 'b=2', '-l', 'x=y'],
      env,
    );
    expect(submit.command).toBe('submit');
    const s = parseSettings(submit.raw, { env, platform: 'cli', operation: submit.command });
    expect(s.workflow.source).toEqual({ kind: 'template', name: 'hello', clusterScope: false });
    expect(s.workflow.parameters).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);
    expect(s.identity.ciSource).toEqual({ kind: 'token-file', path: '/tok' });
    expect(s.report.reporter).toBe('terminal');

    const wait = rawFromCli(['wait', 'wf-abc12', '-n', 'team-a'], env);
    const w = parseSettings(wait.raw, {
      env,
      platform: 'cli',
      operation: wait.command,
      positionalWorkflowName: wait.positionals[0],
    });
    expect(w.operation).toBe('wait');
    expect(w.workflow.workflowName).toBe('wf-abc12');
  });

  test.each<[string[], ErrorCode]>([
    [['submit', '--bogus'], 'ERR_SETTINGS_INVALID'],
    [['submit', '--from', 'deployment/x'], 'ERR_SETTINGS_INVALID'],
    [['submit', '--from', 'noslash'], 'ERR_SETTINGS_INVALID'],
  ])('%j -> %s', (argv, code) => {
    expect(codeOf(() => rawFromCli(argv, {}))).toBe(code);
  });

  test('Azure DevOps picks its reporter', () => {
    const env: Env = {
      TF_BUILD: 'True',
      SYSTEM_OIDCREQUESTURI: 'https://dev.azure.com/o',
      SYSTEM_ACCESSTOKEN: 's',
      ARGO_ENTRA_AZURE_DEVOPS_SERVICE_CONNECTION: CLIENT,
    };
    const cli = rawFromCli(
      ['kubeconfig', '--client-id', CLIENT, '--tenant-id', TENANT, '--server', 'https://k', '-n', 'ns'],
      env,
    );
    expect(parseSettings(cli.raw, { env, platform: 'cli', operation: cli.command }).report.reporter).toBe(
      'azure-devops',
    );
  });
});

describe('action.yml matches the input list', () => {
  const action = parseYaml(readFileSync(new URL('../../../action.yml', import.meta.url), 'utf8')) as {
    inputs: Record<string, { description: string; default?: string; required?: boolean }>;
    outputs: Record<string, { description: string }>;
    runs: { using: string; main: string; post: string };
  };
  test('same inputs, same defaults', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(INPUTS.map((i) => i.name).sort());
    for (const input of INPUTS)
      expect([input.name, action.inputs[input.name]?.default]).toEqual([input.name, input.default]);
  });
  test('same outputs, runs on node24 with a post step', () => {
    expect(Object.keys(action.outputs).sort()).toEqual(OUTPUTS.map((o) => o.name).sort());
    expect(action.runs).toMatchObject({ using: 'node24', main: 'dist/main/index.js', post: 'dist/post/index.js' });
  });
});
