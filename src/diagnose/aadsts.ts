/**
 * The AADSTS catalogue: turns an Entra error (as @azure/identity surfaces it: codes only inside the message) into a
 * coded error whose hint says what to change. Mismatch hints quote the exact issuer/subject/audience of the CI token
 * we presented (decoded claims, never the token) and the `az` command that would create a matching credential.
 */
import { ArgoEntraError, type ErrorCode } from '../errors.js';
import { audiences, type ClaimSummary, redactJwtLike } from '../identity/jwt.js';

export interface AadstsContext {
  readonly clientId: string;
  readonly tenantId: string;
  readonly authorityHost: string;
  /** decoded claims of the CI token that was presented, when one was */
  readonly ciClaims?: ClaimSummary | undefined;
  /** local clock at the time of the failure, epoch ms (for the clock-skew comparison) */
  readonly localNowMs?: number;
}

export interface ParsedAadsts {
  /** every AADSTS code in the message, first = primary */
  readonly codes: readonly number[];
  readonly primary: number;
  /** the `AADSTSnnnn: ...` sentence, up to the trace lines */
  readonly description: string;
  readonly issuer?: string;
  readonly subject?: string;
  readonly audience?: string;
  readonly currentTime?: string;
  readonly validFrom?: string;
  readonly expiry?: string;
  readonly traceId?: string;
  readonly correlationId?: string;
}

const first = (re: RegExp, text: string): string | undefined => re.exec(text)?.[1];
const TIME = '(\\d{4}-\\d{2}-\\d{2}T[0-9:.]+Z)';

export function parseAadsts(message: string): ParsedAadsts | undefined {
  const codes = [...message.matchAll(/AADSTS(\d{4,8})/g)].map((m) => Number(m[1]));
  // MSAL's own prefix ("Error(s): 700213 - ...") still counts when the description was cut off.
  if (codes.length === 0) {
    const listed = /Error\(s\):\s*([\d ,]+)/.exec(message)?.[1];
    for (const c of listed?.split(/[ ,]+/) ?? []) if (/^\d{4,8}$/.test(c)) codes.push(Number(c));
  }
  const primary = codes[0];
  if (primary === undefined) return undefined;
  const description = (
    first(/(AADSTS\d+:[\s\S]*?)(?:\r?\n|\s-\s|\s*Trace ID:|$)/, message) ?? `AADSTS${primary}`
  ).trim();
  const fields: Array<[keyof ParsedAadsts, string | undefined]> = [
    ['issuer', first(/Assertion Issuer: '([^']*)'/, message) ?? first(/assertion issuer '([^']*)'/, message)],
    ['subject', first(/Assertion Subject: '([^']*)'/, message) ?? first(/assertion subject '([^']*)'/, message)],
    ['audience', first(/Assertion Audience: '([^']*)'/, message) ?? first(/assertion audience '([^']*)'/, message)],
    ['currentTime', first(new RegExp(`Current time: ${TIME}`), message)],
    ['validFrom', first(new RegExp(`valid from ${TIME}`), message)],
    ['expiry', first(new RegExp(`expiry time of assertion ${TIME}`), message)],
    ['traceId', first(/Trace ID: ([0-9a-f-]{36})/i, message)],
    ['correlationId', first(/Correlation ID: ([0-9a-f-]{36})/i, message)],
  ];
  return {
    codes,
    primary,
    description: redactJwtLike(description),
    ...Object.fromEntries(fields.filter(([, v]) => v !== undefined)),
  };
}

interface Facts {
  readonly issuer: string | undefined;
  readonly subject: string | undefined;
  readonly audience: string | undefined;
}

