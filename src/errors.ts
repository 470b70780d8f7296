/**
 * One error type for the whole program. Callers switch on `code`; `hint` is the fix in words a platform engineer
 * can act on; `details` carries the facts a diagnosis printed (issuer, subject, verb...), never a token.
 */
export const EXIT_CODES = {
  ERR_SETTINGS_MISSING: 2,
  ERR_SETTINGS_INVALID: 2,
  ERR_SETTINGS_CONFLICT: 2,
  ERR_MANIFEST_INVALID: 2,

  ERR_CI_TOKEN_NOT_FOUND: 3,
  ERR_CI_TOKEN_REQUEST: 3,
  ERR_CI_TOKEN_INVALID: 3,
  ERR_CI_TOKEN_FILE: 3,
  ERR_ENTRA_NO_MATCHING_FIC: 3,
  ERR_ENTRA_ISSUER_MISMATCH: 3,
  ERR_ENTRA_AUDIENCE_MISMATCH: 3,
  ERR_ENTRA_SUBJECT_MISMATCH: 3,
  ERR_ENTRA_SUBJECT_CASE: 3,
  ERR_ENTRA_ASSERTION_TIME: 3,
  ERR_ENTRA_APP_NOT_FOUND: 3,
  ERR_ENTRA_TENANT_NOT_FOUND: 3,
  ERR_ENTRA_INVALID_ASSERTION: 3,
  ERR_ENTRA_NO_FIC: 3,
  ERR_ENTRA_SIGNATURE: 3,
  ERR_ENTRA_CLIENT_SECRET: 3,
  ERR_ENTRA_EXCHANGE: 3,
  ERR_ENTRA_UNREACHABLE: 3,
  ERR_CLOCK_SKEW: 3,

  ERR_KUBE_UNAUTHORIZED: 4,
  ERR_KUBE_FORBIDDEN: 4,
  ERR_KUBE_TLS: 4,
  ERR_KUBE_UNREACHABLE: 4,
  ERR_KUBE_NAMESPACE_NOT_FOUND: 4,
  ERR_KUBE_REQUEST: 4,
  ERR_KUBECONFIG_WRITE: 4,
  ERR_LEAST_PRIVILEGE: 4,
  ERR_ARGO_CRD_MISSING: 4,
  ERR_AKS_DISCOVERY: 4,

  ERR_ARGO_TEMPLATE_NOT_FOUND: 2,
  ERR_ARGO_WORKFLOW_NOT_FOUND: 2,
  ERR_ARGO_REJECTED: 2,
  ERR_ARGO_OPERATION: 2,
  ERR_ARGO_WORKFLOW_FAILED: 1,
  ERR_ARGO_TIMEOUT: 5,
  ERR_CANCELLED: 6,

  ERR_INTERNAL: 10,
} as const;

export type ErrorCode = keyof typeof EXIT_CODES;

export interface ErrorOptions {
  readonly cause?: unknown;
  readonly hint?: string;
  readonly details?: Readonly<Record<string, string>>;
}

export class ArgoEntraError extends Error {
  override readonly name = 'ArgoEntraError';
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

export function isArgoEntraError(value: unknown): value is ArgoEntraError {
  return value instanceof ArgoEntraError;
}

/** Anything thrown that is not ours is a bug: keep it, but give it a code so the exit path stays uniform. */
export function toArgoEntraError(value: unknown): ArgoEntraError {
  if (isArgoEntraError(value)) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new ArgoEntraError('ERR_INTERNAL', `Unexpected error: ${message}`, {
    cause: value,
    hint: 'This is a bug in argo-entra. Re-run with ARGO_ENTRA_DEBUG=1 and report the output (it contains no tokens).',
  });
}
