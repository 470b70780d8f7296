/**
 * Settings of the kubectl exec credential plugin (src/entry/credential.ts).
 *
 * The kubeconfig writer puts only non-secret values into the exec block's args (see `credentialArgs`, the exact
 * inverse of `parseCredentialArgs`). The CI source's secrets are read from the environment kubectl inherits, and only
 * on the refresh path (`resolveCredentialIdentity`): a cached token still works in a step that lacks them.
 *
 * Runs on kubectl's every command: this file imports only node builtins, errors.ts and types.
 *
 *   --cache <abs path>            token cache file (in the run's private 0700 dir)
 *   --client-id <guid>            Entra application (client) id
 *   --tenant-id <guid|domain>     Entra tenant
 *   --authority-host <https url>  e.g. https://login.microsoftonline.com
 *   --audience <aud>              audience requested for the CI token, e.g. api://AzureADTokenExchange
 *   --scope <resource/.default>   one resource scope
 *   --ci <github|azure-devops|gitlab|token-file|explicit>
 *   --service-connection-id <id>  azure-devops only (not secret)
 *   --token-env <NAME>            gitlab (required: the id_tokens variable) and explicit (default ARGO_ENTRA_ID_TOKEN)
 *   --token-file <abs path>       token-file only; default $AZURE_FEDERATED_TOKEN_FILE
 *
 * Environment read on refresh: github ACTIONS_ID_TOKEN_REQUEST_URL + ACTIONS_ID_TOKEN_REQUEST_TOKEN; azure-devops
 * SYSTEM_OIDCREQUESTURI + SYSTEM_ACCESSTOKEN; gitlab/explicit $<token-env>; token-file AZURE_FEDERATED_TOKEN_FILE.
 */
import { isAbsolute } from 'node:path';
import { ArgoEntraError } from '../errors.js';
import type { KubeconfigUser } from '../cluster/kubeconfig.js';
import type { CiSourceConfig, CiSourceKind, IdentitySettings } from './types.js';

export interface CredentialSettings {
  readonly cachePath: string;
  readonly clientId: string;
  readonly tenantId: string;
  readonly authorityHost: string;
  readonly audience: string;
  readonly scope: string;
  readonly ciKind: CiSourceKind;
  readonly serviceConnectionId: string | undefined;
  readonly tokenEnv: string | undefined;
  readonly tokenFile: string | undefined;
}

export const DEFAULT_EXPLICIT_TOKEN_ENV = 'ARGO_ENTRA_ID_TOKEN';

const CI_KINDS: readonly CiSourceKind[] = ['github', 'azure-devops', 'gitlab', 'token-file', 'explicit'];
const FLAGS = [
  'cache',
  'client-id',
  'tenant-id',
  'authority-host',
  'audience',
  'scope',
  'ci',
  'service-connection-id',
  'token-env',
  'token-file',
] as const;
type Flag = (typeof FLAGS)[number];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TENANT_DOMAIN = /^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}$/i;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HINT =
  'The exec block of this kubeconfig is written by argo-entra; re-create the kubeconfig rather than editing it.';

