import { ArgoEntraError } from '../errors.js';

/** Validators for single input values. Each error names the input, the value (never a secret) and the expected form. */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function shown(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}

export function invalid(input: string, value: string, expected: string, hint?: string): ArgoEntraError {
  return new ArgoEntraError('ERR_SETTINGS_INVALID', `Input "${input}" is "${shown(value)}": expected ${expected}.`, {
    hint: hint ?? `Set "${input}" to ${expected}.`,
    details: { input },
  });
}

export function missing(input: string, expected: string, hint?: string): ArgoEntraError {
  return new ArgoEntraError('ERR_SETTINGS_MISSING', `Input "${input}" is required: ${expected}.`, {
    hint:
      hint ??
      `Set "${input}" (action input, --${input} flag, or ARGO_ENTRA_${input.toUpperCase().replace(/-/g, '_')}).`,
    details: { input },
  });
}

export function guid(input: string, value: string): string {
  if (!GUID.test(value)) {
    throw invalid(
      input,
      value,
      'a GUID such as 00000000-0000-0000-0000-000000000000',
      `Copy "${input}" from the app registration's Overview page in the Entra admin center.`,
    );
  }
  return value.toLowerCase();
}

export function httpsUrl(input: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(input, value, 'an https URL such as https://example.com');
  }
  if (url.protocol !== 'https:') throw invalid(input, value, 'an https URL (http is not accepted)');
  if (url.username || url.password)
    throw invalid(input, '(URL with credentials)', 'an https URL without user:password');
  return value.replace(/\/+$/, '');
}

export function dnsLabel(input: string, value: string): string {
  if (value.length > 63 || !DNS1123_LABEL.test(value)) {
    throw invalid(
      input,
      value,
      'a DNS-1123 label: at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit',
    );
  }
  return value;
}

export function dnsSubdomain(input: string, value: string): string {
  if (value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    throw invalid(
      input,
      value,
      'a DNS-1123 subdomain: lower-case letters, digits, "-" and ".", at most 253 characters',
    );
  }
  return value;
}

export function bool(input: string, value: string): boolean {
  const v = value.toLowerCase();
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off'].includes(v)) return false;
  throw invalid(input, value, 'true or false');
}

export function oneOf<T extends string>(input: string, value: string, allowed: readonly T[]): T {
  const v = value.toLowerCase();
  const found = allowed.find((a) => a === v);
  if (!found) throw invalid(input, value, `one of ${allowed.join(', ')}`);
  return found;
}

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
const DURATION = /^(\d+(?:\.\d+)?(ms|h|m|s))+$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Seconds as a bare number, or Go-style durations: 90s, 30m, 1h30m. 0 means no limit. */
export function durationMs(input: string, value: string): number | undefined {
  const v = value.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(v)) ms = Number(v) * 1000;
  else if (DURATION.test(v)) {
    ms = 0;
    for (const match of v.matchAll(DURATION_PART)) ms += Number(match[1]) * (UNIT_MS[match[2] ?? 's'] ?? 1000);
  } else throw invalid(input, value, 'a duration such as 90s, 30m or 1h30m, or a number of seconds');
  return ms === 0 ? undefined : Math.round(ms);
}

/** A base64 PEM bundle: it must decode to at least one PEM certificate. Returns the normalised base64. */
export function base64Pem(input: string, value: string): string {
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+=*$/.test(compact)) {
    if (value.includes('-----BEGIN CERTIFICATE-----')) {
      throw invalid(
        input,
        '(PEM text)',
        'base64 of the PEM bundle, not the PEM itself',
        `Encode it: base64 -w0 ca.crt, or pass the file path as "certificate-authority".`,
      );
    }
    throw invalid(input, value, "base64 of a PEM certificate bundle (as in a kubeconfig's certificate-authority-data)");
  }
  const decoded = Buffer.from(compact, 'base64').toString('utf8');
  if (!decoded.includes('-----BEGIN CERTIFICATE-----')) {
    throw invalid(input, value, 'base64 that decodes to a PEM certificate ("-----BEGIN CERTIFICATE-----")');
  }
  return compact;
}

const LABEL_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

export function labelKey(input: string, key: string): string {
  const name = key.includes('/') ? key.slice(key.lastIndexOf('/') + 1) : key;
  if (!LABEL_NAME.test(key) || name.length > 63) {
    throw invalid(
      input,
      key,
      'a Kubernetes label/annotation key: optional DNS prefix and "/", then at most 63 letters, digits, "-", "_", "."',
    );
  }
  return key;
}

export function labelValue(input: string, key: string, value: string): string {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    throw invalid(
      input,
      `${key}=${value}`,
      'label values of at most 63 letters, digits, "-", "_", ".", starting and ending with a letter or digit',
    );
  }
  return value;
}
