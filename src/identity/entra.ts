/**
 * CI token -> Entra access token through @azure/identity's ClientAssertionCredential, with an in-memory cache that
 * refreshes ahead of expiry. @azure/identity is imported lazily: the kubectl credential plugin must start fast when
 * its own file cache is still valid, and that path never reaches here.
 *
 * No retry loop here: @azure/identity (MSAL) already retries 429/5xx/resets on the token endpoint, and AADSTS
 * errors are configuration errors that retrying would only delay.
 */
import type { ClientAssertionCredential, ClientAssertionCredentialOptions } from '@azure/identity';
import { explainAadsts } from '../diagnose/aadsts.js';
import { ArgoEntraError, isArgoEntraError } from '../errors.js';
import type { IdentitySettings } from '../settings/types.js';
import { type Clock, systemClock } from '../util/time.js';
import { probeAuthority } from './authority-probe.js';
import { type ClaimSummary, redactJwtLike, tryDecodeClaims } from './jwt.js';
import type { AccessToken, AccessTokenProvider, CiTokenSource } from './types.js';

export const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;

/** Hosts where MSAL's instance discovery (a call to login.microsoftonline.com) is valid; anything else skips it. */
const KNOWN_AUTHORITY_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoft.com',
  'login.windows.net',
  'login.microsoftonline.us',
  'login.usgovcloudapi.net',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
]);

export interface EntraProviderOptions {
  readonly clock?: Clock;
  /** refresh when less than this remains (default 5 min; capped at half the token's lifetime) */
  readonly refreshMarginMs?: number;
  /** called with every CI token and access token the moment it exists, so the reporter can mask it */
  readonly onToken?: (secret: string) => void;
  /** used only to diagnose a failed OpenID-configuration load (default: global fetch) */
  readonly fetchImpl?: typeof fetch;
  /** test seam for the lazily loaded module */
  readonly loadIdentity?: () => Promise<Pick<typeof import('@azure/identity'), 'ClientAssertionCredential'>>;
}

export interface EntraTokenProvider extends AccessTokenProvider {
  /** claims of the last CI token presented to Entra (for diagnostics and the audit stamp) */
  readonly lastAssertionClaims: () => ClaimSummary | undefined;
}

interface Cached {
  readonly token: AccessToken;
  readonly obtainedAtMs: number;
}

export function needsInstanceDiscovery(authorityHost: string): boolean {
  try {
    return KNOWN_AUTHORITY_HOSTS.has(new URL(authorityHost).hostname.toLowerCase());
  } catch {
    return false;
  }
}

/**
 * The margin actually applied: the configured one, but never more than half the token's lifetime. Without the cap a
 * 60 s token (shorter than a 5 min margin) would count as "due" the moment it arrived and be re-fetched on every
 * call; half-life refresh still leaves the caller half the lifetime to use the token it was handed.
 */
export function effectiveMarginMs(marginMs: number, lifetimeMs: number): number {
  return Math.min(marginMs, Math.max(0, lifetimeMs) / 2);
}

const NETWORK_HINTS =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|socket hang up|network|endpoints_resolution_error|fetch failed|timed? ?out/i;
const TLS_HINTS = /certificate|self[- ]signed|UNABLE_TO_VERIFY|CERT_|SSL|TLS/i;

