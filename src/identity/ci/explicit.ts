/** A token passed in directly (local runs, other CI systems). */
import type { CiTokenSource } from '../types.js';
import { createStaticTokenSource } from './static.js';

export function createExplicitTokenSource(token: string): CiTokenSource {
  return createStaticTokenSource(
    'explicit',
    token,
    'The explicit OIDC token',
    'Pass the raw JWT (<header>.<payload>.<signature>) issued by your CI system for audience api://AzureADTokenExchange.',
  );
}
