import { X509Certificate } from 'node:crypto';
import { ArgoEntraError } from '../errors.js';

/**
 * TLS failures against the API server: name which side is wrong, the CA data we were given or the certificate the
 * server presents. Pure apart from X509 parsing; the peer chain comes from `probeServerCertificates` (tls-probe.ts).
 */

export interface CertificateInfo {
  readonly subject: string;
  readonly issuer: string;
  readonly validFrom: string;
  readonly validTo: string;
  readonly ca: boolean;
  readonly subjectAltName: string | undefined;
  readonly fingerprint256: string;
}

export type CaDataProblem = 'not-base64-pem' | 'raw-pem' | 'double-base64' | 'no-certificate' | 'unparseable';

export interface CaDataInspection {
  /** undefined when no CA data was configured (the system trust store is used) */
  readonly certificates: readonly X509Certificate[] | undefined;
  readonly problem: CaDataProblem | undefined;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export function describeCertificate(cert: X509Certificate): CertificateInfo {
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    issuer: cert.issuer.replace(/\n/g, ', '),
    validFrom: cert.validFrom,
    validTo: cert.validTo,
    ca: cert.ca,
    subjectAltName: cert.subjectAltName,
    fingerprint256: cert.fingerprint256,
  };
}

function parsePem(text: string): X509Certificate[] | undefined {
  const blocks = text.match(PEM_BLOCK) ?? [];
  try {
    return blocks.map((b) => new X509Certificate(b));
  } catch {
    return undefined;
  }
}

/** `caData` is base64 of a PEM bundle (kubeconfig certificate-authority-data). Common mistakes are named. */
export function inspectCaData(caData: string | undefined): CaDataInspection {
  if (caData === undefined || caData.trim() === '') return { certificates: undefined, problem: undefined };
  const trimmed = caData.trim();
  if (trimmed.startsWith('-----BEGIN')) {
    return { certificates: parsePem(trimmed) ?? [], problem: 'raw-pem' };
  }
  if (!/^[A-Za-z0-9+/=\s_-]+$/.test(trimmed)) return { certificates: [], problem: 'not-base64-pem' };
  const decoded = Buffer.from(trimmed, 'base64').toString('utf8');
  if (!decoded.includes('-----BEGIN')) {
    const twice = Buffer.from(decoded.trim(), 'base64').toString('utf8');
    return { certificates: [], problem: twice.includes('-----BEGIN CERTIFICATE') ? 'double-base64' : 'not-base64-pem' };
  }
  const certs = parsePem(decoded);
  if (certs === undefined) return { certificates: [], problem: 'unparseable' };
  if (certs.length === 0) return { certificates: [], problem: 'no-certificate' };
  return { certificates: certs, problem: undefined };
}

/** Node/OpenSSL error codes that mean "TLS", searched through the `cause` chain (fetch wraps them). */
const TLS_CODES: Readonly<Record<string, string>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'untrusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'untrusted',
  CERT_SIGNATURE_FAILURE: 'untrusted',
  CERT_UNTRUSTED: 'untrusted',
  CERT_HAS_EXPIRED: 'expired',
  CERT_NOT_YET_VALID: 'not-yet-valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'hostname',
  HOSTNAME_MISMATCH: 'hostname',
  ERR_SSL_WRONG_VERSION_NUMBER: 'not-tls',
  EPROTO: 'not-tls',
};

export type TlsFailure = 'untrusted' | 'expired' | 'not-yet-valid' | 'hostname' | 'not-tls';

export function tlsFailureOf(error: unknown): { failure: TlsFailure; code: string } | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && TLS_CODES[code] !== undefined)
      return { failure: TLS_CODES[code] as TlsFailure, code };
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function issuedBy(cert: X509Certificate, ca: X509Certificate): boolean {
  return cert.fingerprint256 === ca.fingerprint256 || (cert.checkIssued(ca) && cert.verify(ca.publicKey));
}

export interface TlsContext {
  readonly server: string;
  readonly caData: string | undefined;
  /** the chain the server presented, leaf first, if it could be fetched */
  readonly peerChain?: readonly X509Certificate[] | undefined;
  readonly nowMs: number;
}