export function parseCredentialArgs(argv: readonly string[]): CredentialSettings {
  const values = new Map<Flag, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    const name = match?.[1];
    if (!match || name === undefined || !(FLAGS as readonly string[]).includes(name)) {
      throw invalid(
        `unknown argument ${JSON.stringify(arg)}`,
        `expected one of ${FLAGS.map((f) => `--${f}`).join(', ')}`,
      );
    }
    let value = match[2];
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) {
        throw new ArgoEntraError('ERR_SETTINGS_MISSING', `credential plugin: --${name} needs a value`, { hint: HINT });
      }
      i++;
    }
    if (values.has(name as Flag)) {
      throw new ArgoEntraError('ERR_SETTINGS_CONFLICT', `credential plugin: --${name} given more than once`, {
        hint: HINT,
      });
    }
    values.set(name as Flag, value);
  }

  const required = (flag: Flag): string => {
    const value = values.get(flag);
    if (value === undefined || value.trim() === '') {
      throw new ArgoEntraError('ERR_SETTINGS_MISSING', `credential plugin: --${flag} is required`, { hint: HINT });
    }
    return value;
  };

  const cachePath = required('cache');
  if (!isAbsolute(cachePath)) throw invalid(`--cache must be an absolute path, got ${JSON.stringify(cachePath)}`);
  const clientId = required('client-id');
  if (!GUID.test(clientId)) throw invalid(`--client-id must be a GUID, got ${JSON.stringify(clientId)}`);
  const tenantId = required('tenant-id');
  if (!GUID.test(tenantId) && !TENANT_DOMAIN.test(tenantId)) {
    throw invalid(
      `--tenant-id must be a GUID or a domain such as contoso.onmicrosoft.com, got ${JSON.stringify(tenantId)}`,
    );
  }
  const authorityHost = required('authority-host').replace(/\/+$/, '');
  if (!/^https:\/\/[^/\s]+$/.test(authorityHost)) {
    throw invalid(`--authority-host must be an https URL without a path, got ${JSON.stringify(authorityHost)}`);
  }
  const audience = required('audience');
  if (/\s/.test(audience)) throw invalid(`--audience must not contain whitespace, got ${JSON.stringify(audience)}`);
  const scope = required('scope');
  if (/\s/.test(scope)) throw invalid(`--scope must be one scope (no whitespace), got ${JSON.stringify(scope)}`);
  const ci = required('ci');
  if (!(CI_KINDS as readonly string[]).includes(ci)) {
    throw invalid(`--ci must be one of ${CI_KINDS.join(', ')}, got ${JSON.stringify(ci)}`);
  }
  const ciKind = ci as CiSourceKind;

  const serviceConnectionId = values.get('service-connection-id');
  const tokenEnv = values.get('token-env');
  const tokenFile = values.get('token-file');
  const onlyFor = (flag: Flag, value: string | undefined, kinds: readonly CiSourceKind[]): void => {
    if (value !== undefined && !kinds.includes(ciKind)) {
      throw new ArgoEntraError(
        'ERR_SETTINGS_CONFLICT',
        `credential plugin: --${flag} does not apply to --ci ${ciKind}`,
        {
          hint: HINT,
        },
      );
    }
  };
  onlyFor('service-connection-id', serviceConnectionId, ['azure-devops']);
  onlyFor('token-env', tokenEnv, ['gitlab', 'explicit']);
  onlyFor('token-file', tokenFile, ['token-file']);
  if (ciKind === 'azure-devops') required('service-connection-id');
  if (ciKind === 'gitlab') required('token-env');
  if (tokenEnv !== undefined && !ENV_NAME.test(tokenEnv)) {
    throw invalid(`--token-env must be an environment variable name, got ${JSON.stringify(tokenEnv)}`);
  }
  if (tokenFile !== undefined && !isAbsolute(tokenFile)) {
    throw invalid(`--token-file must be an absolute path, got ${JSON.stringify(tokenFile)}`);
  }

  return Object.freeze({
    cachePath,
    clientId,
    tenantId,
    authorityHost,
    audience,
    scope,
    ciKind,
    serviceConnectionId,
    tokenEnv: ciKind === 'explicit' ? (tokenEnv ?? DEFAULT_EXPLICIT_TOKEN_ENV) : tokenEnv,
    tokenFile,
  });
}

/** Full identity settings for a refresh: the CI secrets come from kubectl's (the step's) environment. */
export function resolveCredentialIdentity(
  settings: CredentialSettings,
  env: Readonly<Record<string, string | undefined>>,
): IdentitySettings {
  return Object.freeze({
    clientId: settings.clientId,
    tenantId: settings.tenantId,
    authorityHost: settings.authorityHost,
    audience: settings.audience,
    scope: settings.scope,
    ciSource: Object.freeze(ciSource(settings, env)),
  });
}