/** Prefer the decoded CI token; fall back to what Entra echoed. */
function factsOf(p: ParsedAadsts, ctx: AadstsContext): Facts {
  const aud = ctx.ciClaims === undefined ? [] : audiences(ctx.ciClaims);
  return {
    issuer: ctx.ciClaims?.iss ?? p.issuer,
    subject: ctx.ciClaims?.sub ?? p.subject,
    audience: aud.includes('api://AzureADTokenExchange') ? 'api://AzureADTokenExchange' : (aud[0] ?? p.audience),
  };
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The `az` command that creates a credential matching exactly these values. */
export function ficCreateCommand(clientId: string, issuer: string, subject: string, audience: string): string {
  const name = `argo-entra-${subject.replace(/[^A-Za-z0-9_-]+/g, '-')}`
    .replace(/-+/g, '-')
    .replace(/-$/, '')
    .slice(0, 120);
  const parameters = JSON.stringify({ name, issuer, subject, audiences: [audience] });
  return `az ad app federated-credential create --id ${clientId} --parameters ${shellQuote(parameters)}`;
}

/** How the presented subject was built, for the CI systems whose rules people trip over. */
export function subjectHelp(claims: ClaimSummary | undefined, subject: string | undefined): string {
  const sub = subject ?? '';
  if (sub.startsWith('repo:')) {
    const parts = [
      'GitHub builds `sub` from the job: `repo:OWNER/REPO:environment:NAME` when the job has an `environment:` (the environment wins over the branch),',
      '`repo:OWNER/REPO:pull_request` for pull requests, `repo:OWNER/REPO:ref:refs/heads/BRANCH` or `repo:OWNER/REPO:ref:refs/tags/TAG` otherwise;',
      'repositories created after 2026-07-15 (or opted in) use the immutable form `repo:OWNER@OWNER_ID/REPO@REPO_ID:...`, and an org or repo can',
      'customise it with include_claim_keys. A `:` inside a value is sent as `%3A`. Matching is exact and case-sensitive.',
    ];
    if (claims?.environment !== undefined) {
      parts.push(`This job runs in environment '${claims.environment}', so its branch does not appear in \`sub\`.`);
    }
    if (/^repo:[^/]+@\d+\//.test(sub)) parts.push('This token uses the immutable OWNER@ID/REPO@ID form.');
    parts.push(
      'To accept every branch instead of one, use a flexible credential: claimsMatchingExpression {"value": "claims[\'sub\'] matches \'repo:OWNER/REPO:ref:refs/heads/*\'", "languageVersion": 1}.',
    );
    return parts.join(' ');
  }
  if (sub.startsWith('sc://')) {
    return 'Azure DevOps builds `sub` as sc://ORGANIZATION/PROJECT/SERVICE_CONNECTION_NAME (renaming the connection or project changes it); the service connection UI shows the expected issuer and subject.';
  }
  if (sub.startsWith('system:serviceaccount:')) {
    return 'Kubernetes builds `sub` as system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT of the pod; the issuer is the cluster OIDC issuer URL (az aks show --query oidcIssuerProfile.issuerUrl).';
  }
  if (sub.startsWith('project_path:')) {
    return 'GitLab builds `sub` as project_path:GROUP/PROJECT:ref_type:branch|tag:ref:NAME; the issuer is the GitLab instance URL.';
  }
  return '';
}

const PROPAGATION =
  'A credential created in the last few minutes may not have propagated yet (Entra answers 70021 meanwhile): wait 1-5 minutes and re-run.';

interface Entry {
  readonly code: ErrorCode;
  readonly cause: (f: Facts, ctx: AadstsContext, p: ParsedAadsts) => string;
  readonly fix: (f: Facts, ctx: AadstsContext, p: ParsedAadsts) => string;
}

function matchFix(f: Facts, ctx: AadstsContext, lead: string): string {
  const presented = `The CI token presented issuer '${f.issuer ?? '?'}', subject '${f.subject ?? '?'}', audience '${f.audience ?? '?'}'.`;
  const command =
    f.issuer !== undefined && f.subject !== undefined && f.audience !== undefined
      ? ` Create a credential that matches it exactly: ${ficCreateCommand(ctx.clientId, f.issuer, f.subject, f.audience)}`
      : '';
  const help = subjectHelp(ctx.ciClaims, f.subject);
  return [lead, presented + command, help].filter((s) => s !== '').join(' ');
}

function fmtTime(sec: number | undefined): string {
  return sec === undefined ? '?' : new Date(sec * 1000).toISOString();
}

function timeFix(_f: Facts, ctx: AadstsContext, p: ParsedAadsts): string {
  const entraNow = p.currentTime === undefined ? undefined : Date.parse(p.currentTime);
  const nbf = ctx.ciClaims?.nbf ?? ctx.ciClaims?.iat;
  const exp = ctx.ciClaims?.exp;
  const lines = [
    `Entra's current time: ${p.currentTime ?? '?'}; the token is valid from ${nbf === undefined ? (p.validFrom ?? '?') : fmtTime(nbf)} to ${exp === undefined ? (p.expiry ?? '?') : fmtTime(exp)}.`,
  ];
  if (entraNow !== undefined && ctx.localNowMs !== undefined) {
    const skewS = Math.round((ctx.localNowMs - entraNow) / 1000);
    lines.push(
      `This machine's clock reads ${new Date(ctx.localNowMs).toISOString()} (${skewS >= 0 ? '+' : ''}${skewS} s from Entra).`,
    );
  }
  lines.push(
    'If the token was valid on this machine but not at Entra, a clock is wrong: sync the runner (NTP) or the issuer. A token that cannot be re-minted (GitLab id_tokens, an explicit token, a stale token file) expires with its job step: sign in right after it is issued.',
  );
  return lines.join(' ');
}

/** code -> coded error, one-sentence cause, concrete fix. */
export const AADSTS_CATALOGUE: Readonly<Record<number, Entry>> = {
  70021: {
    code: 'ERR_ENTRA_NO_MATCHING_FIC',
    cause: (_f, ctx) => `No federated identity credential on app ${ctx.clientId} matches the presented CI token.`,
    fix: (f, ctx) => matchFix(f, ctx, PROPAGATION),
  },
  700211: {
    code: 'ERR_ENTRA_ISSUER_MISMATCH',
    cause: (f, ctx) => `No federated identity credential on app ${ctx.clientId} has issuer '${f.issuer ?? '?'}'.`,
    fix: (f, ctx) =>
      matchFix(
        f,
        ctx,
        'The issuer must match byte for byte: scheme, host, path, no trailing slash and no surrounding whitespace (GitHub Enterprise custom issuers end in /<enterprise>).',
      ),
  },
  700212: {
    code: 'ERR_ENTRA_AUDIENCE_MISMATCH',
    cause: (f, ctx) =>
      `The federated identity credentials of app ${ctx.clientId} do not accept audience '${f.audience ?? '?'}'.`,
    fix: (f, ctx) =>
      matchFix(
        f,
        ctx,
        "Use audience api://AzureADTokenExchange on both sides (the action's audience input and the credential's audiences; api://AzureADTokenExchangeUSGov / ...China in sovereign clouds).",
      ),
  },
  700213: {
    code: 'ERR_ENTRA_SUBJECT_MISMATCH',
    cause: (f, ctx) =>
      `No federated identity credential on app ${ctx.clientId} has subject '${f.subject ?? '?'}' for this issuer.`,
    fix: (f, ctx) => matchFix(f, ctx, ''),
  },
  7002138: {
    code: 'ERR_ENTRA_SUBJECT_CASE',
    cause: (f, ctx) =>
      `A federated identity credential on app ${ctx.clientId} matches subject '${f.subject ?? '?'}' only when case is ignored, and subject matching is case-sensitive.`,
    fix: (f, ctx) =>
      matchFix(
        f,
        ctx,
        'Change the credential subject to the exact case shown below (owner, repository, branch and environment names are case-sensitive).',
      ),
  },
  700024: {
    code: 'ERR_ENTRA_ASSERTION_TIME',
    cause: () => 'Entra considers the CI token expired or not yet valid.',
    fix: timeFix,
  },
  700016: {
    code: 'ERR_ENTRA_APP_NOT_FOUND',
    cause: (_f, ctx) => `Application ${ctx.clientId} does not exist in tenant ${ctx.tenantId}.`,
    fix: (_f, ctx) =>
      `Check client-id (the app registration's Application (client) ID, not its object id) and tenant-id, and that ${ctx.authorityHost} is the cloud the tenant lives in: az ad app show --id ${ctx.clientId} --query appId`,
  },
  90002: {
    code: 'ERR_ENTRA_TENANT_NOT_FOUND',
    cause: (_f, ctx) => `Tenant ${ctx.tenantId} was not found at ${ctx.authorityHost}.`,
    fix: () =>
      'Check tenant-id (a GUID from az account show --query tenantId) and the authority host (login.microsoftonline.us / login.chinacloudapi.cn for sovereign clouds).',
  },
  50013: {
    code: 'ERR_ENTRA_INVALID_ASSERTION',
    cause: (_f, _c, p) => `Entra rejected the CI token as an assertion (${p.description}).`,
    fix: (f) =>
      `The token may be malformed, expired, not RS256, an Entra token itself, or its issuer's OpenID configuration at ${f.issuer ?? '<issuer>'}/.well-known/openid-configuration may be unreachable or name a different issuer. Check that document is public and its "issuer" equals the token's iss exactly.`,
  },
  70025: {
    code: 'ERR_ENTRA_NO_FIC',
    cause: (_f, ctx) => `App ${ctx.clientId} has no federated identity credentials at all.`,
    fix: (f, ctx) => matchFix(f, ctx, PROPAGATION),
  },
  700027: {
    code: 'ERR_ENTRA_SIGNATURE',
    cause: (f) =>
      `Entra could not verify the CI token's signature with the keys issuer '${f.issuer ?? '?'}' publishes.`,
    fix: (f) =>
      `Entra reads the issuer's JWKS via ${f.issuer ?? '<issuer>'}/.well-known/openid-configuration (only RS256, only the first 100 keys). After a key rotation re-run; for a self-hosted issuer (GitHub Enterprise Server, an AKS OIDC issuer) make sure its JWKS is publicly reachable and current.`,
  },
  7000215: {
    code: 'ERR_ENTRA_CLIENT_SECRET',
    cause: () => 'Entra rejected a client secret.',
    fix: () =>
      'argo-entra signs in with a federated CI token and no secret; remove any client secret (AZURE_CLIENT_SECRET) from the job, or, if you must use one, send the secret value, not its id.',
  },
  500011: {
    code: 'ERR_ENTRA_EXCHANGE',
    cause: () => 'The resource in the requested scope does not exist in the tenant.',
    fix: () =>
      'Check the scope: for AKS it is 6dae42f8-4368-4678-94ff-3960e28e3630/.default; for ARM https://management.azure.com/.default.',
  },
  70011: {
    code: 'ERR_ENTRA_EXCHANGE',
    cause: () => 'The requested scope is not valid for a client-credentials request.',
    fix: () => 'Request exactly one resource with /.default, e.g. 6dae42f8-4368-4678-94ff-3960e28e3630/.default.',
  },
};

/**
 * A coded error for an Entra failure message, or undefined when the message carries no AADSTS code (then it is
 * a transport problem for the caller to classify).
 */
export function explainAadsts(message: string, ctx: AadstsContext): ArgoEntraError | undefined {
  const parsed = parseAadsts(message);
  if (parsed === undefined) return undefined;
  const facts = factsOf(parsed, ctx);
  const entry = AADSTS_CATALOGUE[parsed.primary];
  const details: Record<string, string> = {
    aadsts: String(parsed.primary),
    clientId: ctx.clientId,
    tenantId: ctx.tenantId,
    authorityHost: ctx.authorityHost,
    ...(facts.issuer === undefined ? {} : { issuer: facts.issuer }),
    ...(facts.subject === undefined ? {} : { subject: facts.subject }),
    ...(facts.audience === undefined ? {} : { audience: facts.audience }),
    ...(parsed.currentTime === undefined ? {} : { entraTime: parsed.currentTime }),
    ...(parsed.traceId === undefined ? {} : { traceId: parsed.traceId }),
    ...(parsed.correlationId === undefined ? {} : { correlationId: parsed.correlationId }),
  };
  if (entry === undefined) {
    return new ArgoEntraError(
      'ERR_ENTRA_EXCHANGE',
      `Microsoft Entra ID refused the token exchange: ${parsed.description}`,
      {
        hint: `See https://login.microsoftonline.com/error?code=${parsed.primary} for AADSTS${parsed.primary}.`,
        details,
      },
    );
  }
  return new ArgoEntraError(
    entry.code,
    `Microsoft Entra ID refused the token exchange (AADSTS${parsed.primary}): ${entry.cause(facts, ctx, parsed)}`,
    { hint: entry.fix(facts, ctx, parsed), details },
  );
}
