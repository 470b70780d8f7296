/**
 * 2. The kubectl credential plugin on its cached path.
 *
 * A fresh token cache is written with the product's own writeTokenCache, and the exact args the kubeconfig writer
 * would put in the exec block (credentialArgs), so the plugin answers from the cache without touching the network
 * (the CI and Entra URLs point at a closed port: a refresh would fail loudly, not go unnoticed).
 *
 * Wall: spawn() -> exit of `node dist/credential/index.js <args>`, N runs, interleaved with `node -e ""`.
 * Peak RSS: `/usr/bin/time -f %M` (GNU time: the child's getrusage ru_maxrss, kB) in separate runs, so the extra
 * fork/exec of `time` never enters the wall figure; cross-checked by a preload that reads VmHWM from
 * /proc/self/status at exit. Which bundle files load: a module.registerHooks preload, one untimed run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeTokenCache } from '../src/identity/token-cache.js';
import { credentialArgs } from '../src/settings/credential.js';
import type { IdentitySettings } from '../src/settings/types.js';
import { run } from './lib/spawn.js';

export const GNU_TIME = '/usr/bin/time';

export interface CredentialResult {
  readonly wallMs: number[];
  readonly baselineMs: number[];
  readonly rssMb: number[];
  readonly baselineRssMb: number[];
  readonly rssMethod: string;
  /** preload cross-check: VmHWM and ru_maxrss of one plugin run, MB */
  readonly crossCheck: { vmHwmMb: number; maxRssMb: number } | undefined;
  /** bundle files the cached path loaded, relative to the repo, with bytes */
  readonly loadedFiles: { file: string; bytes: number }[];
}

/** A JWT-shaped token of a realistic size (an Entra v1 access token is ~1.5-2.5 kB). */
function fakeJwt(): string {
  const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ typ: 'JWT', alg: 'RS256', kid: 'bench' })}.${b64({ aud: 'bench', pad: 'x'.repeat(1200) })}.${'s'.repeat(342)}`;
}

const mb = (kb: number): number => Number((kb / 1024).toFixed(1));

export async function benchCredential(opts: {
  nodePath: string;
  repoRoot: string;
  n: number;
}): Promise<CredentialResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'argo-entra-bench-cred-'));
  try {
    const cachePath = path.join(dir, 'token-cache.json');
    const now = Date.now();
    await writeTokenCache(cachePath, { token: fakeJwt(), expiresOnMs: now + 3_600_000, obtainedOnMs: now });
    const identity: IdentitySettings = {
      clientId: '11111111-2222-3333-4444-555555555555',
      tenantId: '66666666-7777-8888-9999-000000000000',
      authorityHost: 'https://127.0.0.1:9',
      audience: 'api://AzureADTokenExchange',
      scope: '6dae42f8-4368-4678-94ff-3960e28e3630/.default',
      ciSource: { kind: 'github', requestUrl: 'https://127.0.0.1:9/token', requestToken: 'unused' },
    };
    const script = path.join(opts.repoRoot, 'dist', 'credential', 'index.js');
    const args = [script, ...credentialArgs(identity, cachePath)];
    const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir };

    const check = await run(opts.nodePath, args, { env });
    if (check.code !== 0 || !check.stdout.includes('"ExecCredential"')) {
      throw new Error(
        `credential plugin did not answer from the cache (exit ${check.code}): ${check.stderr.slice(0, 500)}`,
      );
    }

    const res = {
      wallMs: [] as number[],
      baselineMs: [] as number[],
      rssMb: [] as number[],
      baselineRssMb: [] as number[],
    };
    await run(opts.nodePath, ['-e', ''], { env }); // warm-up
    for (let i = 0; i < opts.n; i++) {
      const r = await run(opts.nodePath, args, { env });
      if (r.code !== 0) throw new Error(`credential plugin failed: ${r.stderr.slice(0, 300)}`);
      res.wallMs.push(r.wallMs);
      res.baselineMs.push((await run(opts.nodePath, ['-e', ''], { env })).wallMs);
    }

    let rssMethod: string;
    if (existsSync(GNU_TIME)) {
      rssMethod = `${GNU_TIME} -f %M (GNU time: child's getrusage ru_maxrss), separate runs from the wall-clock ones`;
      const peak = async (argv: string[]): Promise<number> => {
        const r = await run(GNU_TIME, ['-f', '@@%M', opts.nodePath, ...argv], { env });
        const m = /@@(\d+)\s*$/.exec(r.stderr);
        if (!m?.[1]) throw new Error(`no %M in: ${r.stderr.slice(-300)}`);
        return Number(m[1]);
      };
      for (let i = 0; i < Math.min(opts.n, 10); i++) {
        res.rssMb.push(mb(await peak(args)));
        res.baselineRssMb.push(mb(await peak(['-e', ''])));
      }
    } else {
      rssMethod = 'preload reading VmHWM from /proc/self/status at exit (no /usr/bin/time)';
    }

    // Cross-check (and the fallback): VmHWM + ru_maxrss from inside the process, at exit.
    const hwmFile = path.join(dir, 'hwm.jsonl');
    const preload = path.join(opts.repoRoot, 'bench', 'preload', 'hwm.mjs');
    const hwmRuns = rssMethod.startsWith('preload') ? Math.min(opts.n, 10) : 3;
    for (let i = 0; i < hwmRuns; i++)
      await run(opts.nodePath, ['--import', preload, ...args], { env: { ...env, BENCH_HWM_FILE: hwmFile } });
    const lines = readFileSync(hwmFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { vmHwmKb: number; maxRssKb: number });
    if (rssMethod.startsWith('preload')) {
      res.rssMb.push(...lines.map((l) => mb(l.vmHwmKb)));
      const b = path.join(dir, 'hwm-baseline.jsonl');
      for (let i = 0; i < hwmRuns; i++)
        await run(opts.nodePath, ['--import', preload, '-e', ''], { env: { ...env, BENCH_HWM_FILE: b } });
      res.baselineRssMb.push(
        ...readFileSync(b, 'utf8')
          .trim()
          .split('\n')
          .map((l) => mb((JSON.parse(l) as { vmHwmKb: number }).vmHwmKb)),
      );
    }
    const sortedHwm = lines.map((l) => l.vmHwmKb).sort((a, b) => a - b);
    const sortedMax = lines.map((l) => l.maxRssKb).sort((a, b) => a - b);
    const mid = Math.floor(lines.length / 2);
    const crossCheck =
      lines.length > 0 ? { vmHwmMb: mb(sortedHwm[mid] ?? 0), maxRssMb: mb(sortedMax[mid] ?? 0) } : undefined;

    // Which files the cached path loads.
    const traceFile = path.join(dir, 'trace.jsonl');
    const trace = path.join(opts.repoRoot, 'bench', 'preload', 'load-trace.mjs');
    await run(opts.nodePath, ['--import', trace, ...args], { env: { ...env, BENCH_LOAD_TRACE_FILE: traceFile } });
    const loaded = readFileSync(traceFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { file: string }).file);
    const distDir = path.join(opts.repoRoot, 'dist', 'credential');
    const loadedFiles = loaded
      .filter((f) => f.startsWith(distDir))
      .map((f) => ({ file: path.relative(opts.repoRoot, f), bytes: statSync(f).size }));

    return { ...res, rssMethod, crossCheck, loadedFiles };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
