import { spawn, type SpawnOptions } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** ms from just before spawn() to the 'exit' event */
  readonly wallMs: number;
}

/** Runs a command to completion, timing spawn -> exit on the monotonic clock. */
export function run(
  command: string,
  args: readonly string[],
  opts: SpawnOptions & { timeoutMs?: number } = {},
): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      const wallMs = performance.now() - t0;
      clearTimeout(timer);
      // 'close' follows once the pipes drain; the exit instant is what we time.
      child.on('close', () => resolve({ code, signal, stdout, stderr, wallMs }));
    });
  });
}
