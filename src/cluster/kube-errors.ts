/**
 * Pure mapping from what the API server (or the network) did to one coded ArgoEntraError, and the rule that says
 * which of those failures may be retried. Kept free of I/O so the whole table is unit-tested.
 *
 * Nothing here ever copies a request/response header or a non-Status body into an error: a proxy's HTML error page
 * or an echoed header could carry a token.
 */
import { parseForbiddenMessage } from './forbidden.js';
import { ArgoEntraError } from '../errors.js';
import type { KubeStatus } from './types.js';

/** OpenSSL / Node codes that mean "the TLS handshake or certificate check failed", never worth a retry. */
const TLS_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'HOSTNAME_MISMATCH',
  'EPROTO',
]);

const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'ERR_KUBE_TIMEOUT',
]);

/** Where in the exchange a network error happened: decides whether a non-idempotent POST may be re-sent. */
export type FailurePhase = 'connect' | 'sent' | 'stream';

export function isTlsErrorCode(code: string): boolean {
  return TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_');
}

/** A Node error code from an error or its cause chain (undici and AggregateError nest them). */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (typeof current === 'object') {
      const code = (current as { code?: unknown }).code;
      if (typeof code === 'string') return code;
      const inner = (current as { errors?: unknown }).errors;
      if (Array.isArray(inner) && inner.length > 0) {
        current = inner[0];
        continue;
      }
      current = (current as { cause?: unknown }).cause;
    } else {
      return undefined;
    }
  }
  return undefined;
}

export function mapNetworkError(error: unknown, server: string, phase: FailurePhase): ArgoEntraError {
  const code = networkErrorCode(error) ?? 'UNKNOWN';
  if (isTlsErrorCode(code)) {
    return new ArgoEntraError('ERR_KUBE_TLS', `TLS verification of ${server} failed: ${code}`, {
      cause: error,
      hint: tlsHint(code),
      details: { server, tlsCode: code },
    });
  }
  if (UNREACHABLE_CODES.has(code)) {
    const what = phase === 'stream' ? 'lost the connection to' : 'could not reach';
    return new ArgoEntraError('ERR_KUBE_UNREACHABLE', `Kubernetes API: ${what} ${server} (${code})`, {
      cause: error,
      hint: 'Check the server URL and that this runner can reach it (private cluster endpoint, firewall, authorized IP ranges, proxy).',
      details: { server, errno: code, phase },
    });
  }
  return new ArgoEntraError('ERR_KUBE_REQUEST', `Kubernetes API request to ${server} failed: ${code}`, {
    cause: error,
    details: { server, errno: code, phase },
  });
}

function tlsHint(code: string): string {
  switch (code) {
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'HOSTNAME_MISMATCH':
      return 'The server certificate does not name this host: use the server URL the certificate was issued for (check its SANs).';
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      return "The server certificate is outside its validity period: check the cluster certificate and this runner's clock.";
    default:
      return "The server certificate does not chain to the configured CA: set the cluster CA (base64 PEM, as in the cluster's kubeconfig certificate-authority-data). Skipping verification is possible only by name (insecure-skip-tls-verify).";
  }
}

/** A Kubernetes Status object, if the body is one; anything else is treated as opaque and never echoed. */
export function asKubeStatus(body: unknown): KubeStatus | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const candidate = body as Record<string, unknown>;
  if (candidate['kind'] !== 'Status') return undefined;
  const status: { -readonly [K in keyof KubeStatus]: KubeStatus[K] } = { kind: 'Status' };
  if (typeof candidate['status'] === 'string') status.status = candidate['status'];
  if (typeof candidate['message'] === 'string') status.message = candidate['message'];
  if (typeof candidate['reason'] === 'string') status.reason = candidate['reason'];
  if (typeof candidate['code'] === 'number') status.code = candidate['code'];
  const details = candidate['details'];
  if (typeof details === 'object' && details !== null) {
    const d = details as Record<string, unknown>;
    const out: { name?: string; group?: string; kind?: string } = {};
    if (typeof d['name'] === 'string') out.name = d['name'];
    if (typeof d['group'] === 'string') out.group = d['group'];
    if (typeof d['kind'] === 'string') out.kind = d['kind'];
    status.details = out;
  }
  return status;
}

export interface ForbiddenFacts {
  readonly user?: string;
  readonly verb?: string;
  readonly resource?: string;
  readonly group?: string;
  readonly namespace?: string;
  readonly path?: string;
  /** AKS with Azure RBAC appends its own sentence: the fix is an Azure role assignment, not a RoleBinding. */
  readonly azureRbac?: boolean;
}

/** The 403 facts as error details: only what the message states (resource keeps its subresource, as RBAC names it). */
export function parseForbiddenFacts(message: string): ForbiddenFacts {
  const info = parseForbiddenMessage(message);
  if (info === undefined) return {};
  const facts: { -readonly [K in keyof ForbiddenFacts]: ForbiddenFacts[K] } = {
    user: info.user,
    verb: info.verb,
    group: info.group,
  };
  if (info.resource) facts.resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  if (info.namespace !== undefined) facts.namespace = info.namespace;
  if (info.path !== undefined) {
    facts.path = info.path;
    delete facts.group;
  }
  if (info.azureRbac) facts.azureRbac = true;
  return facts;
}

