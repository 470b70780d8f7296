import { parse as parseYaml } from 'yaml';
import { invalid } from './validate.js';

/** `name=value` lines (or comma-separated for labels), or a YAML/JSON map: the forms users paste into `with:`. */
export function parsePairs(input: string, values: readonly string[], separator: RegExp): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const value of values) {
    const asMap = tryYamlMap(value);
    if (asMap) {
      pairs.push(...asMap);
      continue;
    }
    for (const item of value.split(separator)) {
      const entry = item.trim();
      if (!entry || entry.startsWith('#')) continue;
      const eq = entry.indexOf('=');
      if (eq <= 0) throw invalid(input, entry, 'name=value');
      pairs.push([entry.slice(0, eq).trim(), entry.slice(eq + 1).trim()]);
    }
  }
  return pairs;
}

/** Only a document that is clearly a map (`a: b` lines or `{...}`) is read as YAML; `a=b` lines never are. */
function tryYamlMap(text: string): Array<[string, string]> | undefined {
  const trimmed = text.trim();
  const looksLikeMap = trimmed.startsWith('{') || /^[^=\n]+:\s/m.test(trimmed) || /^[^=\n]+:$/m.test(trimmed);
  if (!looksLikeMap || /^[^:\n]+=/m.test(trimmed)) return undefined;
  let doc: unknown;
  try {
    doc = parseYaml(trimmed);
  } catch {
    return undefined;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
  return Object.entries(doc as Record<string, unknown>).map(([k, v]) => [k, scalarToString(v)]);
}

export function scalarToString(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
