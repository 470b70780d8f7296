/**
 * AADSTS error replies in the real JSON shape (wire-facts section 2): `error`, `error_description` ending in
 * Trace ID / Correlation ID / Timestamp lines separated by \r\n, `error_codes`, `timestamp`, `trace_id`,
 * `correlation_id`, `error_uri`.
 */
import { randomUUID } from 'node:crypto';
import type { EmulatorReply } from './server.js';

const LEARN_WIF = 'https://learn.microsoft.com/entra/workload-id/workload-identity-federation';
const CHECK_FIC = `Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${LEARN_WIF}`;

export interface AadstsArgs {
  issuer?: string;
  subject?: string;
  audience?: string;
  clientId?: string;
  tenantId?: string;
  currentTime?: string;
  validFrom?: string;
  expiry?: string;
  detail?: string;
  resource?: string;
}

interface Entry {
  error: string;
  status: number;
  text: (a: AadstsArgs) => string;
}

/** code -> (error, HTTP status, description text). */
export const AADSTS: Readonly<Record<number, Entry>> = {
  70021: {
    error: 'invalid_request',
    status: 400,
    text: (a) =>
      `No matching federated identity record found for presented assertion. Assertion Issuer: '${a.issuer}'. Assertion Subject: '${a.subject}'. Assertion Audience: '${a.audience}'. ${LEARN_WIF}`,
  },
  700211: {
    error: 'invalid_client',
    status: 401,
    text: (a) =>
      `No matching federated identity record found for presented assertion issuer '${a.issuer}'. ${CHECK_FIC}`,
  },
  700212: {
    error: 'invalid_client',
    status: 401,
    text: (a) =>
      `No matching federated identity record found for presented assertion audience '${a.audience}'. ${CHECK_FIC}`,
  },
  700213: {
    error: 'invalid_client',
    status: 401,
    text: (a) =>
      `No matching federated identity record found for presented assertion subject '${a.subject}'. ${CHECK_FIC}`,
  },
  7002138: {
    error: 'invalid_client',
    status: 401,
    text: (a) =>
      `No matching federated identity record found for presented assertion subject '${a.subject}'. The subject matches a federated identity credential when compared case-insensitively, but subject matching is case-sensitive. ${CHECK_FIC}`,
  },
  700024: {
    error: 'invalid_client',
    status: 401,
    text: (a) =>
      `Client assertion is not within its valid time range. Current time: ${a.currentTime}, assertion valid from ${a.validFrom}, expiry time of assertion ${a.expiry}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`,
  },
  700016: {
    error: 'unauthorized_client',
    status: 400,
    text: (a) =>
      `Application with identifier '${a.clientId}' was not found in the directory '${a.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  },
  7000215: {
    error: 'invalid_client',
    status: 401,
    text: (a) =>
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${a.clientId}'.`,
  },
  7000218: {
    error: 'invalid_client',
    status: 401,
    text: () => `The request body must contain the following parameter: 'client_assertion' or 'client_secret'.`,
  },
  90002: {
    error: 'invalid_tenant',
    status: 400,
    text: (a) =>
      `Tenant '${a.tenantId}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  },
  50013: {
    error: 'invalid_client',
    status: 401,
    text: (a) => `Assertion failed signature validation. [Reason - ${a.detail ?? 'The assertion is invalid'}.]`,
  },
  70025: {
    error: 'invalid_client',
    status: 401,
    text: (a) => `The client '${a.clientId}'(argo-entra) has no configured federated identity credentials.`,
  },
  700027: {
    error: 'invalid_client',
    status: 401,
    text: (a) => `Client assertion failed signature validation. [Reason - ${a.detail ?? 'The key was not found.'}]`,
  },
  70003: {
    error: 'unsupported_grant_type',
    status: 400,
    text: () => `The app requested an unsupported grant type.`,
  },
  70011: {
    error: 'invalid_scope',
    status: 400,
    text: (a) =>
      `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. ${a.detail ?? ''}`.trim(),
  },
  500011: {
    error: 'invalid_resource',
    status: 400,
    text: (a) =>
      `The resource principal named ${a.resource} was not found in the tenant named ${a.tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
  },
};

/** ISO time with Entra's seven fractional digits: 2026-11-29T10:00:00.0000000Z */
export function entraTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

export function aadstsReply(code: number, args: AadstsArgs, nowMs: number, correlationId?: string): EmulatorReply {
  const entry = AADSTS[code];
  if (entry === undefined) throw new Error(`no AADSTS entry for ${code}`);
  const traceId = randomUUID();
  const correlation = correlationId ?? randomUUID();
  const timestamp = new Date(nowMs)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
  return {
    status: entry.status,
    json: {
      error: entry.error,
      error_description: `AADSTS${code}: ${entry.text(args)}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlation}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlation,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}