export interface HttpFailure {
  readonly status: number;
  /** parsed JSON body, or undefined when the body was not JSON */
  readonly body: unknown;
  readonly method: string;
  readonly path: string;
  readonly retryAfter?: string | undefined;
}

export function mapHttpError(failure: HttpFailure, server: string): ArgoEntraError {
  const status = asKubeStatus(failure.body);
  const reason = status?.reason ?? '';
  const message = status?.message ?? '';
  const base: Record<string, string> = {
    server,
    status: String(failure.status),
    method: failure.method,
    path: failure.path,
  };
  if (reason) base['reason'] = reason;
  if (message) base['message'] = message;
  if (failure.retryAfter !== undefined) base['retryAfter'] = failure.retryAfter;
  // Which object a 404/409 was about (Status details), so a diagnosis can tell a missing namespace from a missing object.
  if (status?.details?.kind !== undefined) base['kind'] = status.details.kind;
  if (status?.details?.name !== undefined) base['name'] = status.details.name;

  if (failure.status === 401) {
    return new ArgoEntraError(
      'ERR_KUBE_UNAUTHORIZED',
      `The Kubernetes API server ${server} rejected the token (401 Unauthorized)`,
      {
        hint: "The Entra token was not accepted: check that the cluster trusts this tenant's issuer and that the scope's resource is an audience the cluster accepts (AKS: 6dae42f8-4368-4678-94ff-3960e28e3630/.default), and that the token is not expired (clock skew).",
        details: base,
      },
    );
  }
  if (failure.status === 403) {
    const facts = parseForbiddenFacts(message);
    const details = { ...base };
    for (const [key, value] of Object.entries(facts)) {
      if (value !== undefined) details[key] = String(value);
    }
    const what =
      facts.verb && (facts.resource ?? facts.path)
        ? `${facts.verb} ${facts.resource ?? facts.path}${facts.namespace ? ` in namespace ${facts.namespace}` : ''}`
        : `${failure.method} ${failure.path}`;
    return new ArgoEntraError(
      'ERR_KUBE_FORBIDDEN',
      `Forbidden: ${facts.user ? `${facts.user} may not ` : 'not allowed to '}${what}${message ? ` (${message})` : ''}`,
      { hint: forbiddenHint(facts), details },
    );
  }
  const label = reason ? `${failure.status} ${reason}` : String(failure.status);
  return new ArgoEntraError(
    'ERR_KUBE_REQUEST',
    `Kubernetes API ${failure.method} ${failure.path} failed: ${label}${message ? `: ${message}` : ''}`,
    { details: base },
  );
}

function forbiddenHint(facts: ForbiddenFacts): string {
  if (facts.azureRbac) {
    return 'The cluster uses Azure RBAC for Kubernetes: assign the identity an Azure role on the cluster or namespace scope (e.g. "Azure Kubernetes Service RBAC Writer"), then wait a few minutes for propagation.';
  }
  const who = facts.user ? `"${facts.user}"` : 'the identity (its object id)';
  if (facts.verb && facts.resource) {
    const group = facts.group ? ` (apiGroup ${facts.group})` : ' (core apiGroup "")';
    const scope = facts.namespace
      ? `a Role + RoleBinding in namespace ${facts.namespace}`
      : 'a ClusterRole + ClusterRoleBinding';
    return `Grant ${who} the verb "${facts.verb}" on "${facts.resource}"${group} with ${scope}.`;
  }
  return `Grant ${who} the needed permission with RBAC (Role + RoleBinding in the target namespace).`;
}

/** Statuses that mean "not processed, try again later" (API priority & fairness, overloaded or restarting server). */
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);
/** Network errors worth another attempt. TLS, DNS (ENOTFOUND) and timeouts after the body was sent are not. */
const TRANSIENT_NETWORK: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ERR_KUBE_TIMEOUT',
]);

export interface RetryContext {
  /** false for POST that creates something: re-sending it could create a second workflow */
  readonly idempotent: boolean;
  /** ECONNREFUSED is only retried for a short window (an API server restarting), then reported */
  readonly refusedWindowOpen: boolean;
}

/**
 * The retry rule. A non-idempotent request is re-sent only when we know the server never received it: a connect
 * failure, or a 429 (API priority & fairness rejects before any handler runs). A 5xx or a reset after the body
 * was sent may have created the object already.
 */
export function isTransientKubeError(error: unknown, ctx: RetryContext): boolean {
  if (!(error instanceof ArgoEntraError)) return false;
  const status = Number(error.details['status']);
  if (error.code === 'ERR_KUBE_REQUEST' && TRANSIENT_STATUSES.has(status)) {
    return ctx.idempotent || status === 429;
  }
  if (error.code !== 'ERR_KUBE_UNREACHABLE' && error.code !== 'ERR_KUBE_REQUEST') return false;
  const errno = error.details['errno'];
  if (errno === undefined || !TRANSIENT_NETWORK.has(errno)) return false;
  if (errno === 'ECONNREFUSED' && !ctx.refusedWindowOpen) return false;
  if (ctx.idempotent) return true;
  return error.details['phase'] === 'connect';
}
