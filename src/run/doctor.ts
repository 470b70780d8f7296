import { createKubeClient, type ClosableKubeClient } from '../cluster/kube-client.js';
import { whoAmI } from '../cluster/access.js';
import { decodeAccessTokenClaims } from '../diagnose/claims.js';
import { checkClockSkew, describeSkew, measureSkew, type DateSample } from '../diagnose/clock.js';
import { explainKubeError, explainingClient } from '../diagnose/explain-kube.js';
import { runPreflight } from '../diagnose/preflight.js';
import { describeCheck, requiredAccess } from '../diagnose/rbac.js';
import { describeCertificate } from '../diagnose/tls.js';
import { probeServerCertificates } from '../diagnose/tls-probe.js';
import { type ArgoEntraError, toArgoEntraError } from '../errors.js';
import { createCiTokenSource } from '../identity/ci/index.js';
import { createEntraTokenProvider } from '../identity/entra.js';
import { audiences, summarizeClaims, tryDecodeClaims } from '../identity/jwt.js';
import type { AccessToken } from '../identity/types.js';
import type { Settings } from '../settings/types.js';
import { sampleEntraDate, sampleServerDate, withClockFacts } from './access.js';
import type { MainDeps } from './main.js';

/**
 * `doctor` (CLI) and `diagnose-only: true` (action): every identity and access check, one report line each
 * (ok / FAIL / warn / skip), nothing submitted and no kubeconfig written. Checks go on after a failure when later
 * ones still mean something (an RBAC denial does not stop the over-privilege check; the clock is checked even when
 * Entra refused us) and stop where they cannot (no cluster checks without an Entra token). Ends by throwing the
 * first problem, so the exit code and `error-code` output are that problem's.
 *
 * Tokens: every token is passed to reporter.secret() the moment it exists; only decoded claims are printed.
 */

type Status = 'ok' | 'FAIL' | 'warn' | 'skip';

const iso = (s: number | undefined): string => (s === undefined ? '?' : new Date(s * 1000).toISOString());

