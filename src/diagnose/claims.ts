import { decodeJwt } from 'jose';

/**
 * The Entra access-token claims a 401 diagnosis reads. Decoded without verification: we only explain what we
 * sent, we never trust it. Nothing here holds the token itself.
 */
export interface AccessTokenClaims {
  readonly aud?: string | readonly string[] | undefined;
  readonly iss?: string | undefined;
  readonly ver?: string | undefined;
  readonly exp?: number | undefined;
  readonly nbf?: number | undefined;
  readonly iat?: number | undefined;
  readonly tid?: string | undefined;
  readonly oid?: string | undefined;
  readonly appid?: string | undefined;
  readonly azp?: string | undefined;
  readonly idtyp?: string | undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Undefined when the token is not a JWT (an opaque token cannot be explained from its claims). */
export function decodeAccessTokenClaims(token: string): AccessTokenClaims | undefined {
  let payload: Record<string, unknown>;
  try {
    payload = decodeJwt(token);
  } catch {
    return undefined;
  }
  const aud = payload['aud'];
  return {
    aud:
      typeof aud === 'string'
        ? aud
        : Array.isArray(aud)
          ? aud.filter((a): a is string => typeof a === 'string')
          : undefined,
    iss: str(payload['iss']),
    ver: str(payload['ver']),
    exp: num(payload['exp']),
    nbf: num(payload['nbf']),
    iat: num(payload['iat']),
    tid: str(payload['tid']),
    oid: str(payload['oid']),
    appid: str(payload['appid']),
    azp: str(payload['azp']),
    idtyp: str(payload['idtyp']),
  };
}

export function audiences(claims: AccessTokenClaims): string[] {
  return claims.aud === undefined ? [] : typeof claims.aud === 'string' ? [claims.aud] : [...claims.aud];
}

export function isoSeconds(epochSeconds: number | undefined): string | undefined {
  return epochSeconds === undefined ? undefined : new Date(epochSeconds * 1000).toISOString();
}
