import type { CiSourceKind } from '../settings/types.js';

/** A source of CI OIDC tokens. `getToken` mints (or re-reads) a fresh token on every call: assertions are short-lived. */
export interface CiTokenSource {
  readonly kind: CiSourceKind;
  getToken(audience: string, signal?: AbortSignal): Promise<string>;
}

export interface AccessToken {
  readonly token: string;
  /** epoch milliseconds */
  readonly expiresOnMs: number;
}

/** Hands out a valid Entra access token, refreshing ahead of expiry. */
export interface AccessTokenProvider {
  getToken(signal?: AbortSignal): Promise<AccessToken>;
}
