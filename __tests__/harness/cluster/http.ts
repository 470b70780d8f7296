/** Minimal HTTP(S) client for the harness (Node's fetch cannot take a client certificate without undici). */
import http from 'node:http';
import https from 'node:https';

export interface TlsMaterial {
  ca?: string;
  cert?: string;
  key?: string;
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function request(
  url: string,
  opts: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    tls?: TlsMaterial;
    bearer?: string;
    timeoutMs?: number;
    /** Stop reading after this many ms and resolve with what arrived (for watch streams). */
    readForMs?: number;
  } = {},
): Promise<HttpResult> {
  const u = new URL(url);
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.bearer !== undefined) headers['authorization'] = `Bearer ${opts.bearer}`;
  if (opts.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(opts.body));
  }
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      u,
      {
        method: opts.method ?? 'GET',
        headers,
        timeout: opts.timeoutMs ?? 10_000,
        ...(u.protocol === 'https:' ? { ...opts.tls, agent: false } : { agent: false }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let done = false;
        let timer: NodeJS.Timeout | undefined;
        const finish = (): void => {
          if (done) return;
          done = true;
          if (timer !== undefined) clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        };
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', finish);
        res.on('error', (err) => (done ? undefined : reject(err)));
        if (opts.readForMs !== undefined) {
          timer = setTimeout(() => {
            finish();
            req.destroy();
          }, opts.readForMs);
        }
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${url} timed out`)));
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}
