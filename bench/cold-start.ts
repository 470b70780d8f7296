/**
 * 1. dist/main cold start to its first network request.
 *
 * One HTTPS server (test CA, trusted by the child through NODE_EXTRA_CA_CERTS) stands in for every endpoint the
 * action could reach first: ACTIONS_ID_TOKEN_REQUEST_URL, the Entra authority host and the API server all point at
 * it, so "first request" means the first one of any kind. It records the arrival of the first TCP connection and of
 * the first request's headers (after the TLS handshake); the child is then killed. Figure: spawn() -> first request.
 * Baselines on the same server: `node -e ""` (spawn -> exit) and a one-line `https.get` script (spawn -> request).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import type { TestPki } from '../__tests__/harness/pki.js';
import { run } from './lib/spawn.js';

export interface FirstRequest {
  readonly connectMs: number;
  readonly requestMs: number;
  readonly path: string;
}

export interface ColdStartResult {
  readonly mainMs: number[];
  readonly mainConnectMs: number[];
  readonly firstPaths: string[];
  readonly baselineEmptyMs: number[];
  readonly baselineHttpsMs: number[];
  /** one untimed traced run: bundle files loaded before the first request, with their load time (ms since start) */
  readonly loadedBeforeFirstRequest: { file: string; ms: number; bytes: number }[];
  /** the same traced run: when the child itself started its first request (ms since its start) */
  readonly childFirstRequestMs: number | undefined;
}

class Recorder {
  private server: https.Server;
  private t0 = 0;
  private connectAt: number | undefined;
  private waiting: ((r: FirstRequest) => void) | undefined;
  private readonly sockets = new Set<Socket>();
  url = '';

  constructor(pki: TestPki) {
    const cert = pki.issueServerCert();
    this.server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
      const at = performance.now();
      const w = this.waiting;
      this.waiting = undefined;
      w?.({
        connectMs: (this.connectAt ?? at) - this.t0,
        requestMs: at - this.t0,
        path: (req.url ?? '').split('?')[0] ?? '',
      });
      res.statusCode = 503;
      res.end('{}');
    });
    this.server.on('connection', (s: Socket) => {
      this.connectAt ??= performance.now();
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Arms the recorder; `t0` is taken by the caller immediately before spawn(). */
  arm(t0: number): Promise<FirstRequest> {
    this.t0 = t0;
    this.connectAt = undefined;
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

async function timeToFirstRequest(
  rec: Recorder,
  nodePath: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 20_000,
): Promise<FirstRequest> {
  let stderr = '';
  const t0 = performance.now();
  const first = rec.arm(t0);
  const child = spawn(nodePath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const timeout = new Promise<never>((_r, reject) =>
    setTimeout(
      () => reject(new Error(`no request within ${timeoutMs} ms; stderr: ${stderr.slice(0, 500)}`)),
      timeoutMs,
    ).unref(),
  );
  const early = exited.then(() => {
    throw new Error(`child exited before any request; stderr: ${stderr.slice(0, 800)}`);
  });
  try {
    return await Promise.race([first, timeout, early]);
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

export async function benchColdStart(opts: {
  pki: TestPki;
  nodePath: string;
  repoRoot: string;
  n: number;
}): Promise<ColdStartResult> {
  const rec = new Recorder(opts.pki);
  await rec.start();
  const dir = mkdtempSync(path.join(tmpdir(), 'argo-entra-bench-main-'));
  const files: Record<string, string> = {};
  for (const f of ['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY', 'GITHUB_PATH']) {
    files[f] = path.join(dir, f.toLowerCase());
    writeFileSync(files[f], '');
  }
  const base: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? dir,
    NODE_EXTRA_CA_CERTS: opts.pki.caPath,
  };
  const env: NodeJS.ProcessEnv = {
    ...base,
    ...files,
    RUNNER_TEMP: dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'octo-org/octo-repo',
    GITHUB_RUN_ID: '42',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SHA: 'abc',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_ACTOR: 'mona',
    GITHUB_WORKFLOW_REF: 'octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_JOB: 'deploy',
    GITHUB_ACTION: '__run_2',
    ACTIONS_ID_TOKEN_REQUEST_URL: `${rec.url}/_apis/token?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'bench-request-token',
    'INPUT_CLIENT-ID': '11111111-2222-3333-4444-555555555555',
    'INPUT_TENANT-ID': '66666666-7777-8888-9999-000000000000',
    'INPUT_AUTHORITY-HOST': rec.url,
    INPUT_SERVER: rec.url,
    'INPUT_CERTIFICATE-AUTHORITY-DATA': Buffer.from(opts.pki.caPem).toString('base64'),
    INPUT_NAMESPACE: 'team-a',
    INPUT_OPERATION: 'kubeconfig',
    INPUT_PREFLIGHT: 'false',
  };
  const script = path.join(opts.repoRoot, 'dist', 'main', 'index.js');
  const httpsProbe = `require('https').get(${JSON.stringify(`${rec.url}/baseline`)}).on('error',()=>{})`;
  const res: ColdStartResult = {
    mainMs: [],
    mainConnectMs: [],
    firstPaths: [],
    baselineEmptyMs: [],
    baselineHttpsMs: [],
    loadedBeforeFirstRequest: [],
    childFirstRequestMs: undefined as number | undefined,
  };
  try {
    // One unrecorded warm-up of each (page cache, CA file), then interleave so drift hits all three alike.
    await timeToFirstRequest(rec, opts.nodePath, [script], env);
    await timeToFirstRequest(rec, opts.nodePath, ['-e', httpsProbe], base);
    for (let i = 0; i < opts.n; i++) {
      const m = await timeToFirstRequest(rec, opts.nodePath, [script], env);
      res.mainMs.push(m.requestMs);
      res.mainConnectMs.push(m.connectMs);
      if (!res.firstPaths.includes(m.path)) res.firstPaths.push(m.path);
      res.baselineHttpsMs.push((await timeToFirstRequest(rec, opts.nodePath, ['-e', httpsProbe], base)).requestMs);
      res.baselineEmptyMs.push((await run(opts.nodePath, ['-e', ''], { env: base })).wallMs);
    }
    // Untimed: which bundle files load before the first request (the child is killed right after it arrives).
    const traceFile = path.join(dir, 'trace.jsonl');
    const trace = path.join(opts.repoRoot, 'bench', 'preload', 'load-trace.mjs');
    await timeToFirstRequest(rec, opts.nodePath, ['--import', trace, script], {
      ...env,
      BENCH_LOAD_TRACE_FILE: traceFile,
    });
    const distDir = path.join(opts.repoRoot, 'dist', 'main');
    if (existsSync(traceFile)) {
      for (const line of readFileSync(traceFile, 'utf8').trim().split('\n')) {
        const { file, ms, request } = JSON.parse(line) as { file?: string; ms: number; request?: string };
        if (request !== undefined) {
          (res as { childFirstRequestMs: number | undefined }).childFirstRequestMs ??= ms;
          continue;
        }
        if (file !== undefined && file.startsWith(distDir) && res.childFirstRequestMs === undefined)
          res.loadedBeforeFirstRequest.push({
            file: path.relative(opts.repoRoot, file),
            ms,
            bytes: statSync(file).size,
          });
      }
    }
  } finally {
    await rec.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return res;
}
