/**
 * Federated identity credential matching as Entra does it: issuer, subject and audience compared exactly
 * (ordinal, case-sensitive, no trimming), or a flexible `claimsMatchingExpression` (languageVersion 1:
 * `claims['k'] matches 'glob'` with `*` and `?`, `claims['k'] eq 'v'`, joined by `and`).
 * Pure functions, so the self-tests can pin the edge cases without a server.
 */

export interface FederatedIdentityCredential {
  name: string;
  issuer: string;
  subject?: string;
  claimsMatchingExpression?: { value: string; languageVersion: 1 };
  audiences: string[];
  /** emulator clock (ms) from which the credential is visible: simulates propagation delay */
  activeFromMs?: number;
}

export type ClaimsExpression =
  | { op: 'and'; left: ClaimsExpression; right: ClaimsExpression }
  | { op: 'matches' | 'eq'; claim: string; value: string };

type Token = { t: 'claim'; name: string } | { t: 'str'; value: string } | { t: 'word'; value: string };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    const claim = /^claims\[\s*'([^']*)'\s*\]/.exec(text.slice(i));
    if (claim !== null) {
      out.push({ t: 'claim', name: claim[1] ?? '' });
      i += claim[0].length;
      continue;
    }
    if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated string at ${i}`);
      out.push({ t: 'str', value: text.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const word = /^[A-Za-z]+/.exec(text.slice(i));
    if (word === null) throw new Error(`unexpected '${ch}' at ${i}`);
    out.push({ t: 'word', value: word[0] });
    i += word[0].length;
  }
  return out;
}

export function parseClaimsExpression(text: string): ClaimsExpression {
  const tokens = tokenize(text);
  let pos = 0;
  const comparison = (): ClaimsExpression => {
    const claim = tokens[pos];
    const op = tokens[pos + 1];
    const value = tokens[pos + 2];
    if (
      claim?.t !== 'claim' ||
      op?.t !== 'word' ||
      value?.t !== 'str' ||
      (op.value !== 'matches' && op.value !== 'eq')
    ) {
      throw new Error(`expected claims['name'] matches|eq 'value' at token ${pos}`);
    }
    pos += 3;
    return { op: op.value, claim: claim.name, value: value.value };
  };
  let expr = comparison();
  while (pos < tokens.length) {
    const and = tokens[pos];
    if (and?.t !== 'word' || and.value !== 'and') throw new Error(`expected 'and' at token ${pos}`);
    pos += 1;
    expr = { op: 'and', left: expr, right: comparison() };
  }
  return expr;
}

export function globMatches(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[\\s\\S]*')
    .replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${re}$`).test(value);
}

export function evaluateClaimsExpression(expr: ClaimsExpression, claims: Readonly<Record<string, unknown>>): boolean {
  if (expr.op === 'and')
    return evaluateClaimsExpression(expr.left, claims) && evaluateClaimsExpression(expr.right, claims);
  const actual = claims[expr.claim];
  if (typeof actual !== 'string') return false;
  return expr.op === 'eq' ? actual === expr.value : globMatches(expr.value, actual);
}

export interface PresentedAssertion {
  iss: string;
  sub: string;
  aud: string[];
  claims: Readonly<Record<string, unknown>>;
}

export type FicOutcome =
  | { kind: 'match'; credential: FederatedIdentityCredential }
  | { kind: 'no-credentials' }
  | { kind: 'issuer' }
  | { kind: 'subject' }
  | { kind: 'subject-case' }
  | { kind: 'audience' };

function subjectMatches(fic: FederatedIdentityCredential, a: PresentedAssertion): boolean {
  if (fic.claimsMatchingExpression !== undefined) {
    try {
      return evaluateClaimsExpression(parseClaimsExpression(fic.claimsMatchingExpression.value), a.claims);
    } catch {
      return false;
    }
  }
  return fic.subject === a.sub;
}

/** Decides the outcome over the credentials visible now; the emulator maps non-matches to AADSTS codes. */
export function matchFederatedCredential(
  credentials: readonly FederatedIdentityCredential[],
  assertion: PresentedAssertion,
): FicOutcome {
  if (credentials.length === 0) return { kind: 'no-credentials' };
  const byIssuer = credentials.filter((c) => c.issuer === assertion.iss);
  if (byIssuer.length === 0) return { kind: 'issuer' };
  const bySubject = byIssuer.filter((c) => subjectMatches(c, assertion));
  if (bySubject.length === 0) {
    const lower = assertion.sub.toLowerCase();
    const caseOnly = byIssuer.some((c) => c.subject !== undefined && c.subject.toLowerCase() === lower);
    return { kind: caseOnly ? 'subject-case' : 'subject' };
  }
  const match = bySubject.find((c) => c.audiences.some((aud) => assertion.aud.includes(aud)));
  return match === undefined ? { kind: 'audience' } : { kind: 'match', credential: match };
}
