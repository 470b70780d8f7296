/**
 * Azure DevOps: `POST ${SYSTEM_OIDCREQUESTURI}?api-version=7.1&serviceConnectionId=<id>` with System.AccessToken.
 * The audience is fixed by Azure DevOps (api://AzureADTokenExchange); the argument is not sent.
 */
import type { CiTokenSource } from '../types.js';
import { type CiHttpDeps, requestCiToken } from './http.js';

export function createAzureDevOpsTokenSource(
  oidcRequestUri: string,
  accessToken: string,
  serviceConnectionId: string,
  deps: CiHttpDeps = {},
): CiTokenSource {
  return {
    kind: 'azure-devops',
    getToken(_audience, signal) {
      const separator = oidcRequestUri.includes('?') ? '&' : '?';
      const query = `api-version=7.1&serviceConnectionId=${encodeURIComponent(serviceConnectionId)}`;
      return requestCiToken(
        {
          provider: 'Azure DevOps',
          url: `${oidcRequestUri}${separator}${query}`,
          init: {
            method: 'POST',
            headers: {
              Authorization: `Bearer ${accessToken}`,
              'Content-Type': 'application/json',
              Accept: 'application/json',
            },
            body: '{}',
          },
          field: 'oidcToken',
          hintFor: (status) =>
            status === 401 || status === 403
              ? 'Azure DevOps rejected System.AccessToken. Map it into the step explicitly (env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)) and check the job has not been running so long that it expired.'
              : `Azure DevOps refused to mint a token for service connection ${serviceConnectionId}. Check the id is a workload-identity-federation service connection and that this pipeline is authorized to use it.`,
        },
        deps,
        signal,
      );
    },
  };
}
