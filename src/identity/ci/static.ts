/**
 * A token handed in whole (GitLab `id_tokens` variable, or an explicit token). It cannot be re-minted, so the
 * source returns the same value every call; Entra then reports 700024 when it has expired.
 */
import { ArgoEntraError } from '../../errors.js';
import type { CiSourceKind } from '../../settings/types.js';
import { looksLikeJwt } from '../jwt.js';
import type { CiTokenSource } from '../types.js';

export function createStaticTokenSource(
  kind: CiSourceKind,
  token: string,
  origin: string,
  hint: string,
): CiTokenSource {
  const trimmed = token.trim();
  return {
    kind,
    getToken() {
      if (!looksLikeJwt(trimmed)) {
        return Promise.reject(
          new ArgoEntraError('ERR_CI_TOKEN_INVALID', `${origin} does not hold a JWT`, { hint, details: { origin } }),
        );
      }
      return Promise.resolve(trimmed);
    },
  };
}
