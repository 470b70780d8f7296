/**
 * Reads a JWT's claims WITHOUT verifying it, for diagnostics only (what issuer/subject did we present, which app
 * did Entra put in the token). The summary holds names and times, never the token or its signature.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';

export interface ClaimSummary {
  readonly iss?: string;
  readonly sub?: string;
  readonly aud?: string | readonly string[];
  /** epoch seconds */
  readonly exp?: number;
  readonly nbf?: number;
  readonly iat?: number;
  readonly oid?: string;
  readonly tid?: string;
  readonly appid?: string;
  readonly azp?: string;
  readonly ver?: string;
  readonly idtyp?: string;
  readonly roles?: readonly string[];
  readonly groups?: readonly string[];
  /** true when Entra replaced `groups` by an overage pointer (_claim_names) */
  readonly groupsOverage?: boolean;
  /** GitHub context claims useful in a hint */
  readonly environment?: string;
  readonly ref?: string;
  readonly repository?: string;
  readonly job_workflow_ref?: string;
  readonly alg?: string;
  readonly kid?: string;
  readonly typ?: string;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Three base64url segments; cheap check before a token is used or sent anywhere. */
export function looksLikeJwt(value: string): boolean {
  return JWT_SHAPE.test(value);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const strs = (v: unknown): readonly string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;

/** The claims of `token`, or undefined if it is not a decodable JWT. */
export function tryDecodeClaims(token: string): ClaimSummary | undefined {
  let claims: Record<string, unknown>;
  let header: Record<string, unknown>;
  try {
    claims = decodeJwt(token);
    header = decodeProtectedHeader(token);
  } catch {
    return undefined;
  }
  const entries: Array<[string, unknown]> = [
    ['iss', str(claims['iss'])],
    ['sub', str(claims['sub'])],
    ['aud', str(claims['aud']) ?? strs(claims['aud'])],
    ['exp', num(claims['exp'])],
    ['nbf', num(claims['nbf'])],
    ['iat', num(claims['iat'])],
    ['oid', str(claims['oid'])],
    ['tid', str(claims['tid'])],
    ['appid', str(claims['appid'])],
    ['azp', str(claims['azp'])],
    ['ver', str(claims['ver'])],
    ['idtyp', str(claims['idtyp'])],
    ['roles', strs(claims['roles'])],
    ['groups', strs(claims['groups'])],
    ['groupsOverage', typeof claims['_claim_names'] === 'object' && claims['_claim_names'] !== null ? true : undefined],
    ['environment', str(claims['environment'])],
    ['ref', str(claims['ref'])],
    ['repository', str(claims['repository'])],
    ['job_workflow_ref', str(claims['job_workflow_ref'])],
    ['alg', str(header['alg'])],
    ['kid', str(header['kid'])],
    ['typ', str(header['typ'])],
  ];
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined)) as ClaimSummary;
}

/** Like tryDecodeClaims, but an undecodable token gives an empty summary: callers only print what is there. */
export function summarizeClaims(token: string): ClaimSummary {
  return tryDecodeClaims(token) ?? {};
}

/** The audiences as a list, whichever shape the token used. */
export function audiences(summary: ClaimSummary): readonly string[] {
  if (summary.aud === undefined) return [];
  return typeof summary.aud === 'string' ? [summary.aud] : summary.aud;
}

const JWT_ANYWHERE = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

/** Replaces anything JWT-shaped in free text (third-party error messages) before it reaches a message or log. */
export function redactJwtLike(text: string): string {
  return text.replace(JWT_ANYWHERE, '[redacted-jwt]');
}
