/**
 * The one HTTP exchange GitHub and Azure DevOps token sources share: send, retry transient faults (429 honouring
 * Retry-After, 5xx, resets, per-attempt timeouts) with capped jittered backoff, then pick the JWT out of the JSON.
 * Terminal failures become coded errors that name the status and the endpoint, never a token or bearer.
 */
import { ArgoEntraError } from '../../errors.js';
import { retry, parseRetryAfterHeader } from '../../util/retry.js';
import { type Clock, type Sleep, realSleep, systemClock } from '../../util/time.js';
import { looksLikeJwt, redactJwtLike } from '../jwt.js';

export interface CiHttpDeps {
  readonly fetchImpl?: typeof fetch;
  readonly sleep?: Sleep;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly maxAttempts?: number;
  readonly baseMs?: number;
  readonly capMs?: number;
  /** per-attempt timeout; a hung endpoint counts as transient */
  readonly attemptTimeoutMs?: number;
}

export interface CiTokenRequest {
  /** 'GitHub Actions' / 'Azure DevOps', for messages */
  readonly provider: string;
  readonly url: string;
  readonly init: RequestInit;
  /** JSON field holding the JWT: `value` (GitHub), `oidcToken` (Azure DevOps) */
  readonly field: string;
  /** the fix for a terminal HTTP status (401/403/400...) */
  readonly hintFor: (status: number) => string;
}

const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);

class TransientStatus extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`HTTP ${status}`);
  }
}

/** Where the request went, without the query (GitHub's URL carries run identifiers, not secrets, but stay terse). */
function endpointOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: ErrorLike;
}

// Duck-typed on purpose: fetch's errors may come from another realm (a VM context), where instanceof fails.
const asErrorLike = (e: unknown): ErrorLike => (typeof e === 'object' && e !== null ? (e as ErrorLike) : {});

function isNetworkError(error: unknown): boolean {
  // undici reports resets, refused connections and TLS failures as TypeError('fetch failed', { cause }).
  const name = asErrorLike(error).name;
  return name === 'TypeError' || name === 'TimeoutError';
}

function describeCause(error: unknown): string {
  if (error instanceof TransientStatus) return `HTTP ${error.status}`;
  const e = asErrorLike(error);
  const c = e.cause;
  const detail =
    typeof c?.code === 'string'
      ? c.code
      : typeof c?.message === 'string'
        ? c.message
        : typeof e.message === 'string'
          ? e.message
          : String(error);
  return redactJwtLike(detail);
}

async function errorDetail(res: Response): Promise<string> {
  try {
    const text = await res.text();
    const parsed = JSON.parse(text) as { message?: unknown };
    return typeof parsed.message === 'string' ? `: ${redactJwtLike(parsed.message).slice(0, 300)}` : '';
  } catch {
    return '';
  }
}

export async function requestCiToken(req: CiTokenRequest, deps: CiHttpDeps, signal?: AbortSignal): Promise<string> {
  const fetchImpl = deps.fetchImpl ?? fetch;
  const clock = deps.clock ?? systemClock;
  const endpoint = endpointOf(req.url);
  let attempts = 0;

  let res: Response;
  try {
    res = await retry(
      async () => {
        attempts += 1;
        const timeout = AbortSignal.timeout(deps.attemptTimeoutMs ?? 30_000);
        const r = await fetchImpl(req.url, {
          ...req.init,
          signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
        });
        if (TRANSIENT_STATUS.has(r.status)) {
          await r.body?.cancel();
          throw new TransientStatus(r.status, parseRetryAfterHeader(r.headers.get('retry-after'), clock.now()));
        }
        return r;
      },
      {
        isTransient: (e) => e instanceof TransientStatus || isNetworkError(e),
        retryAfterMs: (e) => (e instanceof TransientStatus ? e.retryAfterMs : undefined),
        maxAttempts: deps.maxAttempts ?? 5,
        baseMs: deps.baseMs ?? 500,
        capMs: deps.capMs ?? 8_000,
        sleep: deps.sleep ?? realSleep,
        ...(deps.random === undefined ? {} : { random: deps.random }),
        ...(signal === undefined ? {} : { signal }),
      },
    );
  } catch (error) {
    if (signal?.aborted === true) {
      throw new ArgoEntraError('ERR_CANCELLED', `Cancelled while requesting the ${req.provider} OIDC token`, {
        cause: error,
      });
    }
    const status = error instanceof TransientStatus ? String(error.status) : 'none';
    throw new ArgoEntraError(
      'ERR_CI_TOKEN_REQUEST',
      `${req.provider} OIDC token request to ${endpoint} failed after ${attempts} attempt(s): ${describeCause(error)}`,
      {
        cause: error,
        hint: `The ${req.provider} token service kept failing or was unreachable; this is usually an outage on its side. Re-run the job; check the provider's status page if it persists.`,
        details: { status, endpoint, attempts: String(attempts) },
      },
    );
  }

  if (!res.ok) {
    const detail = await errorDetail(res);
    throw new ArgoEntraError(
      'ERR_CI_TOKEN_REQUEST',
      `${req.provider} OIDC token request to ${endpoint} was refused with HTTP ${res.status}${detail}`,
      { hint: req.hintFor(res.status), details: { status: String(res.status), endpoint } },
    );
  }

  let body: unknown;
  try {
    body = await res.json();
  } catch (cause) {
    throw new ArgoEntraError('ERR_CI_TOKEN_INVALID', `${req.provider} OIDC token reply from ${endpoint} is not JSON`, {
      cause,
      hint: `Expected {"${req.field}": "<jwt>"}. Check that the request URL points at the ${req.provider} token service.`,
      details: { endpoint },
    });
  }
  const token = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[req.field] : undefined;
  if (typeof token !== 'string' || !looksLikeJwt(token)) {
    throw new ArgoEntraError(
      'ERR_CI_TOKEN_INVALID',
      `${req.provider} OIDC token reply from ${endpoint} has no JWT in "${req.field}"`,
      {
        hint: `Expected {"${req.field}": "<header>.<payload>.<signature>"}. Check that the request URL points at the ${req.provider} token service.`,
        details: { endpoint },
      },
    );
  }
  return token;
}
