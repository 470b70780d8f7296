/** Kubernetes label value rules: at most 63 chars, `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`, or empty. */
import { createHash } from 'node:crypto';

export const LABEL_VALUE_MAX = 63;
const VALID = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const HASH_LENGTH = 10;

export function isValidLabelValue(value: string): boolean {
  return value.length <= LABEL_VALUE_MAX && VALID.test(value);
}

export function shortHash(value: string, length = HASH_LENGTH): string {
  return createHash('sha256').update(value, 'utf8').digest('hex').slice(0, length);
}

/**
 * Make any string a valid label value. `/` becomes `.` (so `org/repo` reads `org.repo`: GitHub owners cannot contain
 * a dot, so this stays unambiguous there); any other invalid character becomes `_`; leading and trailing
 * non-alphanumerics are trimmed. If that changed nothing and it fits, the value is kept as-is. Values longer than 63
 * are cut and end in `-<hash of the original>`, so two long values that share a prefix still get different labels.
 * The exact value always goes in an annotation as well.
 */
export function sanitizeLabelValue(value: string): string {
  if (isValidLabelValue(value)) return value;
  const replaced = value.replace(/\//g, '.').replace(/[^-A-Za-z0-9_.]/g, '_');
  const trimmed = replaced.replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
  if (trimmed.length === 0) return `h${shortHash(value)}`;
  if (trimmed.length <= LABEL_VALUE_MAX) return trimmed;
  const keep = trimmed.slice(0, LABEL_VALUE_MAX - HASH_LENGTH - 1).replace(/[^A-Za-z0-9]+$/, '');
  return `${keep}-${shortHash(value)}`;
}
