import { createCiTokenSource } from '../identity/ci/index.js';
import { createEntraTokenProvider } from '../identity/entra.js';
import type { AccessToken } from '../identity/types.js';
import type { IdentitySettings } from '../settings/types.js';

/**
 * The credential plugin's refresh path, loaded with one dynamic import so the bundle keeps it (and, lazily inside,
 * @azure/identity) in one chunk that the cached path never reads.
 */
export function exchangeForAccessToken(identity: IdentitySettings): Promise<AccessToken> {
  return createEntraTokenProvider(identity, createCiTokenSource(identity.ciSource)).getToken();
}
