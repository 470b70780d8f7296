import { X509Certificate } from 'node:crypto';
import { connect, type DetailedPeerCertificate } from 'node:tls';

/**
 * Fetch the certificate chain a server presents, without trusting it, so a TLS failure can be explained by
 * comparing that chain with the configured CA data. Diagnostic use only: nothing is sent over this connection.
 */
export function probeServerCertificates(server: string, timeoutMs = 5000): Promise<X509Certificate[]> {
  const url = new URL(server);
  const port = url.port === '' ? 443 : Number(url.port);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      servername: /^[\d.]+$|:/.test(host) ? undefined : host,
      rejectUnauthorized: false,
    });
    const timer = setTimeout(
      () => socket.destroy(new Error(`TLS probe of ${server} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const chain: X509Certificate[] = [];
      let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      const seen = new Set<string>();
      // The self-signed root points at itself: stop on the first repeat.
      while (cert !== undefined && cert.raw !== undefined && !seen.has(cert.fingerprint256)) {
        seen.add(cert.fingerprint256);
        chain.push(new X509Certificate(cert.raw));
        cert = cert.issuerCertificate;
      }
      socket.end();
      resolve(chain);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