function ciSource(settings: CredentialSettings, env: Readonly<Record<string, string | undefined>>): CiSourceConfig {
  const need = (name: string, hint: string): string => {
    const value = env[name];
    if (value === undefined || value === '') {
      throw new ArgoEntraError(
        'ERR_CI_TOKEN_NOT_FOUND',
        `credential plugin: ${name} is not set in the environment kubectl runs in, and the cached token needs a refresh`,
        {
          hint,
        },
      );
    }
    return value;
  };
  switch (settings.ciKind) {
    case 'github': {
      const hint =
        'Give the job `permissions: id-token: write` and run kubectl in the same job that wrote the kubeconfig.';
      return {
        kind: 'github',
        requestUrl: need('ACTIONS_ID_TOKEN_REQUEST_URL', hint),
        requestToken: need('ACTIONS_ID_TOKEN_REQUEST_TOKEN', hint),
      };
    }
    case 'azure-devops': {
      const hint = 'Map the token into the kubectl step: `env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)`.';
      return {
        kind: 'azure-devops',
        oidcRequestUri: need('SYSTEM_OIDCREQUESTURI', hint),
        accessToken: need('SYSTEM_ACCESSTOKEN', hint),
        serviceConnectionId: settings.serviceConnectionId ?? '',
      };
    }
    case 'gitlab': {
      const name = settings.tokenEnv ?? '';
      return {
        kind: 'gitlab',
        variableName: name,
        token: need(
          name,
          `Declare it under \`id_tokens: ${name}: { aud: ${settings.audience} }\` in the job that runs kubectl.`,
        ),
      };
    }
    case 'token-file': {
      const path =
        settings.tokenFile ??
        need(
          'AZURE_FEDERATED_TOKEN_FILE',
          'Enable Azure workload identity on the pod (azure.workload.identity/use: "true") or pass --token-file.',
        );
      return { kind: 'token-file', path };
    }
    case 'explicit': {
      const name = settings.tokenEnv ?? DEFAULT_EXPLICIT_TOKEN_ENV;
      return { kind: 'explicit', token: need(name, `Export a fresh CI OIDC token as ${name} for kubectl.`) };
    }
  }
}

/**
 * The exec args for a kubeconfig (after the script path, if any). Takes IdentitySettings but emits none of the CI
 * source's secrets: for `explicit` the token must be exported as `explicitTokenEnv` for kubectl.
 */
export function credentialArgs(
  identity: IdentitySettings,
  cachePath: string,
  explicitTokenEnv: string = DEFAULT_EXPLICIT_TOKEN_ENV,
): string[] {
  const args = [
    '--cache',
    cachePath,
    '--client-id',
    identity.clientId,
    '--tenant-id',
    identity.tenantId,
    '--authority-host',
    identity.authorityHost,
    '--audience',
    identity.audience,
    '--scope',
    identity.scope,
    '--ci',
    identity.ciSource.kind,
  ];
  const source = identity.ciSource;
  switch (source.kind) {
    case 'azure-devops':
      args.push('--service-connection-id', source.serviceConnectionId);
      break;
    case 'gitlab':
      args.push('--token-env', source.variableName);
      break;
    case 'token-file':
      args.push('--token-file', source.path);
      break;
    case 'explicit':
      args.push('--token-env', explicitTokenEnv);
      break;
    case 'github':
      break;
  }
  return args;
}

export interface CredentialPluginLaunch {
  /** the executable kubectl starts: the running node binary */
  readonly command: string;
  /** the bundled plugin script (dist/credential/index.js), passed as the first arg */
  readonly script: string;
  readonly cachePath: string;
  /** for --ci explicit: the variable kubectl's environment carries the CI token in */
  readonly explicitTokenEnv?: string;
}

/** The kubeconfig exec user that starts this plugin; env stays empty (secrets come from kubectl's environment). */
export function credentialExecUser(
  identity: IdentitySettings,
  launch: CredentialPluginLaunch,
): Extract<KubeconfigUser, { mode: 'exec' }> {
  return {
    mode: 'exec',
    command: launch.command,
    args: [launch.script, ...credentialArgs(identity, launch.cachePath, launch.explicitTokenEnv)],
    env: {},
  };
}

function invalid(message: string, expected?: string): ArgoEntraError {
  return new ArgoEntraError('ERR_SETTINGS_INVALID', `credential plugin: ${message}`, {
    hint: expected === undefined ? HINT : `${expected}. ${HINT}`,
  });
}
