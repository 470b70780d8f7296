/**
 * The product's Kubernetes REST client: node:https with one keep-alive agent that carries the cluster CA.
 * @kubernetes/client-node is deliberately not used at runtime (18.9 MB of generated API for ten calls, design.md).
 *
 * Every attempt asks the token provider for a bearer, so a wait that outlives one Entra token keeps working.
 * Headers and bodies are never logged or copied into errors (only a Kubernetes Status message is quoted).
 */
import https from 'node:https';
import type { ClientRequest, IncomingMessage, IncomingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { ArgoEntraError } from '../errors.js';
import type { AccessTokenProvider } from '../identity/types.js';
import { parseRetryAfterHeader, retry } from '../util/retry.js';
import { realSleep, systemClock, type Clock, type Sleep } from '../util/time.js';
import { isTransientKubeError, mapHttpError, mapNetworkError, type FailurePhase } from './kube-errors.js';
import type { KubeClient, KubeRequest, KubeResponse, WatchEvent, WatchRequest } from './types.js';
import { LineSplitter, parseWatchLine } from './watch-lines.js';

export interface KubeClientOptions {
  /** https URL of the API server; a path prefix (Rancher-style proxies) is kept */
  readonly server: string;
  /** base64 of the PEM bundle; undefined = Node's trust store (plus NODE_EXTRA_CA_CERTS) */
  readonly caData?: string | undefined;
  readonly insecureSkipTlsVerify: boolean;
  readonly tokenProvider: AccessTokenProvider;
  readonly sleep?: Sleep;
  readonly clock?: Clock;
  readonly userAgent?: string;
  /** idle-socket timeout of one request (and of a watch until its headers arrive); default 30 s */
  readonly requestTimeoutMs?: number;
  /** attempts per request including the first; default 5 */
  readonly maxAttempts?: number;
  /** ECONNREFUSED is retried only this long after the first attempt (an API server restarting); default 10 s */
  readonly refusedWindowMs?: number;
  readonly backoffBaseMs?: number;
  readonly backoffCapMs?: number;
}

/** The client plus `close()`, which drops idle keep-alive sockets (tests and the post step call it). */
export interface ClosableKubeClient extends KubeClient {
  close(): void;
}

/** Largest response body read into memory: a huge workflow status is a few MB; anything past this is a fault. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

class TimeoutError extends Error {
  readonly code = 'ERR_KUBE_TIMEOUT';
}

interface Target {
  readonly hostname: string;
  readonly port: number;
  readonly basePath: string;
}

export function createKubeClient(options: KubeClientOptions): ClosableKubeClient {
  const server = options.server.replace(/\/+$/, '');
  const target = parseServer(server);
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const userAgent = options.userAgent ?? 'argo-entra';
  const agent = new https.Agent({
    keepAlive: true,
    // Idle sockets are dropped well before the API server's own idle timeout, so a reused socket is rarely stale.
    timeout: 15_000,
    rejectUnauthorized: !options.insecureSkipTlsVerify,
    ...(options.caData === undefined || options.insecureSkipTlsVerify ? {} : { ca: decodeCa(options.caData) }),
  });

  function buildPath(path: string, query: Readonly<Record<string, string>> | undefined): string {
    const search = query && Object.keys(query).length > 0 ? `?${new URLSearchParams(query).toString()}` : '';
    return `${target.basePath}${path}${search}`;
  }

  /** Retries `attempt` per the kube retry rule; the window for ECONNREFUSED starts at the first attempt. */
  function withRetry<T>(idempotent: boolean, signal: AbortSignal | undefined, attempt: () => Promise<T>): Promise<T> {
    const started = clock.now();
    return retry(attempt, {
      isTransient: (error: unknown) =>
        isTransientKubeError(error, {
          idempotent,
          refusedWindowOpen: clock.now() - started < (options.refusedWindowMs ?? 10_000),
        }),
      retryAfterMs: (error: unknown) =>
        error instanceof ArgoEntraError ? parseRetryAfterHeader(error.details['retryAfter'], clock.now()) : undefined,
      maxAttempts: options.maxAttempts ?? 5,
      baseMs: options.backoffBaseMs ?? 250,
      capMs: options.backoffCapMs ?? 8_000,
      sleep,
      ...(signal === undefined ? {} : { signal }),
    });
  }

  /**
   * Sends one request and resolves when the response headers arrive. Failures before that are mapped with the
   * phase reached: 'connect' (nothing sent: always safe to re-send) or 'sent'.
   */
  async function open(
    method: string,
    path: string,
    body: string | undefined,
    contentType: string,
    signal: AbortSignal | undefined,
    accept = 'application/json',
  ): Promise<{ req: ClientRequest; res: IncomingMessage }> {
    throwIfAborted(signal);
    const { token } = await options.tokenProvider.getToken(signal);
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      Accept: accept,
      'User-Agent': userAgent,
    };
    if (body !== undefined) {
      headers['Content-Type'] = contentType;
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    return new Promise((resolve, reject) => {
      let phase: FailurePhase = 'connect';
      const req = https.request({
        agent,
        method,
        hostname: target.hostname,
        port: target.port,
        path,
        headers,
      });
      const onAbort = (): void => {
        req.destroy(cancelled());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = (): void => signal?.removeEventListener('abort', onAbort);
      req.on('socket', (socket) => {
        // A reused keep-alive socket is already connected: from here on the server may have seen the request.
        if (socket.connecting) (socket as TLSSocket).once('secureConnect', () => (phase = 'sent'));
        else phase = 'sent';
      });
      req.setTimeout(timeoutMs, () => req.destroy(new TimeoutError(`no response within ${timeoutMs} ms`)));
      req.on('error', (error) => {
        cleanup();
        if (signal?.aborted) reject(cancelled());
        else reject(mapNetworkError(error, server, phase));
      });
      req.on('response', (res) => {
        cleanup();
        resolve({ req, res });
      });
      req.end(body);
    });
  }

  async function request<T>(req: KubeRequest): Promise<KubeResponse<T>> {
    const path = buildPath(req.path, req.query);
    const body =
      req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    const idempotent = req.method !== 'POST' || req.idempotent === true;
    return withCancel(req.signal, () =>
      withRetry(idempotent, req.signal, async () => {
        const { res } = await open(
          req.method,
          path,
          body,
          req.contentType ?? 'application/json',
          req.signal,
          // what kubectl sends for pods/log: the text stream, and errors still as a JSON Status
          req.responseType === 'text' ? 'application/json, */*' : 'application/json',
        );
        const status = res.statusCode ?? 0;
        const text = await readBody(res, server, req.signal);
        if (req.responseType === 'text' && status >= 200 && status < 300)
          return { status, body: text as T, date: header(res.headers, 'date') };
        const parsed = parseJson(text);
        if ((status >= 200 && status < 300) || req.accept?.includes(status)) {
          // An accepted error status may come from a proxy with a text body: the status is what the caller wants.
          if (parsed.ok || text === '' || status >= 300)
            return { status, body: (parsed.ok ? parsed.value : undefined) as T, date: header(res.headers, 'date') };
          throw new ArgoEntraError(
            'ERR_KUBE_REQUEST',
            `Kubernetes API ${req.method} ${req.path} returned ${status} with a body that is not JSON`,
            {
              details: { server, status: String(status), method: req.method, path: req.path },
            },
          );
        }
        throw mapHttpError(
          {
            status,
            body: parsed.ok ? parsed.value : undefined,
            method: req.method,
            path: req.path,
            retryAfter: header(res.headers, 'retry-after'),
          },
          server,
        );
      }),
    );
  }

  async function watch<T>(req: WatchRequest, onEvent: (event: WatchEvent<T>) => void): Promise<void> {
    const path = buildPath(req.path, { ...req.query, watch: '1' });
    const signal = req.signal;
    let opened: { req: ClientRequest; res: IncomingMessage };
    try {
      opened = await withCancel(signal, () =>
        withRetry(true, signal, async () => {
          const o = await open('GET', path, undefined, 'application/json', signal);
          const status = o.res.statusCode ?? 0;
          if (status === 200) return o;
          const text = await readBody(o.res, server, signal);
          const parsed = parseJson(text);
          throw mapHttpError(
            {
              status,
              body: parsed.ok ? parsed.value : undefined,
              method: 'GET',
              path: req.path,
              retryAfter: header(o.res.headers, 'retry-after'),
            },
            server,
          );
        }),
      );
    } catch (error) {
      if (signal?.aborted) return;
      throw error;
    }
    return consumeStream(opened, server, signal, onEvent);
  }

  return { server, request, watch, close: () => agent.destroy() };
}

function consumeStream<T>(
  opened: { req: ClientRequest; res: IncomingMessage },
  server: string,
  signal: AbortSignal | undefined,
  onEvent: (event: WatchEvent<T>) => void,
): Promise<void> {
  const { req, res } = opened;
  // A watch may sit idle for minutes between events: the request timeout only guarded the wait for headers.
  req.setTimeout(0);
  return new Promise((resolve, reject) => {
    const splitter = new LineSplitter();
    let settled = false;
    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined || signal?.aborted) resolve();
      else reject(error);
    };
    const emit = (lines: string[]): boolean => {
      try {
        for (const line of lines) onEvent(parseWatchLine<T>(line));
        return true;
      } catch (error) {
        finish(error);
        req.destroy();
        return false;
      }
    };
    const onAbort = (): void => {
      finish();
      req.destroy();
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    res.on('data', (chunk: Buffer) => {
      if (!settled) emit(splitter.push(chunk));
    });
    res.on('end', () => {
      if (!settled && emit(splitter.end())) finish();
    });
    res.on('error', (error) => finish(mapNetworkError(error, server, 'stream')));
    res.on('close', () => {
      if (settled) return;
      // Closed without a clean end of the chunked body: the connection broke mid-stream.
      if (res.complete) {
        if (emit(splitter.end())) finish();
      } else {
        finish(
          mapNetworkError(
            Object.assign(new Error('watch stream closed early'), { code: 'ECONNRESET' }),
            server,
            'stream',
          ),
        );
      }
    });
  });
}

