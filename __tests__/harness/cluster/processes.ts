/**
 * Child processes of the harness: logs to files, graceful stop, and no orphans.
 *
 * Each child runs in its own process group. Orphans are prevented twice: a synchronous `exit` handler kills every
 * live child, and a detached watchdog (one bash loop per cluster) kills the recorded process groups if this Node
 * process disappears without running handlers (a jest worker killed with SIGKILL, for instance).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

const live = new Set<ManagedProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of live) p.killNow();
  });
}

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export class ManagedProcess {
  readonly logPath: string;
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  private exitCode: number | null | undefined;

  constructor(
    readonly spec: ProcessSpec,
    logsDir: string,
    private readonly onPidsChanged: () => void,
  ) {
    this.logPath = path.join(logsDir, `${spec.name}.log`);
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitCode === undefined;
  }

  /** Exit code (or null for a signal) once the process has ended; undefined while it runs. */
  get exitStatus(): number | null | undefined {
    return this.exitCode;
  }

  start(): void {
    if (this.running) throw new Error(`${this.spec.name} is already running`);
    installExitHook();
    const fd = openSync(this.logPath, 'a');
    writeFileSync(fd, `\n==== ${new Date().toISOString()} start: ${this.spec.command} ${this.spec.args.join(' ')}\n`);
    const child = spawn(this.spec.command, this.spec.args, {
      stdio: ['ignore', fd, fd],
      env: this.spec.env ?? process.env,
      ...(this.spec.cwd !== undefined ? { cwd: this.spec.cwd } : {}),
      detached: true, // own process group, so the watchdog can kill it and any children
    });
    closeSync(fd);
    this.child = child;
    this.exitCode = undefined;
    this.exited = new Promise((resolve) => {
      child.once('error', (err) => {
        writeFileSync(this.logPath, `==== spawn error: ${err.message}\n`, { flag: 'a' });
        this.exitCode = -1;
        live.delete(this);
        this.onPidsChanged();
        resolve(-1);
      });
      child.once('exit', (code, signal) => {
        writeFileSync(this.logPath, `==== ${new Date().toISOString()} exit code=${code} signal=${signal}\n`, {
          flag: 'a',
        });
        this.exitCode = code;
        live.delete(this);
        this.onPidsChanged();
        resolve(code);
      });
    });
    live.add(this);
    this.onPidsChanged();
  }

  /** SIGTERM, then SIGKILL after graceMs. Resolves once the process has exited. */
  async stop(graceMs = 5000): Promise<void> {
    const child = this.child;
    if (child === undefined || !this.running) return;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  killNow(): void {
    this.signal('SIGKILL');
  }

  private signal(sig: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined || !this.running) return;
    try {
      process.kill(-pid, sig); // the whole process group
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  }

  /** Resolves with the exit code when the process ends. */
  waitExit(): Promise<number | null> {
    return this.exited;
  }

  tail(maxBytes = 8000): string {
    return tailFile(this.logPath, maxBytes);
  }
}

export function tailFile(file: string, maxBytes = 8000): string {
  if (!existsSync(file)) return '';
  const size = statSync(file).size;
  const text = readFileSync(file, 'utf8');
  return size > maxBytes ? '…' + text.slice(text.length - maxBytes) : text;
}

/**
 * A detached bash loop that outlives this process only long enough to kill the process groups listed in pidFile
 * (one pid per line) once this process is gone, then removes removeOnCrash (if given). Returns a function that
 * stops the watchdog.
 */
export function startWatchdog(pidFile: string, logsDir: string, removeOnCrash?: string): () => void {
  const script = [
    'parent="$1"; pids="$2"; junk="$3"',
    'while kill -0 "$parent" 2>/dev/null; do sleep 1; done',
    '[ -f "$pids" ] || exit 0',
    'for p in $(cat "$pids"); do kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null; done',
    'sleep 3',
    'for p in $(cat "$pids"); do kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null; done',
    'echo "watchdog: parent $parent gone, killed: $(tr "\\n" " " < "$pids")"',
    'if [ -n "$junk" ]; then rm -rf -- "$junk"; echo "watchdog: removed $junk"; fi',
  ].join('\n');
  const fd = openSync(path.join(logsDir, 'watchdog.log'), 'a');
  const args = ['-c', script, 'argo-entra-watchdog', String(process.pid), pidFile, removeOnCrash ?? ''];
  const child = spawn('bash', args, {
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  closeSync(fd);
  child.unref();
  return () => {
    try {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
}

/** A free TCP port on 127.0.0.1 (the OS picks it; a tiny race remains until the caller binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls fn until it returns a value other than undefined, or throws the last error after timeoutMs. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  fn: () => Promise<T | undefined>,
  opts: { intervalMs?: number; abortIf?: () => string | undefined } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const abort = opts.abortIf?.();
    if (abort !== undefined) throw new Error(`${what}: ${abort}`);
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : last === undefined ? 'not yet' : String(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail})`, { cause: last });
    }
    await sleep(opts.intervalMs ?? 100);
  }
}
