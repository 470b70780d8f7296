import { join } from 'node:path';
import { createKubeClient, type ClosableKubeClient } from '../cluster/kube-client.js';
import { writeKubeconfig } from '../cluster/kubeconfig.js';
import { withSignal } from '../cluster/with-signal.js';
import { decodeAccessTokenClaims } from '../diagnose/claims.js';
import {
  checkClockSkew,
  clockSentence,
  entraDiscoveryUrl,
  sampleKubeDate,
  sampleUrlDate,
  type DateSample,
} from '../diagnose/clock.js';
import { explainingClient, isExplained } from '../diagnose/explain-kube.js';
import { explainUnauthorized } from '../diagnose/kube-errors.js';
import { ArgoEntraError, isArgoEntraError } from '../errors.js';
import type { KubeClient } from '../cluster/types.js';
import type { Clock } from '../util/time.js';
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
  const tokens = createEntraTokenProvider(settings.identity, ci, {
    clock,
    onToken: (secret) => reporter.secret(secret),
  });

  // Entra's Date header, sampled alongside the sign-in: the clock check costs no extra wait.
  const entraDate = sampleEntraDate(settings, clock);
  const signInStartedMs = clock.now();
  const accessToken = await reporter.group('Sign in to Microsoft Entra ID', async () => {
    let token: AccessToken;
    try {
      token = await tokens.getToken(deps.cancel);
    } catch (error) {
      throw withClockFacts(error, [await entraDate]);
    }
    const claims = summarizeClaims(token.token);
    const ciClaims = tokens.lastAssertionClaims();
    reporter.info(
      `CI identity (${settings.identity.ciSource.kind}): sub=${ciClaims?.sub ?? '?'} iss=${ciClaims?.iss ?? '?'}`,
    );
    reporter.info(
      `Entra token: app ${claims.appid ?? claims.azp ?? settings.identity.clientId}, object id ${claims.oid ?? '?'}, tenant ${claims.tid ?? settings.identity.tenantId}, ` +
        `audience ${String(claims.aud ?? '?')}, v${claims.ver ?? '?'}, expires ${new Date(token.expiresOnMs).toISOString()}`,
    );
    return token;
  });
  const accessClaims = summarizeClaims(accessToken.token);

  const cachePath = join(dir, TOKEN_CACHE_FILE);
  // obtainedOnMs lets the plugin scale its refresh margin to the token's lifetime (short tokens: half of it).
  await writeTokenCache(cachePath, { ...accessToken, obtainedOnMs: signInStartedMs });
  const user =
    settings.cluster.kubeconfigMode === 'exec'
      ? credentialExecUser(settings.identity, { ...deps.credentialPlugin, cachePath })
      : ({ mode: 'token', token: accessToken.token } as const);
  const { path: kubeconfigPath } = await writeKubeconfig({ dir, cluster: settings.cluster, user });
  // Only a kubeconfig that outlives this process is worth pointing later steps at (the CLI removes it on exit
  // unless the command is `kubeconfig`).
  if (deps.keepCredentials) {
    reporter.setOutput('kubeconfig', kubeconfigPath);
    if (settings.cluster.exportKubeconfig) reporter.exportVariable('KUBECONFIG', kubeconfigPath);
  }
  reporter.info(
    `Kubeconfig (${settings.cluster.kubeconfigMode} mode, namespace ${settings.cluster.namespace}) written to ${kubeconfigPath}`,
  );

  let lastSent: string | undefined = accessToken.token;
  const raw = createKubeClient({
    server: settings.cluster.server,
    caData: settings.cluster.caData,
    insecureSkipTlsVerify: settings.cluster.insecureSkipTlsVerify,
    tokenProvider: {
      getToken: async (signal) => {
        const t = await tokens.getToken(signal);
        lastSent = t.token;
        return t;
      },
    },
    sleep: deps.sleep,
    clock,
  });
  // Clock skew against Entra and the API server: a warning in a normal run (doctor fails on it).
  const samples = Promise.all([entraDate, sampleKubeDate(raw, clock)]);
  const skew = checkClockSkew((await samples).filter((x): x is DateSample => x !== undefined));
  if (skew.error !== undefined) reporter.warning(`${skew.error.message} ${skew.error.hint ?? ''}`);
  // Every Kubernetes call from here on (preflight, submit, wait, operations) fails explained: 401/403/404/TLS.
  const client = explainingClient(raw, {
    server: settings.cluster.server,
    caData: settings.cluster.caData,
    accessToken: () => lastSent,
    objectId: accessClaims.oid,
    clock,
    clockNote: async () => clockSentence(await samples),
  }) as ClosableKubeClient;

  let username: string | undefined;
  let groups: readonly string[] = [];
  if (settings.report.preflight || settings.report.diagnoseOnly) {
    const result = await reporter.group('Preflight: who am I, and may I?', async () => {
      const outcome = await runPreflight(withSignal(client, deps.cancel), {
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
  return {
    client,
    tokens,
    dir,
    kubeconfigPath,
    ciClaims: tokens.lastAssertionClaims,
    accessClaims,
    accessToken,
    username,
    groups,
  };
}

/** A bare 401 says nothing; the claims of the token we sent usually say which check the cluster failed. */
export function explainIfUnauthorized(error: unknown, token: string, nowMs: number): unknown {
  if (isExplained(error)) return error;
  if (error instanceof Error && 'code' in error && error.code === 'ERR_KUBE_UNAUTHORIZED') {
    return explainUnauthorized({ claims: decodeAccessTokenClaims(token), nowMs, cause: error });
  }
  return error;
}

/** GET Entra's (public) discovery document for its Date header; never rejects, gives up after 5 s. */
export function sampleEntraDate(settings: Settings, clock: Clock): Promise<DateSample | undefined> {
  const { authorityHost, tenantId } = settings.identity;
  let host = authorityHost;
  try {
    host = new URL(authorityHost).host;
  } catch {
    // keep the raw value in the label
  }
  return sampleUrlDate(
    `Entra (${host})`,
    entraDiscoveryUrl(authorityHost, tenantId),
    clock,
    fetch,
    AbortSignal.timeout(5_000),
  );
}

/** The API server's Date, read with a bare request (a 401 carries a Date too), so it works before any sign-in. */
export function sampleServerDate(settings: Settings, clock: Clock): Promise<DateSample | undefined> {
  const probe: KubeClient = createKubeClient({
    server: settings.cluster.server,
    caData: settings.cluster.caData,
    insecureSkipTlsVerify: settings.cluster.insecureSkipTlsVerify,
    tokenProvider: { getToken: async () => ({ token: '', expiresOnMs: Number.MAX_SAFE_INTEGER }) },
    maxAttempts: 1,
    clock,
  });
  return sampleKubeDate(probe, clock).finally(() => (probe as ClosableKubeClient).close());
}

/** AADSTS700024 (assertion outside its time window): add the measured skew against Entra to the message and fix. */
export function withClockFacts(error: unknown, samples: ReadonlyArray<DateSample | undefined>): unknown {
  if (!isArgoEntraError(error) || error.code !== 'ERR_ENTRA_ASSERTION_TIME') return error;
  const sentence = clockSentence(samples);
  if (sentence === undefined) return error;
  return new ArgoEntraError(error.code, `${error.message} ${sentence}`, {
    cause: error,
    hint: `${sentence} ${error.hint ?? ''}`.trim(),
    details: { ...error.details, clock: sentence },
  });
}
