import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { parseAksResourceId } from './aks-cluster.js';
import { ArgoEntraError } from '../errors.js';
import { resolveCiSource } from './ci-source.js';
import { inputDefinition } from './inputs.js';
import { parsePairs, scalarToString } from './pairs.js';
import type { Env, RawInputs } from './raw.js';
import { readRunContext } from './run-context.js';
import {
  base64Pem,
  bool,
  dnsLabel,
  dnsSubdomain,
  durationMs,
  guid,
  httpsUrl,
  invalid,
  labelKey,
  labelValue,
  missing,
  oneOf,
} from './validate.js';
import {
  OPERATIONS,
  type AksSettings,
  type ClusterSettings,
  type IdentitySettings,
  type Operation,
  type ReportSettings,
  type ReporterKind,
  type Settings,
  type WorkflowSettings,
  type WorkflowSource,
} from './types.js';

export interface ParseContext {
  readonly env: Env;
  readonly platform: 'action' | 'cli';
  /** from the CLI subcommand; the action reads the `operation` input */
  readonly operation?: string | undefined;
  /** CLI positional after the subcommand, e.g. `argo-entra wait my-wf` */
  readonly positionalWorkflowName?: string | undefined;
  readonly json?: boolean;
  readonly cwd?: string;
  readonly readFile?: (path: string) => string;
  readonly fileExists?: (path: string) => boolean;
}

const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com';

