import { join } from 'node:path';
import { createKubeClient, type ClosableKubeClient } from '../cluster/kube-client.js';
import { writeKubeconfig } from '../cluster/kubeconfig.js';
import { decodeAccessTokenClaims } from '../diagnose/claims.js';
import { explainUnauthorized } from '../diagnose/kube-errors.js';
import { assertPreflight, formatPreflight, runPreflight } from '../diagnose/preflight.js';
import { requiredAccess } from '../diagnose/rbac.js';
import { createCiTokenSource } from '../identity/ci/index.js';
import { createEntraTokenProvider } from '../identity/entra.js';
import { summarizeClaims, type ClaimSummary } from '../identity/jwt.js';
import { writeTokenCache } from '../identity/token-cache.js';
import { credentialExecUser } from '../settings/credential.js';
import type { AccessToken, AccessTokenProvider } from '../identity/types.js';
import type { Settings } from '../settings/types.js';
import type { MainDeps } from './main.js';

export interface PreparedAccess {
  readonly client: ClosableKubeClient;
  readonly tokens: AccessTokenProvider;
  readonly dir: string;
  readonly kubeconfigPath: string;
  /** claims of the last CI token presented to Entra (for the audit stamp and diagnostics) */
  readonly ciClaims: () => ClaimSummary | undefined;
  readonly accessClaims: ClaimSummary;
  readonly accessToken: AccessToken;
  readonly username: string | undefined;
  readonly groups: readonly string[];
}

export const TOKEN_CACHE_FILE = 'token-cache.json';

/** Identity and cluster stages: CI token -> Entra token -> private dir, kubeconfig, client -> preflight. */
export async function prepareAccess(settings: Settings, deps: MainDeps, dir: string): Promise<PreparedAccess> {
  const { reporter, clock } = deps;
  const ci = createCiTokenSource(settings.identity.ciSource);
  // onToken masks every CI token and access token the moment it exists.
  const tokens = createEntraTokenProvider(settings.identity, ci, { clock, onToken: (secret) => reporter.secret(secret) });

  const accessToken = await reporter.group('Sign in to Microsoft Entra ID', async () => {
    const token = await tokens.getToken(deps.cancel);
    const claims = summarizeClaims(token.token);
    const ciClaims = tokens.lastAssertionClaims();
    reporter.info(`CI identity (${settings.identity.ciSource.kind}): sub=${ciClaims?.sub ?? '?'} iss=${ciClaims?.iss ?? '?'}`);
    reporter.info(
      `Entra token: app ${claims.appid ?? claims.azp ?? settings.identity.clientId}, object id ${claims.oid ?? '?'}, tenant ${claims.tid ?? settings.identity.tenantId}, ` +
        `audience ${String(claims.aud ?? '?')}, v${claims.ver ?? '?'}, expires ${new Date(token.expiresOnMs).toISOString()}`,
    );
    return token;
  });
  const accessClaims = summarizeClaims(accessToken.token);

  const cachePath = join(dir, TOKEN_CACHE_FILE);
  await writeTokenCache(cachePath, accessToken);
  const user =
    settings.cluster.kubeconfigMode === 'exec'
      ? credentialExecUser(settings.identity, { ...deps.credentialPlugin, cachePath })
      : ({ mode: 'token', token: accessToken.token } as const);
  const { path: kubeconfigPath } = await writeKubeconfig({ dir, cluster: settings.cluster, user });
  reporter.setOutput('kubeconfig', kubeconfigPath);
  if (settings.cluster.exportKubeconfig) reporter.exportVariable('KUBECONFIG', kubeconfigPath);
  reporter.info(`Kubeconfig (${settings.cluster.kubeconfigMode} mode, namespace ${settings.cluster.namespace}) written to ${kubeconfigPath}`);

  const client = createKubeClient({
    server: settings.cluster.server,
    caData: settings.cluster.caData,
    insecureSkipTlsVerify: settings.cluster.insecureSkipTlsVerify,
    tokenProvider: tokens,
    sleep: deps.sleep,
    clock,
  });

  let username: string | undefined;
  let groups: readonly string[] = [];
  if (settings.report.preflight || settings.report.diagnoseOnly) {
    const result = await reporter.group('Preflight: who am I, and may I?', async () => {
      const outcome = await runPreflight(client, {
        namespace: settings.cluster.namespace,
        checks: requiredAccess(settings.operation, settings),
        leastPrivilege: settings.report.leastPrivilege,
        template: settings.workflow.source,
      });
      for (const line of formatPreflight(outcome)) reporter.info(line);
      for (const warning of outcome.warnings) reporter.warning(warning);
      for (const note of outcome.notes) reporter.debug(note);
      return outcome;
    });
    username = result.user?.username;
    groups = result.user?.groups ?? [];
    try {
      assertPreflight(result);
    } catch (error) {
      throw explainIfUnauthorized(error, accessToken.token, clock.now());
    }
  }
  return { client, tokens, dir, kubeconfigPath, ciClaims: tokens.lastAssertionClaims, accessClaims, accessToken, username, groups };
}

/** A bare 401 says nothing; the claims of the token we sent usually say which check the cluster failed. */
export function explainIfUnauthorized(error: unknown, token: string, nowMs: number): unknown {
  if (error instanceof Error && 'code' in error && error.code === 'ERR_KUBE_UNAUTHORIZED') {
    return explainUnauthorized({ claims: decodeAccessTokenClaims(token), nowMs, cause: error });
  }
  return error;
}