export function createEntraTokenProvider(
  identity: IdentitySettings,
  ci: CiTokenSource,
  opts: EntraProviderOptions = {},
): EntraTokenProvider {
  const clock = opts.clock ?? systemClock;
  const marginMs = opts.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
  const onToken = opts.onToken ?? ((): void => undefined);
  const load = opts.loadIdentity ?? (() => import('@azure/identity'));

  let credential: ClientAssertionCredential | undefined;
  let cached: Cached | undefined;
  let inflight: Promise<AccessToken> | undefined;
  let lastClaims: ClaimSummary | undefined;
  // Per exchange: @azure/identity calls getAssertion without arguments, so the signal and CI failure travel here.
  let currentSignal: AbortSignal | undefined;
  let ciError: unknown;

  let assertion: Promise<string> | undefined;

  const mintAssertion = async (): Promise<string> => {
    try {
      const token = await ci.getToken(identity.audience, currentSignal);
      onToken(token);
      lastClaims = tryDecodeClaims(token);
      return token;
    } catch (error) {
      ciError = error;
      throw error;
    }
  };
  // MSAL evaluates the assertion callback more than once per acquisition (request and client configuration, even
  // before its cache check). One CI token per exchange is enough: it is valid for minutes, retries included.
  const getAssertion = (): Promise<string> => (assertion ??= mintAssertion());

  async function credentialFor(): Promise<ClientAssertionCredential> {
    if (credential !== undefined) return credential;
    const { ClientAssertionCredential: Credential } = await load();
    const options: ClientAssertionCredentialOptions = {
      authorityHost: identity.authorityHost,
      disableInstanceDiscovery: !needsInstanceDiscovery(identity.authorityHost),
    };
    credential = new Credential(identity.tenantId, identity.clientId, getAssertion, options);
    return credential;
  }

  async function translate(error: unknown, signal: AbortSignal | undefined): Promise<ArgoEntraError> {
    if (ciError !== undefined && isArgoEntraError(ciError)) return ciError;
    if (signal?.aborted === true) {
      return new ArgoEntraError('ERR_CANCELLED', 'Cancelled while signing in to Microsoft Entra ID', { cause: error });
    }
    if (isArgoEntraError(error)) return error;
    const raw =
      typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
    const message = redactJwtLike(raw);
    const explained = explainAadsts(message, {
      clientId: identity.clientId,
      tenantId: identity.tenantId,
      authorityHost: identity.authorityHost,
      ciClaims: lastClaims,
      localNowMs: clock.now(),
    });
    if (explained !== undefined) return explained;
    if (/endpoints_resolution_error/.test(message)) return probeAuthority(identity, opts.fetchImpl);
    const details = { clientId: identity.clientId, tenantId: identity.tenantId, authorityHost: identity.authorityHost };
    if (TLS_HINTS.test(message)) {
      return new ArgoEntraError('ERR_ENTRA_UNREACHABLE', `TLS to ${identity.authorityHost} failed: ${message}`, {
        hint: 'The authority host presented a certificate this machine does not trust. Behind a TLS-inspecting proxy, add its CA with NODE_EXTRA_CA_CERTS=<file>.',
        details,
      });
    }
    // After @azure/identity's own retries a 429/5xx surfaces with no AADSTS code ("Error(s): Not Available").
    if (NETWORK_HINTS.test(message) || /Error\(s\): Not Available/.test(message)) {
      return new ArgoEntraError(
        'ERR_ENTRA_UNREACHABLE',
        `Cannot reach Microsoft Entra ID at ${identity.authorityHost}: ${message}`,
        {
          hint: 'Entra was unreachable or kept answering with throttling/server errors after @azure/identity retried. Check outbound HTTPS to the authority host (proxy, firewall, DNS) and re-run.',
          details,
        },
      );
    }
    return new ArgoEntraError('ERR_ENTRA_EXCHANGE', `Microsoft Entra ID token exchange failed: ${message}`, {
      hint: 'Re-run with ARGO_ENTRA_DEBUG=1 for details (no tokens are printed).',
      details,
    });
  }

  async function exchange(signal: AbortSignal | undefined): Promise<AccessToken> {
    currentSignal = signal;
    ciError = undefined;
    assertion = undefined;
    const startedAt = clock.now();
    const options = signal === undefined ? {} : { abortSignal: signal };
    // Mint the CI token while @azure/identity loads (~100 ms on a cold start): MSAL asks for it next anyway, and
    // gets this same promise. A failure surfaces when MSAL awaits it; the catch only keeps it from being unhandled.
    getAssertion().catch(() => undefined);
    let result;
    try {
      result = await (await credentialFor()).getToken(identity.scope, options);
      if (cached !== undefined && result.token === cached.token.token) {
        // MSAL answered from its own cache, whose clock or margin disagrees with ours (a margin over its 5 min
        // renewal offset, an injected clock). A new credential starts with an empty cache; this costs one extra
        // discovery request, only on this path.
        credential = undefined;
        assertion = undefined;
        result = await (await credentialFor()).getToken(identity.scope, options);
      }
    } catch (error) {
      throw await translate(error, signal);
    }
    onToken(result.token);
    // @azure/identity stamps expiry with the wall clock (Date.now() + expires_in). Keep only the remaining lifetime
    // and re-anchor it on our clock, so an injected clock sees a consistent expiry (identical in production).
    const lifetimeMs = result.expiresOnTimestamp - Date.now();
    const token: AccessToken = { token: result.token, expiresOnMs: clock.now() + lifetimeMs };
    cached = { token, obtainedAtMs: startedAt };
    return token;
  }

  return {
    lastAssertionClaims: () => lastClaims,
    async getToken(signal) {
      signal?.throwIfAborted();
      if (cached !== undefined) {
        const lifetime = cached.token.expiresOnMs - cached.obtainedAtMs;
        if (clock.now() < cached.token.expiresOnMs - effectiveMarginMs(marginMs, lifetime)) return cached.token;
      }
      // Concurrent callers share one exchange instead of minting several CI tokens.
      inflight ??= exchange(signal).finally(() => {
        inflight = undefined;
      });
      return inflight;
    },
  };
}