export async function runDoctor(settings: Settings, deps: MainDeps): Promise<number> {
  const { reporter, clock } = deps;
  const problems: ArgoEntraError[] = [];
  const lines: string[] = [];
  const line = (status: Status, check: string, text: string): void => {
    const l = `${status.padEnd(5)} ${check.padEnd(16)} ${text}`;
    lines.push(l);
    reporter.info(l);
  };
  const fail = (check: string, error: unknown): ArgoEntraError => {
    const e = toArgoEntraError(error);
    problems.push(e);
    line('FAIL', check, `[${e.code}] ${e.message}`);
    // The first problem's fix is printed with the final error; the others' here, right under their line.
    if (problems.length > 1 && e.hint !== undefined) for (const h of e.hint.split('\n')) reporter.info(`      ${h}`);
    return e;
  };

  reporter.info('argo-entra doctor: every check, nothing submitted');
  const { identity, cluster } = settings;
  line(
    'ok',
    'settings',
    `operation ${settings.operation}, namespace ${cluster.namespace}, server ${cluster.server}, client-id ${identity.clientId}, tenant ${identity.tenantId}, CI token source ${identity.ciSource.kind}`,
  );

  if (cluster.aks !== undefined) {
    // runMain resolved it through ARM before doctor started (a failure there ends the run with its own error).
    line('ok', 'aks', `${cluster.aks.id}: API server and CA from ${cluster.aks.armEndpoint} listClusterUserCredential`);
  }

  // Entra's and the API server's clocks are read now, independently of any sign-in.
  const entraDate = sampleEntraDate(settings, clock);
  const serverDate = sampleServerDate(settings, clock);

  // ---- CI token
  const ci = createCiTokenSource(identity.ciSource);
  let ciToken: string | undefined;
  try {
    ciToken = await ci.getToken(identity.audience, deps.cancel);
    reporter.secret(ciToken);
    const c = tryDecodeClaims(ciToken);
    line(
      c === undefined ? 'warn' : 'ok',
      'ci-token',
      c === undefined
        ? `${identity.ciSource.kind}: the token is not a JWT (Entra will refuse it)`
        : `${identity.ciSource.kind}: iss=${c.iss ?? '?'} sub=${c.sub ?? '?'} aud=${audiences(c).join(',')} valid ${iso(c.nbf ?? c.iat)} .. ${iso(c.exp)}`,
    );
  } catch (error) {
    fail('ci-token', error);
  }

  // ---- Entra exchange
  let accessToken: AccessToken | undefined;
  if (ciToken !== undefined) {
    const presented = ciToken;
    const tokens = createEntraTokenProvider(
      identity,
      { kind: ci.kind, getToken: async () => presented },
      { clock, onToken: (secret) => reporter.secret(secret) },
    );
    try {
      accessToken = await tokens.getToken(deps.cancel);
      const a = summarizeClaims(accessToken.token);
      line(
        'ok',
        'entra',
        `token for app ${a.appid ?? a.azp ?? identity.clientId}: oid=${a.oid ?? '?'} tid=${a.tid ?? '?'} aud=${audiences(a).join(',')} iss=${a.iss ?? '?'} ver=${a.ver ?? '?'} expires ${iso(a.exp)}`,
      );
    } catch (error) {
      fail('entra', withClockFacts(error, [await entraDate]));
    }
  } else {
    line('skip', 'entra', 'no CI token to exchange');
  }

  // ---- clock skew (meaningful whatever happened above)
  const samples = (await Promise.all([entraDate, serverDate])).filter((s): s is DateSample => s !== undefined);
  const skew = checkClockSkew(samples);
  if (skew.error !== undefined) fail('clock', skew.error);
  else if (samples.length === 0)
    line('warn', 'clock', 'neither Entra nor the API server sent a Date header: skew not measured');
  else
    line('ok', 'clock', `skew within 60 s: ${samples.map((s) => describeSkew(measureSkew(s)) ?? s.source).join('; ')}`);

  // ---- cluster checks need a token
  if (accessToken === undefined) {
    for (const c of ['tls', 'authentication', 'preflight']) line('skip', c, 'needs an Entra access token');
    return await finish(problems, lines, deps);
  }
  const token = accessToken;
  const raw: ClosableKubeClient = createKubeClient({
    server: cluster.server,
    caData: cluster.caData,
    insecureSkipTlsVerify: cluster.insecureSkipTlsVerify,
    tokenProvider: { getToken: async () => token },
    sleep: deps.sleep,
    clock,
    maxAttempts: 2,
  });
  const explainCtx = {
    server: cluster.server,
    caData: cluster.caData,
    accessToken: () => token.token,
    objectId: decodeAccessTokenClaims(token.token)?.oid,
    clock,
  };
  const client = explainingClient(raw, explainCtx);
  try {
    // ---- TLS
    try {
      await raw.request<unknown>({ method: 'GET', path: '/version', accept: [401, 403] });
      let chain = '';
      try {
        const leaf = (await probeServerCertificates(cluster.server))[0];
        if (leaf !== undefined) {
          const info = describeCertificate(leaf);
          chain = `: server certificate ${info.subject} issued by ${info.issuer}, valid to ${info.validTo}`;
        }
      } catch {
        // the verified request above is what counts
      }
      line(
        cluster.insecureSkipTlsVerify ? 'warn' : 'ok',
        'tls',
        `${cluster.insecureSkipTlsVerify ? 'NOT verified (insecure-skip-tls-verify)' : cluster.caData === undefined ? 'verified against the system trust store' : 'verified against ca-data'}${chain}`,
      );
    } catch (error) {
      fail('tls', await explainKubeError(error, explainCtx));
      for (const c of ['authentication', 'preflight']) line('skip', c, 'the API server could not be reached securely');
      return await finish(problems, lines, deps);
    }

    // ---- authentication (401)
    try {
      const me = await whoAmI(client);
      line(
        'ok',
        'authentication',
        me === undefined
          ? 'token accepted (SelfSubjectReview not served: Kubernetes < 1.28)'
          : `token accepted: username "${me.username}"${(me.groups ?? []).length === 0 ? '' : `, groups ${(me.groups ?? []).join(', ')}`}`,
      );
    } catch (error) {
      fail('authentication', error);
      line('skip', 'preflight', 'the API server did not accept the token');
      return await finish(problems, lines, deps);
    }

    // ---- access reviews, namespace, CRDs, template, over-privilege (runPreflight goes on after a denial)
    const result = await runPreflight(client, {
      namespace: cluster.namespace,
      checks: requiredAccess(settings.operation, settings),
      leastPrivilege: settings.report.leastPrivilege,
      template: settings.workflow.source,
    });
    for (const c of result.checks) line(c.allowed ? 'ok' : 'FAIL', 'access', describeCheck(c.check));
    for (const p of result.problems) fail(checkName(p), p);
    for (const w of result.warnings) line('warn', 'least-privilege', w);
    if (settings.report.leastPrivilege !== 'off' && result.overPrivilege.length === 0) {
      line('ok', 'least-privilege', 'no access beyond what the operation needs was found');
    }
    for (const n of result.notes) reporter.debug(n);
  } finally {
    raw.close();
  }
  return await finish(problems, lines, deps);
}

function checkName(error: ArgoEntraError): string {
  switch (error.code) {
    case 'ERR_KUBE_FORBIDDEN':
      return 'access';
    case 'ERR_LEAST_PRIVILEGE':
      return 'least-privilege';
    case 'ERR_ARGO_CRD_MISSING':
      return 'argo-crds';
    case 'ERR_KUBE_NAMESPACE_NOT_FOUND':
      return 'namespace';
    case 'ERR_ARGO_TEMPLATE_NOT_FOUND':
      return 'template';
    default:
      return 'preflight';
  }
}

async function finish(problems: readonly ArgoEntraError[], lines: readonly string[], deps: MainDeps): Promise<number> {
  const { reporter } = deps;
  const counts = { ok: 0, FAIL: 0, warn: 0, skip: 0 };
  for (const l of lines) {
    const status = l.slice(0, 5).trim() as Status;
    counts[status] += 1;
  }
  const summary = `doctor: ${counts.ok} ok, ${counts.FAIL} failed, ${counts.warn} warning(s), ${counts.skip} skipped; nothing was submitted.`;
  reporter.info(summary);
  await reporter.summary(['### argo-entra doctor', '', '```', ...lines, '```', '', summary, ''].join('\n'));
  const [first] = problems;
  if (first === undefined) return 0;
  reporter.info(`${problems.length} problem(s); the first one, with its fix, follows.`);
  throw first;
}
