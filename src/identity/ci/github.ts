/**
 * GitHub Actions: `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=<aud>` with the runner's request token, as
 * @actions/core's getIDToken does (the URL already carries `?api-version=2.0`). A fresh token per call: they live 5 min.
 */
import type { CiTokenSource } from '../types.js';
import { type CiHttpDeps, requestCiToken } from './http.js';

export function createGitHubTokenSource(
  requestUrl: string,
  requestToken: string,
  deps: CiHttpDeps = {},
): CiTokenSource {
  return {
    kind: 'github',
    getToken(audience, signal) {
      const separator = requestUrl.includes('?') ? '&' : '?';
      return requestCiToken(
        {
          provider: 'GitHub Actions',
          url: `${requestUrl}${separator}audience=${encodeURIComponent(audience)}`,
          init: { method: 'GET', headers: { Authorization: `Bearer ${requestToken}`, Accept: 'application/json' } },
          field: 'value',
          hintFor: (status) =>
            status === 401 || status === 403
              ? "The job's OIDC request token was rejected. Give the job `permissions: id-token: write`; the request token lives about 6 hours, so a very long job must finish its sign-in before then."
              : 'GitHub rejected the OIDC token request. Check that ACTIONS_ID_TOKEN_REQUEST_URL is the unmodified value the runner set.',
        },
        deps,
        signal,
      );
    },
  };
}
