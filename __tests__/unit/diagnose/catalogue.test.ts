import { describe, expect, it } from '@jest/globals';
import { EXIT_CODES, type ErrorCode } from '../../../src/errors.js';
import { AADSTS_CATALOGUE } from '../../../src/diagnose/aadsts.js';
import { CATALOGUE, renderTroubleshooting } from '../../../src/diagnose/catalogue.js';

describe('catalogue', () => {
  it('covers every error code', () => {
    const covered = new Set(CATALOGUE.map((e) => e.code));
    const missing = (Object.keys(EXIT_CODES) as ErrorCode[]).filter((c) => !covered.has(c));
    expect(missing).toEqual([]);
  });

  it.each(Object.entries(AADSTS_CATALOGUE).map(([n, e]) => [Number(n), e.code] as const))(
    'AADSTS%d is documented under %s',
    (n, code) => {
      const entry = CATALOGUE.find((e) => e.aadsts === n);
      expect(entry?.code).toBe(code);
      expect(entry?.fix.length).toBeGreaterThan(10);
    },
  );

  it('every entry has a cause and a fix, and no AADSTS number twice', () => {
    for (const e of CATALOGUE) {
      expect(e.cause.trim()).not.toBe('');
      expect(e.fix.trim()).not.toBe('');
    }
    const numbers = CATALOGUE.flatMap((e) => (e.aadsts === undefined ? [] : [e.aadsts]));
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('renders a Markdown table with one row per entry and exit codes', () => {
    const md = renderTroubleshooting();
    const rows = md.trim().split('\n');
    expect(rows).toHaveLength(CATALOGUE.length + 2);
    expect(md).toContain('| `ERR_ENTRA_SUBJECT_MISMATCH` (AADSTS700213) | 3 |');
    expect(md).toContain('| `ERR_KUBE_FORBIDDEN` | 4 |');
    for (const row of rows.slice(2)) expect(row.replace(/\\\|/g, '').split('|').length - 2).toBe(5);
  });
});
