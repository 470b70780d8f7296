import { explainAadsts, ficCreateCommand, parseAadsts, subjectHelp } from '../../../src/diagnose/aadsts.js';
import type { ClaimSummary } from '../../../src/identity/jwt.js';

const CLIENT = '11111111-1111-1111-1111-111111111111';
const TENANT = '22222222-2222-2222-2222-222222222222';
const ISS = 'https://token.actions.githubusercontent.com';
const SUB = 'repo:octo-org/octo-repo:environment:prod';
const AUD = 'api://AzureADTokenExchange';
const claims: ClaimSummary = {
  iss: ISS,
  sub: SUB,
  aud: AUD,
  environment: 'prod',
  nbf: 1_795_950_000,
  iat: 1_795_950_300,
  exp: 1_795_950_600,
};
const ctx = {
  clientId: CLIENT,
  tenantId: TENANT,
  authorityHost: 'https://login.microsoftonline.com',
  ciClaims: claims,
};

/** The message shape @azure/identity 4.14 produces (AuthenticationRequiredError, codes only in here). */
const msal = (error: string, code: number, text: string): string =>
  `${error}: Error(s): ${code} - Timestamp: 2026-11-29 11:18:29Z - Description: AADSTS${code}: ${text}\r\nTrace ID: c4d923b2-c6c7-4210-b66d-4c50877d0a74\r\nCorrelation ID: 25990b63-3153-4802-939d-c5a2e66bcb96\r\nTimestamp: 2026-11-29 11:18:29Z - Correlation ID: 25990b63-3153-4802-939d-c5a2e66bcb96 - Trace ID: c4d923b2-c6c7-4210-b66d-4c50877d0a74`;

const command = ficCreateCommand(CLIENT, ISS, SUB, AUD);

