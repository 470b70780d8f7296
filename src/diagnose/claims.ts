/**
 * The Entra access-token claims a 401 diagnosis reads: the identity stage's decoder (decoded without verification:
 * we only explain what we sent, never trust it; nothing here holds the token itself).
 */
import { audiences as claimAudiences, type ClaimSummary, tryDecodeClaims } from '../identity/jwt.js';

export type AccessTokenClaims = ClaimSummary;

/** Undefined when the token is not a JWT (an opaque token cannot be explained from its claims). */
export const decodeAccessTokenClaims: (token: string) => AccessTokenClaims | undefined = tryDecodeClaims;

export function audiences(claims: AccessTokenClaims): string[] {
  return [...claimAudiences(claims)];
}

export function isoSeconds(epochSeconds: number | undefined): string | undefined {
  return epochSeconds === undefined ? undefined : new Date(epochSeconds * 1000).toISOString();
}
