/**
 * MSAL reports every failure to load the tenant's OpenID configuration as the same `endpoints_resolution_error`,
 * whether the tenant does not exist (Entra answers 400 AADSTS90002), TLS failed, or nothing listens. One direct GET
 * of that document after such a failure tells them apart. Only runs on the failure path.
 */
import { ArgoEntraError } from '../errors.js';
import { explainAadsts } from '../diagnose/aadsts.js';
import type { IdentitySettings } from '../settings/types.js';

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL|HOSTNAME/i;

function causeCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : String(error);
}

export async function probeAuthority(
  identity: IdentitySettings,
  fetchImpl: typeof fetch = fetch,
): Promise<ArgoEntraError> {
  const url = `${identity.authorityHost}/${encodeURIComponent(identity.tenantId)}/v2.0/.well-known/openid-configuration`;
  const details = {
    clientId: identity.clientId,
    tenantId: identity.tenantId,
    authorityHost: identity.authorityHost,
    url,
  };
  let res: Response;
  try {
    res = await fetchImpl(url, { signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    const code = causeCode(error);
    if (TLS_CODES.test(code)) {
      return new ArgoEntraError('ERR_ENTRA_UNREACHABLE', `TLS to ${identity.authorityHost} failed (${code})`, {
        hint: 'The authority host presented a certificate this machine does not trust. Behind a TLS-inspecting proxy, add its CA with NODE_EXTRA_CA_CERTS=<file>; check authority-host is the right cloud.',
        details: { ...details, errno: code },
      });
    }
    return new ArgoEntraError(
      'ERR_ENTRA_UNREACHABLE',
      `Cannot reach Microsoft Entra ID at ${identity.authorityHost} (${code})`,
      {
        hint: 'Check outbound HTTPS to the authority host (proxy, firewall, DNS) and the authority-host setting.',
        details: { ...details, errno: code },
      },
    );
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) {
    const explained = explainAadsts(text, {
      clientId: identity.clientId,
      tenantId: identity.tenantId,
      authorityHost: identity.authorityHost,
    });
    if (explained !== undefined) return explained;
  }
  return new ArgoEntraError(
    'ERR_ENTRA_UNREACHABLE',
    `Could not load the OpenID configuration of tenant ${identity.tenantId} from ${identity.authorityHost} (HTTP ${res.status})`,
    {
      hint: 'authority-host must be the Entra login endpoint of your cloud (https://login.microsoftonline.com by default), without a tenant or path.',
      details: { ...details, status: String(res.status) },
    },
  );
}
