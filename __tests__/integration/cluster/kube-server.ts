/**
 * A scriptable local HTTPS server standing in for kube-apiserver's wire behaviour (Status bodies, Retry-After,
 * chunked watch streams, resets). Each test installs a handler; every request is recorded.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerCert } from '../../harness/pki.js';

export interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type KubeHandler = (req: Seen, res: ServerResponse, raw: IncomingMessage) => void | Promise<void>;

export interface KubeServer {
  readonly url: string;
  readonly port: number;
  readonly seen: Seen[];
  handle(handler: KubeHandler): void;
  close(): Promise<void>;
}

export async function startKubeServer(cert: ServerCert): Promise<KubeServer> {
  const seen: Seen[] = [];
  let handler: KubeHandler = (_req, res) => json(res, 404, status(404, 'NotFound', 'no handler'));
  const server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (raw, res) => {
    const chunks: Buffer[] = [];
    raw.on('data', (c: Buffer) => chunks.push(c));
    raw.on('end', () => {
      const req: Seen = {
        method: raw.method ?? '',
        url: raw.url ?? '',
        headers: raw.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(req);
      void Promise.resolve(handler(req, res, raw)).catch((error: unknown) => {
        res.destroy(error as Error);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    seen,
    handle(h) {
      handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function status(code: number, reason: string, message: string): unknown {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}