/** Inputs + environment -> one validated, readonly Settings, or a coded error (exit 2 / 3). Pure but for file reads. */
export function parseSettings(raw: RawInputs, ctx: ParseContext): Settings {
  const readFile = ctx.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const fileExists = ctx.fileExists ?? existsSync;
  const cwd = ctx.cwd ?? process.cwd();
  const one = (name: string): string | undefined => {
    const values = raw.get(name);
    return values && values.length > 0 ? values[values.length - 1] : undefined;
  };
  const withDefault = (name: string): string => one(name) ?? inputDefinition(name).default ?? '';
  const all = (name: string): readonly string[] => raw.get(name) ?? [];
  const readInputFile = (input: string, path: string): string => {
    const full = isAbsolute(path) ? path : resolve(cwd, path);
    try {
      return readFile(full);
    } catch (error) {
      throw new ArgoEntraError(
        'ERR_SETTINGS_INVALID',
        `Input "${input}": cannot read file "${path}" (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
        {
          cause: error,
          hint: `Check the path is relative to the working directory (${cwd}) and the file is checked out.`,
          details: { input },
        },
      );
    }
  };

  const operation = parseOperation(ctx.operation ?? withDefault('operation'));
  const secrets: string[] = [];

  const clientId = one('client-id');
  const tenantId = one('tenant-id');
  if (!clientId) throw missing('client-id', 'the application (client) ID, a GUID');
  if (!tenantId) throw missing('tenant-id', 'the directory (tenant) ID, a GUID');
  const ciToken = one('ci-token');
  if (ciToken) secrets.push(ciToken);

  const ciSource = resolveCiSource(
    {
      source: withDefault('ci-token-source'),
      ciToken,
      tokenFile: one('token-file'),
      gitlabVariable: withDefault('gitlab-token-variable'),
      serviceConnection: one('azure-devops-service-connection'),
    },
    ctx.env,
  );
  if (ciSource.kind === 'github') secrets.push(ciSource.requestToken);
  if (ciSource.kind === 'azure-devops') secrets.push(ciSource.accessToken);
  if (ciSource.kind === 'gitlab') secrets.push(ciSource.token);

  const scope = withDefault('scope');
  if (!/^\S+\/\.default$/.test(scope)) {
    throw invalid(
      'scope',
      scope,
      'one resource followed by /.default, e.g. 6dae42f8-4368-4678-94ff-3960e28e3630/.default',
      'Client credentials accept exactly one scope: the resource (application ID URI or GUID) with /.default.',
    );
  }
  const identity: IdentitySettings = {
    clientId: guid('client-id', clientId),
    tenantId: tenantId.includes('.') ? dnsSubdomain('tenant-id', tenantId) : guid('tenant-id', tenantId),
    authorityHost: httpsUrl('authority-host', one('authority-host') ?? DEFAULT_AUTHORITY),
    audience: withDefault('audience'),
    scope,
    ciSource,
  };

  const cluster = parseCluster();
  const workflow = parseWorkflow();
  const report = parseReport();
  validateOperation(operation, workflow);

  return Object.freeze({
    operation,
    identity,
    cluster,
    workflow,
    report,
    run: readRunContext(ctx.env),
    secrets: Object.freeze(secrets),
  });

  function parseCluster(): ClusterSettings {
    const server = one('server');
    const aksCluster = one('aks-cluster');
    if (server && aksCluster) {
      throw new ArgoEntraError('ERR_SETTINGS_CONFLICT', 'Give either "server" or "aks-cluster", not both.', {
        hint: '"aks-cluster" discovers the server and CA through ARM; remove it to use "server" (and the CA inputs), or remove "server".',
      });
    }
    if (!server && !aksCluster) {
      throw new ArgoEntraError(
        'ERR_SETTINGS_MISSING',
        'Input "server" or "aks-cluster" is required: the API server URL (e.g. https://myaks-dns-1234.hcp.westeurope.azmk8s.io:443), or the AKS cluster\'s ARM resource id.',
        {
          hint: 'Set "server" (with "certificate-authority-data"), or on AKS "aks-cluster" (az aks show -g RG -n NAME --query id -o tsv).',
          details: { input: 'server' },
        },
      );
    }
    const namespace = one('namespace');
    if (!namespace) throw missing('namespace', 'the namespace to scope the kubeconfig to (DNS-1123 label)');
    const caDataInput = one('certificate-authority-data');
    const caFile = one('certificate-authority');
    if (caDataInput && caFile) {
      throw new ArgoEntraError(
        'ERR_SETTINGS_CONFLICT',
        'Give either "certificate-authority-data" or "certificate-authority", not both.',
        {
          hint: 'Remove one of the two inputs.',
        },
      );
    }
    if (aksCluster && (caDataInput || caFile)) {
      throw new ArgoEntraError(
        'ERR_SETTINGS_CONFLICT',
        `Give either "aks-cluster" or "${caDataInput ? 'certificate-authority-data' : 'certificate-authority'}", not both.`,
        { hint: 'With "aks-cluster" the CA comes from ARM together with the server; remove the CA input.' },
      );
    }
    let aks: AksSettings | undefined;
    if (aksCluster) {
      aks = {
        ...parseAksResourceId(aksCluster),
        armEndpoint: httpsUrl('arm-endpoint', withDefault('arm-endpoint')),
      };
    }
    let caData: string | undefined;
    if (caDataInput) caData = base64Pem('certificate-authority-data', caDataInput);
    if (caFile) {
      const pem = readInputFile('certificate-authority', caFile);
      if (!pem.includes('-----BEGIN CERTIFICATE-----'))
        throw invalid('certificate-authority', caFile, 'a file of PEM certificates');
      caData = Buffer.from(pem).toString('base64');
    }
    const tempDir = ctx.env.RUNNER_TEMP || ctx.env.AGENT_TEMPDIRECTORY || tmpdir();
    return {
      server: server ? httpsUrl('server', server) : '',
      aks,
      caData,
      insecureSkipTlsVerify: bool('insecure-skip-tls-verify', withDefault('insecure-skip-tls-verify')),
      namespace: dnsLabel('namespace', namespace),
      kubeconfigMode: oneOf('kubeconfig-mode', withDefault('kubeconfig-mode'), ['exec', 'token'] as const),
      exportKubeconfig: bool('export-kubeconfig', withDefault('export-kubeconfig')),
      tempDir,
    };
  }

  function parseWorkflow(): WorkflowSettings {
    const manifest = one('workflow');
    const template = one('workflow-template');
    const clusterTemplate = one('cluster-workflow-template');
    const given = [
      manifest && 'workflow',
      template && 'workflow-template',
      clusterTemplate && 'cluster-workflow-template',
    ].filter(Boolean);
    if (given.length > 1) {
      throw new ArgoEntraError(
        'ERR_SETTINGS_CONFLICT',
        `Give only one of workflow, workflow-template and cluster-workflow-template (got ${given.join(' and ')}).`,
        {
          hint: 'A workflow comes either from a manifest or from one template.',
        },
      );
    }
    let source: WorkflowSource | undefined;
    if (manifest) source = manifestSource(manifest);
    else if (template)
      source = { kind: 'template', name: dnsSubdomain('workflow-template', template), clusterScope: false };
    else if (clusterTemplate)
      source = {
        kind: 'template',
        name: dnsSubdomain('cluster-workflow-template', clusterTemplate),
        clusterScope: true,
      };

    const parameters: Array<readonly [string, string]> = parsePairs('parameters', all('parameters'), /\r?\n/);
    const parameterFile = one('parameter-file');
    if (parameterFile) parameters.unshift(...parameterFileEntries(parameterFile));
    const labels = Object.fromEntries(
      parsePairs('labels', all('labels'), /[,\r\n]/).map(([k, v]) => [
        labelKey('labels', k),
        labelValue('labels', k, v),
      ]),
    );
    const annotations = Object.fromEntries(
      parsePairs('annotations', all('annotations'), /\r?\n/).map(([k, v]) => [labelKey('annotations', k), v]),
    );
    const name = one('name');
    const generateName = one('generate-name');
    if (name && generateName) {
      throw new ArgoEntraError('ERR_SETTINGS_CONFLICT', 'Give either "name" or "generate-name", not both.', {
        hint: 'Remove one of the two inputs.',
      });
    }
    const workflowName = ctx.positionalWorkflowName ?? one('workflow-name');
    const argoUiUrl = one('argo-ui-url');
    return {
      source,
      entrypoint: one('entrypoint'),
      parameters,
      labels,
      annotations,
      name: name === undefined ? undefined : dnsSubdomain('name', name),
      generateName: generateName === undefined ? undefined : generateNameValue(generateName),
      serviceAccount: optional('service-account', dnsSubdomain),
      workflowName: workflowName === undefined ? undefined : dnsSubdomain('workflow-name', workflowName),
      wait: bool('wait', withDefault('wait')),
      timeoutMs: durationMs('timeout', withDefault('timeout')),
      onTimeout: oneOf('on-timeout', one('on-timeout') ?? (operation === 'wait' ? 'leave' : 'stop'), [
        'stop',
        'terminate',
        'leave',
      ] as const),
      onCancel: oneOf('on-cancel', withDefault('on-cancel'), ['stop', 'terminate', 'leave'] as const),
      dryRun: oneOf('dry-run', withDefault('dry-run'), ['none', 'client', 'server'] as const),
      argoUiUrl: argoUiUrl === undefined ? undefined : httpsOrHttpUrl('argo-ui-url', argoUiUrl),
      logs: oneOf('logs', withDefault('logs'), ['failed', 'none'] as const),
    };
  }

  function optional(input: string, validate: (input: string, value: string) => string): string | undefined {
    const value = one(input);
    return value === undefined ? undefined : validate(input, value);
  }

  function manifestSource(value: string): WorkflowSource {
    const inline = value.includes('\n') || value.trimStart().startsWith('{') || /^\s*apiVersion\s*:/m.test(value);
    if (inline) return { kind: 'manifest', text: value, origin: 'inline' };
    const full = isAbsolute(value) ? value : resolve(cwd, value);
    if (!fileExists(full)) {
      throw invalid(
        'workflow',
        value,
        'a path to a Workflow manifest file, or the manifest itself (YAML or JSON)',
        `No file at ${full}. Check out the repository first (actions/checkout) or inline the manifest.`,
      );
    }
    return { kind: 'manifest', text: readInputFile('workflow', value), origin: value };
  }

  function parameterFileEntries(path: string): Array<readonly [string, string]> {
    const text = readInputFile('parameter-file', path);
    const entries = parsePairs('parameter-file', [text], /\r?\n/);
    return entries.map(([k, v]) => [k, scalarToString(v)] as const);
  }

  function parseReport(): ReportSettings {
    const reporter: ReporterKind =
      ctx.platform === 'action' ? 'github' : ctx.env.TF_BUILD?.toLowerCase() === 'true' ? 'azure-devops' : 'terminal';
    return {
      reporter,
      json: ctx.json ?? false,
      preflight: bool('preflight', withDefault('preflight')),
      diagnoseOnly: bool('diagnose-only', withDefault('diagnose-only')),
      leastPrivilege: oneOf('least-privilege', withDefault('least-privilege'), ['off', 'warn', 'enforce'] as const),
      debug:
        ctx.env.ARGO_ENTRA_DEBUG === '1' ||
        ctx.env.RUNNER_DEBUG === '1' ||
        ctx.env.SYSTEM_DEBUG?.toLowerCase() === 'true',
    };
  }
}

function parseOperation(value: string): Operation {
  return oneOf('operation', value, OPERATIONS);
}

function generateNameValue(value: string): string {
  // generateName is a prefix: the server appends 5 characters, so a trailing "-" is normal and allowed.
  dnsSubdomain('generate-name', value.replace(/-+$/, '') || 'x');
  if (value.length > 58) throw invalid('generate-name', value, 'a prefix of at most 58 characters');
  return value;
}

function httpsOrHttpUrl(input: string, value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'https:' || url.protocol === 'http:') return value.replace(/\/+$/, '');
  } catch {
    // coded error below
  }
  throw invalid(input, value, 'a URL such as https://argo.example.com');
}

function validateOperation(operation: Operation, workflow: WorkflowSettings): void {
  if (operation === 'submit' && !workflow.source) {
    throw missing(
      'workflow',
      'a manifest ("workflow"), or "workflow-template" / "cluster-workflow-template", for operation submit',
    );
  }
  if (operation !== 'submit' && operation !== 'kubeconfig' && !workflow.workflowName) {
    throw missing('workflow-name', `the workflow that operation ${operation} acts on`);
  }
  if (operation !== 'submit' && workflow.source) {
    throw new ArgoEntraError(
      'ERR_SETTINGS_CONFLICT',
      `Operation ${operation} acts on an existing workflow; "workflow"/"workflow-template" only apply to submit.`,
      {
        hint: 'Use operation: submit to create a workflow, or drop the manifest/template input.',
      },
    );
  }
}
