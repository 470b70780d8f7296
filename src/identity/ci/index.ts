/** Picks the CI token source for the configured kind. Network and file access are injectable for tests. */
import type { CiSourceConfig } from '../../settings/types.js';
import type { CiTokenSource } from '../types.js';
import { createAzureDevOpsTokenSource } from './azure-devops.js';
import { createExplicitTokenSource } from './explicit.js';
import { createGitHubTokenSource } from './github.js';
import { createGitLabTokenSource } from './gitlab.js';
import type { CiHttpDeps } from './http.js';
import { createTokenFileSource, type ReadTextFile } from './token-file.js';

export interface CiSourceDeps extends CiHttpDeps {
  readonly readFile?: ReadTextFile;
}

export type { CiHttpDeps, ReadTextFile };

export function createCiTokenSource(config: CiSourceConfig, deps: CiSourceDeps = {}): CiTokenSource {
  switch (config.kind) {
    case 'github':
      return createGitHubTokenSource(config.requestUrl, config.requestToken, deps);
    case 'azure-devops':
      return createAzureDevOpsTokenSource(config.oidcRequestUri, config.accessToken, config.serviceConnectionId, deps);
    case 'gitlab':
      return createGitLabTokenSource(config.variableName, config.token);
    case 'token-file':
      return deps.readFile === undefined
        ? createTokenFileSource(config.path)
        : createTokenFileSource(config.path, deps.readFile);
    case 'explicit':
      return createExplicitTokenSource(config.token);
  }
}
