/**
 * The HTTPS plumbing every emulator shares: a real TLS socket on 127.0.0.1:0, a request log for assertions,
 * an offsettable clock (also sent as the `Date` header, so clock-skew checks see the emulator's time), and a
 * fault queue (N x status, 429 + Retry-After, connection reset) consumed before routing.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Clock, systemClock } from '../../../src/util/time.js';
import { getTestPki, type TestPki } from '../pki.js';

export interface RecordedRequest {
  readonly method: string;
  /** path without the query */
  readonly path: string;
  /** path with the query, as sent */
  readonly url: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  /** emulator clock, epoch ms */
  readonly at: number;
  /** what the emulator answered (status, or 'reset') */
  outcome?: number | 'reset';
}

export interface EmulatorReply {
  status: number;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
}

export type Handler = (req: RecordedRequest, params: readonly string[]) => EmulatorReply | Promise<EmulatorReply>;

export type Fault =
  | { kind: 'status'; status: number; retryAfterS?: number; json?: unknown }
  | { kind: 'reset' }
  | { kind: 'delay'; ms: number };

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

interface FaultQueue {
  pattern: RegExp;
  faults: Fault[];
}

export interface EmulatorServerOptions {
  pki?: TestPki;
  clock?: Clock;
  /** host name used in URLs; the certificate covers 127.0.0.1 and localhost */
  host?: '127.0.0.1' | 'localhost';
}

export class EmulatorServer {
  readonly requests: RecordedRequest[] = [];
  readonly pki: TestPki;
  private readonly baseClock: Clock;
  private clockOffsetMs = 0;
  private readonly routes: Route[] = [];
  private readonly faultQueues: FaultQueue[] = [];
  private server: https.Server | undefined;
  private port = 0;
  private readonly host: string;

  /** The emulator's notion of now: the base clock plus a test-set offset. */
  readonly clock: Clock = { now: () => this.baseClock.now() + this.clockOffsetMs };

  constructor(options: EmulatorServerOptions = {}) {
    this.pki = options.pki ?? getTestPki();
    this.baseClock = options.clock ?? systemClock;
    this.host = options.host ?? '127.0.0.1';
  }

  get caPem(): string {
    return this.pki.caPem;
  }

  get url(): string {
    if (this.server === undefined) throw new Error('emulator not started: call start() first');
    return `https://${this.host}:${this.port}`;
  }

  setClockOffsetMs(ms: number): void {
    this.clockOffsetMs = ms;
  }

  route(method: string, pattern: RegExp, handler: Handler): void {
    this.routes.push({ method, pattern, handler });
  }

  /** Queue faults for requests whose path matches; each request consumes one, in order. */
  injectFaults(pattern: RegExp, faults: Fault[]): void {
    this.faultQueues.push({ pattern, faults: [...faults] });
  }

  clearFaults(): void {
    this.faultQueues.length = 0;
  }

  async start(): Promise<void> {
    if (this.server !== undefined) return;
    const { certPem, keyPem } = this.pki.issueServerCert();
    const server = https.createServer({ cert: certPem, key: keyPem }, (req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const parsed = new URL(req.url ?? '/', 'https://emulator.invalid');
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: parsed.pathname,
      url: req.url ?? '/',
      query: Object.fromEntries(parsed.searchParams),
      headers: { ...req.headers },
      body: Buffer.concat(chunks).toString('utf8'),
      at: this.clock.now(),
    };
    this.requests.push(record);

    const fault = this.takeFault(record.path);
    if (fault?.kind === 'reset') {
      record.outcome = 'reset';
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    let reply: EmulatorReply;
    if (fault?.kind === 'status') {
      reply = {
        status: fault.status,
        json: fault.json ?? { error: 'injected_fault', status: fault.status },
        ...(fault.retryAfterS === undefined ? {} : { headers: { 'Retry-After': String(fault.retryAfterS) } }),
      };
    } else {
      reply = await this.dispatch(record);
    }
    record.outcome = reply.status;
    const body = reply.json === undefined ? (reply.body ?? '') : JSON.stringify(reply.json);
    res.sendDate = false;
    res.writeHead(reply.status, {
      Date: new Date(this.clock.now()).toUTCString(),
      'Cache-Control': 'no-store',
      ...(reply.json === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
      'Content-Length': String(Buffer.byteLength(body)),
      ...reply.headers,
    });
    res.end(body);
  }

  private takeFault(path: string): Fault | undefined {
    for (const queue of this.faultQueues) {
      if (queue.faults.length > 0 && queue.pattern.test(path)) return queue.faults.shift();
    }
    return undefined;
  }

  private async dispatch(record: RecordedRequest): Promise<EmulatorReply> {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(record.path);
      if (m === null) continue;
      pathMatched = true;
      if (route.method !== record.method) continue;
      try {
        return await route.handler(record, m.slice(1));
      } catch (err) {
        return { status: 500, json: { error: 'emulator_bug', message: String(err) } };
      }
    }
    return pathMatched
      ? { status: 405, json: { error: 'method_not_allowed' } }
      : { status: 404, json: { error: 'not_found', path: record.path } };
  }
}

/** Lets tests do `faults(3, 503)` instead of spelling out the array. */
export function repeatFault(n: number, fault: Fault): Fault[] {
  return Array.from({ length: n }, () => ({ ...fault }));
}
