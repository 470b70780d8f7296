/** GitLab CI: `id_tokens: NAME: { aud: ... }` puts the JWT in env var NAME; the audience is fixed in .gitlab-ci.yml. */
import type { CiTokenSource } from '../types.js';
import { createStaticTokenSource } from './static.js';

export function createGitLabTokenSource(variableName: string, token: string): CiTokenSource {
  return createStaticTokenSource(
    'gitlab',
    token,
    `GitLab variable ${variableName}`,
    `Declare it in .gitlab-ci.yml: id_tokens: { ${variableName}: { aud: api://AzureADTokenExchange } }.`,
  );
}