describe('explainAadsts', () => {
  it.each([
    [
      70021,
      'invalid_request',
      `No matching federated identity record found for presented assertion. Assertion Issuer: '${ISS}'. Assertion Subject: '${SUB}'. Assertion Audience: '${AUD}'.`,
      'ERR_ENTRA_NO_MATCHING_FIC',
      [command, 'propagated'],
    ],
    [
      700211,
      'invalid_client',
      `No matching federated identity record found for presented assertion issuer '${ISS}'.`,
      'ERR_ENTRA_ISSUER_MISMATCH',
      [command, 'byte for byte'],
    ],
    [
      700212,
      'invalid_client',
      `No matching federated identity record found for presented assertion audience '${AUD}'.`,
      'ERR_ENTRA_AUDIENCE_MISMATCH',
      [command, AUD],
    ],
    [
      700213,
      'invalid_client',
      `No matching federated identity record found for presented assertion subject '${SUB}'.`,
      'ERR_ENTRA_SUBJECT_MISMATCH',
      [command, 'environment wins over the branch', "environment 'prod'"],
    ],
    [
      7002138,
      'invalid_client',
      `No matching federated identity record found for presented assertion subject '${SUB}'. case-insensitive`,
      'ERR_ENTRA_SUBJECT_CASE',
      [command, 'case'],
    ],
    [
      700024,
      'invalid_client',
      'Client assertion is not within its valid time range. Current time: 2026-11-29T11:18:29.7200000Z, assertion valid from 2026-11-29T10:13:29.0000000Z, expiry time of assertion 2026-11-29T10:23:29.0000000Z.',
      'ERR_ENTRA_ASSERTION_TIME',
      ['2026-11-29T11:18:29.7200000Z', new Date(1_795_950_600_000).toISOString(), 'NTP'],
    ],
    [
      700016,
      'unauthorized_client',
      `Application with identifier '${CLIENT}' was not found in the directory '${TENANT}'.`,
      'ERR_ENTRA_APP_NOT_FOUND',
      [CLIENT, 'client-id'],
    ],
    [90002, 'invalid_tenant', `Tenant '${TENANT}' not found.`, 'ERR_ENTRA_TENANT_NOT_FOUND', ['tenant-id']],
    [
      50013,
      'invalid_client',
      'Assertion failed signature validation.',
      'ERR_ENTRA_INVALID_ASSERTION',
      [`${ISS}/.well-known/openid-configuration`],
    ],
    [
      70025,
      'invalid_client',
      `The client '${CLIENT}'(app) has no configured federated identity credentials.`,
      'ERR_ENTRA_NO_FIC',
      [command],
    ],
    [700027, 'invalid_client', 'Client assertion failed signature validation.', 'ERR_ENTRA_SIGNATURE', ['JWKS']],
    [7000215, 'invalid_client', 'Invalid client secret provided.', 'ERR_ENTRA_CLIENT_SECRET', ['secret']],
    [500011, 'invalid_resource', 'The resource principal named x was not found.', 'ERR_ENTRA_EXCHANGE', ['/.default']],
    [9999999, 'invalid_request', 'Something new.', 'ERR_ENTRA_EXCHANGE', ['code=9999999']],
  ] as const)('AADSTS%d -> %s', (code, error, text, expected, hintParts) => {
    const err = explainAadsts(msal(error, code, text), { ...ctx, localNowMs: Date.parse('2026-11-29T11:18:30Z') });
    expect(err?.code).toBe(expected);
    expect(err?.details['aadsts']).toBe(String(code));
    for (const part of hintParts) expect(err?.hint).toContain(part);
    expect(err?.details['correlationId']).toBe('25990b63-3153-4802-939d-c5a2e66bcb96');
  });

  it('falls back to the values Entra echoed when the CI claims are unknown', () => {
    const err = explainAadsts(
      msal(
        'invalid_request',
        70021,
        `No matching federated identity record found for presented assertion. Assertion Issuer: 'https://i'. Assertion Subject: 's'. Assertion Audience: 'a'.`,
      ),
      { ...ctx, ciClaims: undefined },
    );
    expect(err?.hint).toContain(ficCreateCommand(CLIENT, 'https://i', 's', 'a'));
  });

  it('reports the clock skew against Entra for 700024', () => {
    const err = explainAadsts(
      msal(
        'invalid_client',
        700024,
        'Client assertion is not within its valid time range. Current time: 2026-11-29T11:00:00.0000000Z, assertion valid from 2026-11-29T10:13:29.0000000Z, expiry time of assertion 2026-11-29T10:23:29.0000000Z.',
      ),
      { ...ctx, localNowMs: Date.parse('2026-11-29T10:20:00Z') },
    );
    expect(err?.hint).toContain('-2400 s from Entra');
  });

  it('returns undefined without an AADSTS code', () => {
    expect(explainAadsts('getaddrinfo ENOTFOUND login.example', ctx)).toBeUndefined();
  });

  it('parses the bare MSAL "Error(s):" list when the description is missing', () => {
    expect(parseAadsts('invalid_client: Error(s): 700213 - Timestamp: x')?.primary).toBe(700213);
  });

  it('never echoes a JWT found in the message', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    const err = explainAadsts(msal('invalid_request', 9999998, `weird ${jwt}`), ctx);
    expect(`${err?.message} ${err?.hint}`).not.toContain(jwt);
  });
});

describe('ficCreateCommand and subjectHelp', () => {
  it('builds a shell-safe az command with exact values', () => {
    expect(ficCreateCommand('c', 'https://i', "it's", 'a')).toBe(
      `az ad app federated-credential create --id c --parameters '{"name":"argo-entra-it-s","issuer":"https://i","subject":"it'\\''s","audiences":["a"]}'`,
    );
  });

  it.each([
    ['repo:o@1/r@2:ref:refs/heads/main', 'immutable OWNER@ID/REPO@ID'],
    ['sc://org/proj/conn', 'sc://ORGANIZATION/PROJECT'],
    ['system:serviceaccount:ns:sa', 'system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT'],
    ['project_path:g/p:ref_type:branch:ref:main', 'project_path:GROUP/PROJECT'],
    ['other', ''],
  ])('%s', (sub, expected) => {
    expect(subjectHelp(undefined, sub)).toContain(expected);
  });
});