function parseServer(server: string): Target {
  let url: URL;
  try {
    url = new URL(server);
  } catch (cause) {
    throw new ArgoEntraError('ERR_SETTINGS_INVALID', `Kubernetes server is not a URL: ${server}`, {
      cause,
      hint: 'Set the API server as an https URL, e.g. https://my-cluster.hcp.westeurope.azmk8s.io:443',
    });
  }
  if (url.protocol !== 'https:') {
    throw new ArgoEntraError('ERR_SETTINGS_INVALID', `Kubernetes server must use https: ${server}`, {
      hint: 'The bearer token must never travel in clear text: use the https URL of the API server.',
    });
  }
  return {
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? 443 : Number(url.port),
    basePath: url.pathname.replace(/\/+$/, ''),
  };
}

function decodeCa(caData: string): string {
  const pem = Buffer.from(caData, 'base64').toString('utf8');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ArgoEntraError('ERR_SETTINGS_INVALID', 'The cluster CA is not base64 of a PEM certificate bundle', {
      hint: "Use the cluster's certificate-authority-data value from its kubeconfig (base64 of the PEM text).",
    });
  }
  return pem;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function readBody(res: IncomingMessage, server: string, signal: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.destroy(new Error('response body too large'));
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', (error) => {
      if (signal?.aborted) reject(cancelled());
      else if (size > MAX_BODY_BYTES)
        reject(
          new ArgoEntraError(
            'ERR_KUBE_REQUEST',
            `Kubernetes API response from ${server} exceeded ${MAX_BODY_BYTES} bytes`,
            { cause: error },
          ),
        );
      // The response had started: the request reached the server, so a POST must not be re-sent.
      else reject(mapNetworkError(error, server, 'sent'));
    });
  });
}

function cancelled(): ArgoEntraError {
  return new ArgoEntraError('ERR_CANCELLED', 'Kubernetes API request cancelled');
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled();
}

/** Whatever the retry helper's sleep rejects with on abort, the caller sees one coded ERR_CANCELLED. */
async function withCancel<T>(signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (signal?.aborted && !(error instanceof ArgoEntraError && error.code === 'ERR_CANCELLED')) throw cancelled();
    throw error;
  }
}