/** Undefined when `error` is not a TLS failure. */
export function explainTlsError(error: unknown, context: TlsContext): ArgoEntraError | undefined {
  const tls = tlsFailureOf(error);
  if (tls === undefined) return undefined;
  const host = safeHost(context.server);
  const ca = inspectCaData(context.caData);
  const leaf = context.peerChain?.[0];
  const details: Record<string, string> = { server: context.server, tlsError: tls.code };
  if (leaf !== undefined) {
    const info = describeCertificate(leaf);
    details['serverCertificateSubject'] = info.subject;
    details['serverCertificateIssuer'] = info.issuer;
    details['serverCertificateValidTo'] = info.validTo;
    if (info.subjectAltName !== undefined) details['serverCertificateSan'] = info.subjectAltName;
  }
  if (ca.certificates !== undefined && ca.certificates.length > 0) {
    details['caSubjects'] = ca.certificates.map((c) => c.subject.replace(/\n/g, ', ')).join(' | ');
  }
  let likely = 'server-certificate';
  const fail = (message: string, hint: string): ArgoEntraError =>
    new ArgoEntraError('ERR_KUBE_TLS', message, { cause: error, hint, details: { ...details, likelyCause: likely } });

  if (tls.failure === 'not-tls') {
    likely = 'not-tls';
    return fail(
      `${context.server} did not answer with TLS (${tls.code}).`,
      'Check the server URL: it must be the https endpoint of the API server (usually port 443 or 6443), not an http port or a proxy.',
    );
  }
  if (tls.failure === 'hostname') {
    likely = 'hostname';
    return fail(
      `The API server's certificate is not valid for host "${host}"${leaf?.subjectAltName === undefined ? '' : ` (it names ${leaf.subjectAltName})`}.`,
      "Use a server URL whose host is one of the certificate's names (from the cluster's kubeconfig), or add this name to the API server certificate's SANs.",
    );
  }
  if (tls.failure === 'expired' || tls.failure === 'not-yet-valid') {
    likely = tls.failure;
    const expiredCa = ca.certificates?.find((c) => Date.parse(c.validTo) < context.nowMs);
    return fail(
      expiredCa !== undefined
        ? `The CA certificate in ca-data expired on ${expiredCa.validTo}.`
        : `The API server's certificate is ${tls.failure === 'expired' ? 'expired' : 'not yet valid'}${leaf === undefined ? '' : ` (valid ${leaf.validFrom} to ${leaf.validTo})`}.`,
      expiredCa !== undefined
        ? "Fetch the cluster's current CA (kubeconfig certificate-authority-data, or az aks get-credentials) and update ca-data."
        : "Rotate the API server certificate, or if it was just issued, sync this machine's clock.",
    );
  }
  // untrusted: which side?
  if (ca.problem !== undefined) {
    likely = 'ca-data-format';
    const what: Record<CaDataProblem, string> = {
      'raw-pem':
        'ca-data holds PEM text; it must be the base64 of the PEM (as kubeconfig certificate-authority-data is)',
      'double-base64': 'ca-data is base64-encoded twice; decode it once',
      'not-base64-pem': 'ca-data does not decode to a PEM certificate',
      'no-certificate': 'ca-data decodes to PEM without a CERTIFICATE block',
      unparseable: 'ca-data contains a certificate that cannot be parsed',
    };
    return fail(
      `The API server's certificate could not be verified: ${what[ca.problem]}.`,
      "Set ca-data to the cluster's certificate-authority-data value from its kubeconfig, unchanged (base64 of the PEM bundle).",
    );
  }
  if (ca.certificates === undefined) {
    likely = 'ca-data-missing';
    return fail(
      `The API server's certificate${leaf === undefined ? '' : ` (issued by ${describeCertificate(leaf).issuer})`} is not trusted by the system trust store, and no ca-data was given.`,
      "Set ca-data to the cluster's certificate-authority-data (base64 PEM from its kubeconfig); for AKS, use the cluster input so the CA comes from ARM.",
    );
  }
  if (leaf !== undefined && context.peerChain !== undefined) {
    const chainTrusted = context.peerChain.some((cert) => ca.certificates?.some((c) => issuedBy(cert, c)) === true);
    if (!chainTrusted) {
      likely = 'ca-mismatch';
      return fail(
        `ca-data does not contain the issuer of the API server's certificate: the server presents a certificate issued by "${describeCertificate(leaf).issuer}", ca-data holds ${ca.certificates.map((c) => `"${c.subject.replace(/\n/g, ', ')}"`).join(', ')}.`,
        "ca-data belongs to another cluster or an old CA: copy certificate-authority-data from this cluster's current kubeconfig.",
      );
    }
    likely = 'incomplete-chain';
    return fail(
      "ca-data matches part of the server's chain, but the chain could not be completed (an intermediate certificate is missing or the server sends an incomplete chain).",
      'Put the full chain (intermediates and root) into ca-data, or make the API server send its intermediates.',
    );
  }
  likely = 'ca-mismatch';
  return fail(
    `The API server's certificate is not signed by the CA in ca-data (${tls.code}).`,
    "Check that ca-data is this cluster's certificate-authority-data; argo-entra doctor fetches the server's chain and names the mismatch.",
  );
}

function safeHost(server: string): string {
  try {
    return new URL(server).hostname;
  } catch {
    return server;
  }
}
