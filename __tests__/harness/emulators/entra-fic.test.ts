import {
  type FederatedIdentityCredential,
  globMatches,
  matchFederatedCredential,
  parseClaimsExpression,
} from './entra-fic.js';

const ISS = 'https://token.actions.githubusercontent.com';
const SUB = 'repo:octo-org/octo-repo:ref:refs/heads/main';
const AUD = 'api://AzureADTokenExchange';

const fic = (over: Partial<FederatedIdentityCredential>): FederatedIdentityCredential => ({
  name: 'f',
  issuer: ISS,
  subject: SUB,
  audiences: [AUD],
  ...over,
});

const flex = (value: string): FederatedIdentityCredential => ({
  name: 'flex',
  issuer: ISS,
  claimsMatchingExpression: { value, languageVersion: 1 },
  audiences: [AUD],
});

const assertion = (
  over: Partial<{ iss: string; sub: string; aud: string[]; claims: Record<string, unknown> }> = {},
) => {
  const sub = over.sub ?? SUB;
  return {
    iss: ISS,
    aud: [AUD],
    ...over,
    sub,
    claims: { sub, job_workflow_ref: 'octo-org/wf/.github/workflows/d.yml@refs/heads/main', ...over.claims },
  };
};

describe('FIC matching (exact, case-sensitive, whitespace-sensitive)', () => {
  it.each([
    ['exact match', [fic({})], assertion(), 'match'],
    ['no credentials', [], assertion(), 'no-credentials'],
    ['issuer differs', [fic({ issuer: 'https://other' })], assertion(), 'issuer'],
    ['issuer trailing slash', [fic({ issuer: `${ISS}/` })], assertion(), 'issuer'],
    ['issuer leading whitespace', [fic({ issuer: ` ${ISS}` })], assertion(), 'issuer'],
    ['issuer case', [fic({ issuer: ISS.toUpperCase() })], assertion(), 'issuer'],
    ['subject differs', [fic({ subject: 'repo:octo-org/octo-repo:ref:refs/heads/dev' })], assertion(), 'subject'],
    ['subject case only', [fic({ subject: SUB.replace('octo-repo', 'Octo-Repo') })], assertion(), 'subject-case'],
    ['subject trailing space', [fic({ subject: `${SUB} ` })], assertion(), 'subject'],
    ['audience differs', [fic({ audiences: ['api://AzureADTokenExchangeUSGov'] })], assertion(), 'audience'],
    ['audience in token list', [fic({})], assertion({ aud: ['x', AUD] }), 'match'],
    ['second credential matches', [fic({ subject: 'repo:a/b:pull_request' }), fic({})], assertion(), 'match'],
    [
      'flexible matches *',
      [flex("claims['sub'] matches 'repo:octo-org/octo-repo:ref:refs/heads/*'")],
      assertion({ sub: 'repo:octo-org/octo-repo:ref:refs/heads/feature/x' }),
      'match',
    ],
    [
      'flexible ? is one char',
      [flex("claims['sub'] matches 'repo:octo-org/octo-repo:ref:refs/heads/v?'")],
      assertion({ sub: 'repo:octo-org/octo-repo:ref:refs/heads/v10' }),
      'subject',
    ],
    [
      'flexible and + eq',
      [
        flex(
          "claims['sub'] matches 'repo:octo-org/*' and claims['job_workflow_ref'] eq 'octo-org/wf/.github/workflows/d.yml@refs/heads/main'",
        ),
      ],
      assertion(),
      'match',
    ],
    [
      'flexible and fails one side',
      [flex("claims['sub'] matches 'repo:octo-org/*' and claims['job_workflow_ref'] eq 'nope'")],
      assertion(),
      'subject',
    ],
    ['flexible is case-sensitive', [flex("claims['sub'] matches 'REPO:*'")], assertion(), 'subject'],
  ] as const)('%s', (_name, credentials, presented, expected) => {
    expect(matchFederatedCredential(credentials as unknown as FederatedIdentityCredential[], presented).kind).toBe(
      expected,
    );
  });

  it('parses expressions and rejects bad syntax', () => {
    expect(parseClaimsExpression("claims['sub'] eq 'a'")).toEqual({ op: 'eq', claim: 'sub', value: 'a' });
    expect(() => parseClaimsExpression("claims['sub'] == 'a'")).toThrow();
    expect(() => parseClaimsExpression("claims['sub'] eq 'a' or claims['x'] eq 'b'")).toThrow();
    expect(() => parseClaimsExpression("claims['sub'] eq 'a")).toThrow();
  });

  it.each([
    ['a*', 'abc', true],
    ['a*', 'a', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a.c', 'abc', false],
    ['(x)*', '(x)yz', true],
  ])('glob %s vs %s', (pattern, value, expected) => {
    expect(globMatches(pattern, value)).toBe(expected);
  });
});
