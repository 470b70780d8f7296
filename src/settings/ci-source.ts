import { ArgoEntraError } from '../errors.js';
import type { CiSourceConfig, CiSourceKind } from './types.js';
import type { Env } from './raw.js';
import { guid, invalid, oneOf } from './validate.js';

export const CI_SOURCE_ORDER: readonly CiSourceKind[] = ['explicit', 'token-file', 'github', 'azure-devops', 'gitlab'];

interface CiSourceInputs {
  readonly source: string;
  readonly ciToken: string | undefined;
  readonly tokenFile: string | undefined;
  readonly gitlabVariable: string;
  readonly serviceConnection: string | undefined;
}

const GITHUB_PERMISSIONS_YAML = `permissions:
  id-token: write   # lets the job request its OIDC token
  contents: read`;

/**
 * Picks the CI token source. `auto` walks CI_SOURCE_ORDER and takes the first that is fully configured; a named
 * source must be fully configured or it is an error that says which variable is missing.
 */
export function resolveCiSource(inputs: CiSourceInputs, env: Env): CiSourceConfig {
  const wanted = oneOf('ci-token-source', inputs.source, [
    'auto',
    'github',
    'azure-devops',
    'gitlab',
    'token-file',
    'explicit',
  ] as const);
  const candidates = wanted === 'auto' ? CI_SOURCE_ORDER : [wanted];
  for (const kind of candidates) {
    const config = tryKind(kind, inputs, env, wanted !== 'auto');
    if (config) return config;
  }
  throw notFound(env);
}

function tryKind(kind: CiSourceKind, inputs: CiSourceInputs, env: Env, required: boolean): CiSourceConfig | undefined {
  switch (kind) {
    case 'explicit':
      if (inputs.ciToken) return { kind, token: inputs.ciToken };
      if (required) throw missingFor(kind, 'the "ci-token" input (or ARGO_ENTRA_CI_TOKEN)');
      return undefined;
    case 'token-file':
      if (inputs.tokenFile) return { kind, path: inputs.tokenFile };
      if (required) throw missingFor(kind, 'the "token-file" input (or AZURE_FEDERATED_TOKEN_FILE)');
      return undefined;
    case 'github': {
      const requestUrl = env.ACTIONS_ID_TOKEN_REQUEST_URL;
      const requestToken = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
      if (requestUrl && requestToken)
        return { kind, requestUrl: httpsOrLoopback('ACTIONS_ID_TOKEN_REQUEST_URL', requestUrl), requestToken };
      if (required) throw githubMissing();
      return undefined;
    }
    case 'azure-devops': {
      const uri = env.SYSTEM_OIDCREQUESTURI;
      const accessToken = env.SYSTEM_ACCESSTOKEN;
      const isAdo = env.TF_BUILD?.toLowerCase() === 'true';
      if (!isAdo && !required) return undefined;
      if (!uri || !accessToken || !inputs.serviceConnection) {
        if (!required && !uri) return undefined;
        throw adoMissing(uri, accessToken, inputs.serviceConnection);
      }
      return {
        kind,
        oidcRequestUri: httpsOrLoopback('SYSTEM_OIDCREQUESTURI', uri),
        accessToken,
        serviceConnectionId: guid('azure-devops-service-connection', inputs.serviceConnection),
      };
    }
    case 'gitlab': {
      const token = env[inputs.gitlabVariable];
      if (token) return { kind, variableName: inputs.gitlabVariable, token };
      if (required || env.GITLAB_CI === 'true') {
        throw missingFor(
          'gitlab',
          `the variable ${inputs.gitlabVariable}; add to the job:\n  id_tokens:\n    ${inputs.gitlabVariable}:\n      aud: api://AzureADTokenExchange`,
        );
      }
      return undefined;
    }
  }
}

/** Loopback http is accepted for request endpoints only so local emulators and act can stand in for the CI service. */
function httpsOrLoopback(name: string, value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'https:') return value;
    if (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) return value;
  } catch {
    // fall through to the coded error
  }
  throw invalid(name, value, 'an https URL');
}

function missingFor(kind: CiSourceKind, what: string): ArgoEntraError {
  return new ArgoEntraError('ERR_CI_TOKEN_NOT_FOUND', `ci-token-source is "${kind}" but ${what} is not set.`, {
    hint: `Provide ${what}, or set ci-token-source to auto.`,
  });
}

function githubMissing(): ArgoEntraError {
  return new ArgoEntraError(
    'ERR_CI_TOKEN_NOT_FOUND',
    'No GitHub OIDC token is available: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set.',
    {
      hint: `Give the job permission to request its OIDC token:\n${GITHUB_PERMISSIONS_YAML}\n(On pull requests from forks GitHub never grants it.)`,
    },
  );
}

function adoMissing(
  uri: string | undefined,
  token: string | undefined,
  connection: string | undefined,
): ArgoEntraError {
  const lacks = [
    uri ? undefined : 'SYSTEM_OIDCREQUESTURI',
    token ? undefined : 'SYSTEM_ACCESSTOKEN (map it: env: SYSTEM_ACCESSTOKEN: $(System.AccessToken))',
    connection
      ? undefined
      : 'the service connection id (azure-devops-service-connection / ARGO_ENTRA_AZURE_DEVOPS_SERVICE_CONNECTION)',
  ].filter(Boolean);
  return new ArgoEntraError('ERR_CI_TOKEN_NOT_FOUND', `Azure DevOps OIDC needs ${lacks.join(', ')}.`, {
    hint: 'In the pipeline step add:\n  env:\n    SYSTEM_ACCESSTOKEN: $(System.AccessToken)\n    ARGO_ENTRA_AZURE_DEVOPS_SERVICE_CONNECTION: <service connection id>',
  });
}

function notFound(env: Env): ArgoEntraError {
  if (env.GITHUB_ACTIONS === 'true') return githubMissing();
  return new ArgoEntraError('ERR_CI_TOKEN_NOT_FOUND', 'No CI OIDC token source was found.', {
    hint:
      'Run on GitHub Actions with `permissions: id-token: write`, on Azure DevOps with SYSTEM_ACCESSTOKEN mapped and a service connection id, ' +
      'on GitLab with an id_tokens variable (ARGO_ENTRA_ID_TOKEN), or give a token file (AZURE_FEDERATED_TOKEN_FILE) or the token itself (ci-token).',
  });
}
