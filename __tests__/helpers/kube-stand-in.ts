/**
 * A tiny HTTPS stand-in for a Kubernetes API server, for the few bundle tests where a kube call is unavoidable
 * (preflight failing with 401, or main blocking on the API server so it can be signalled). It is not a cluster:
 * the real-cluster tier lives in __tests__/cluster. Answers per `mode`:
 * - 'unauthorized': every request gets the API server's 401 Status;
 * - 'hang': requests are held open (never answered) until stop();
 * - a function: full control.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestPki } from '../harness/pki.js';

export interface StandInRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

export type StandInMode =
  'unauthorized' | 'hang' | ((req: StandInRequest) => { status: number; json: unknown } | undefined);

export interface KubeStandIn {
  readonly url: string;
  /** base64 of the CA PEM: what certificate-authority-data takes */
  readonly caData: string;
  readonly requests: StandInRequest[];
  mode: StandInMode;
  stop(): Promise<void>;
}

const UNAUTHORIZED = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'Unauthorized',
  reason: 'Unauthorized',
  code: 401,
};

export async function startKubeStandIn(pki: TestPki, mode: StandInMode = 'unauthorized'): Promise<KubeStandIn> {
  const { certPem, keyPem } = pki.issueServerCert();
  const requests: StandInRequest[] = [];
  const held: ServerResponse[] = [];
  const state: { mode: StandInMode } = { mode };
  const server = https.createServer({ cert: certPem, key: keyPem }, (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const record: StandInRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        authorization: req.headers.authorization,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(record);
      const current = state.mode;
      if (current === 'hang') {
        held.push(res);
        return;
      }
      const reply =
        current === 'unauthorized'
          ? { status: 401, json: UNAUTHORIZED }
          : (current(record) ?? { status: 404, json: { kind: 'Status', code: 404, reason: 'NotFound' } });
      const body = JSON.stringify(reply.json);
      res.writeHead(reply.status, {
        'Content-Type': 'application/json',
        'Content-Length': String(Buffer.byteLength(body)),
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    caData: Buffer.from(pki.caPem).toString('base64'),
    requests,
    get mode() {
      return state.mode;
    },
    set mode(value: StandInMode) {
      state.mode = value;
    },
    async stop() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
