/**
 * Runs a bundled entry point (`node dist/<entry>/index.js`) as a child process the way its host runs it, and
 * captures everything it left behind.
 *
 * GitHub runner contract reproduced here:
 * - every `with:` value as `INPUT_<NAME>` (name upper-cased, dashes kept, spaces -> `_`), plus the defaults that
 *   action.yml declares for inputs the step did not give (the runner passes those too);
 * - `GITHUB_ACTIONS=true` and the `GITHUB_*` context (repository, run id/attempt, sha, ref, actor, workflow ref,
 *   server url, `GITHUB_ACTION` step id, `GITHUB_JOB`), `RUNNER_TEMP` (a fresh directory per run unless given);
 * - the file commands `GITHUB_OUTPUT`, `GITHUB_ENV`, `GITHUB_STATE`, `GITHUB_STEP_SUMMARY`, `GITHUB_PATH` as empty
 *   files, parsed afterwards (`name<<delimiter` heredocs as @actions/core writes them, and plain `name=value`);
 * - `ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN` only when the job has `id-token: write` (pass `oidc`);
 * - the post step gets the main step's saved state back as `STATE_<name>` (pass `state`).
 *
 * The child's environment starts from PATH/HOME only (never this process's env), so nothing from the test
 * runner leaks into what the product sees. `NODE_EXTRA_CA_CERTS` trusts the harness CA.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export type BundleEntry = 'main' | 'post' | 'cli' | 'credential';

export function bundlePath(entry: BundleEntry): string {
  return path.join(ROOT, 'dist', entry, 'index.js');
}

/** The GitHub OIDC request variables a job with `permissions: id-token: write` gets. */
export interface OidcRequest {
  readonly requestUrl: string;
  readonly requestToken: string;
}

export type StopSignal = 'SIGTERM' | 'SIGINT' | 'SIGKILL';

export interface SignalPlan {
  readonly signal: StopSignal;
  /** send once captured stdout+stderr contains this text, or the predicate returns true (checked on each chunk) */
  readonly when: string | RegExp | ((output: { stdout: string; stderr: string }) => boolean);
  /** wait this long after the condition before signalling (default 0) */
  readonly delayMs?: number;
  /** like the runner: a second signal this long after the first (e.g. SIGINT, then SIGTERM after 7.5 s) */
  readonly then?: { readonly signal: StopSignal; readonly afterMs: number };
}

export interface RunBundleOptions {
  /** action inputs (`with:`), by input name */
  readonly inputs?: Readonly<Record<string, string>>;
  /** add action.yml defaults for inputs not given (GitHub entries only; default true) */
  readonly actionDefaults?: boolean;
  /** command-line arguments after the script (cli, credential) */
  readonly args?: readonly string[];
  /** GitHub: the job has id-token: write (the emulator's request URL and token) */
  readonly oidc?: OidcRequest;
  /** GitHub context overrides (GITHUB_* variables) */
  readonly github?: Readonly<Record<string, string>>;
  /** post step: state saved by the main step (passed as STATE_<name>) */
  readonly state?: Readonly<Record<string, string>>;
  /** reuse a RUNNER_TEMP (post after main); default a fresh directory */
  readonly runnerTemp?: string;
  /** file trusted as extra CA by the child (the harness CA) */
  readonly caPath?: string;
  /** extra environment, applied last; a value of undefined removes the variable */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** 'github' (default for main/post): the runner contract above; 'bare': only PATH, HOME, caPath and env */
  readonly host?: 'github' | 'bare';
  readonly signal?: SignalPlan;
  /** SIGKILL the child after this long and fail (default 60 s) */
  readonly timeoutMs?: number;
  readonly cwd?: string;
}

export interface FileCommands {
  readonly outputs: Record<string, string>;
  readonly state: Record<string, string>;
  readonly env: Record<string, string>;
  readonly path: string[];
  readonly summary: string;
}

export interface BundleRun extends FileCommands {
  readonly entry: BundleEntry;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly runnerTemp: string;
  /** the raw file-command files, for scans */
  readonly files: Readonly<
    Record<'GITHUB_OUTPUT' | 'GITHUB_ENV' | 'GITHUB_STATE' | 'GITHUB_STEP_SUMMARY' | 'GITHUB_PATH', string>
  >;
  /** milliseconds from spawn to exit */
  readonly durationMs: number;
  /** when the signal plan fired (ms after spawn), if it did */
  readonly signalledAtMs: number | undefined;
}

const FILE_COMMANDS = ['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY', 'GITHUB_PATH'] as const;

/** The runner's GitHub context for one step (matches GitHubOidcEmulator's default run context). */
export const DEFAULT_GITHUB_CONTEXT: Readonly<Record<string, string>> = {
  GITHUB_ACTIONS: 'true',
  CI: 'true',
  GITHUB_REPOSITORY: 'octo-org/octo-repo',
  GITHUB_REPOSITORY_ID: '987654',
  GITHUB_REPOSITORY_OWNER: 'octo-org',
  GITHUB_REPOSITORY_OWNER_ID: '4242',
  GITHUB_RUN_ID: '7001',
  GITHUB_RUN_NUMBER: '12',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_SHA: 'a'.repeat(40),
  GITHUB_REF: 'refs/heads/main',
  GITHUB_REF_NAME: 'main',
  GITHUB_REF_TYPE: 'branch',
  GITHUB_EVENT_NAME: 'push',
  GITHUB_ACTOR: 'octocat',
  GITHUB_ACTOR_ID: '583231',
  GITHUB_WORKFLOW: 'deploy',
  GITHUB_WORKFLOW_REF: 'octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main',
  GITHUB_WORKFLOW_SHA: 'a'.repeat(40),
  GITHUB_JOB: 'deploy',
  GITHUB_ACTION: '__run_2',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_API_URL: 'https://api.github.com',
  RUNNER_OS: 'Linux',
  RUNNER_ARCH: 'X64',
  RUNNER_ENVIRONMENT: 'github-hosted',
};

let actionDefaultsCache: Record<string, string> | undefined;

/** `inputs.<name>.default` of action.yml, as the runner passes them. */
export function actionDefaults(): Record<string, string> {
  if (actionDefaultsCache) return actionDefaultsCache;
  const doc = parseYaml(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
    inputs?: Record<string, { default?: unknown }>;
  };
  const out: Record<string, string> = {};
  for (const [name, def] of Object.entries(doc.inputs ?? {})) {
    if (def.default !== undefined && def.default !== null) out[name] = String(def.default);
  }
  actionDefaultsCache = out;
  return out;
}

/** `INPUT_<NAME>` as the runner spells it: upper-case, spaces to `_`, dashes kept. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export function freshDir(prefix = 'argo-entra-runner-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/**
 * Parses a GitHub file-command file: `name<<DELIM\nvalue\nDELIM` heredocs (what @actions/core writes) and the
 * one-line `name=value` form. The last write of a name wins, as on the runner.
 */
export function parseFileCommand(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name = '', delimiter = ''] = heredoc;
      const value: string[] = [];
      let j = i + 1;
      for (; j < lines.length && lines[j] !== delimiter; j++) value.push(lines[j] ?? '');
      if (j >= lines.length) throw new Error(`file command: heredoc for ${name} has no closing ${delimiter}`);
      out[name] = value.join('\n');
      i = j;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`file command: cannot parse line ${JSON.stringify(line)}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

function read(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** A bundle started but not awaited: for tests that act while it runs (signal it, inspect live output). */
export interface RunningBundle {
  readonly pid: number | undefined;
  readonly runnerTemp: string;
  /** what it printed so far */
  output(): { stdout: string; stderr: string };
  kill(signal: StopSignal): void;
  /** resolves when it exits (rejects if it outlives timeoutMs) */
  readonly done: Promise<BundleRun>;
}

/** Runs one bundle to completion (or to the signal plan) and returns what it printed and wrote. */
export function runBundle(entry: BundleEntry, options: RunBundleOptions = {}): Promise<BundleRun> {
  return startBundle(entry, options).done;
}

/** Starts one bundle as the host would; see runBundle. */
export function startBundle(entry: BundleEntry, options: RunBundleOptions = {}): RunningBundle {
  const host = options.host ?? (entry === 'main' || entry === 'post' ? 'github' : 'bare');
  const runnerTemp = options.runnerTemp ?? freshDir();
  const commandDir = mkdtempSync(path.join(runnerTemp, '_runner_file_commands-'));
  const files = Object.fromEntries(
    FILE_COMMANDS.map((name) => {
      const file = path.join(commandDir, `${name.toLowerCase()}_${randomUUID()}`);
      writeFileSync(file, '');
      return [name, file];
    }),
  ) as Record<(typeof FILE_COMMANDS)[number], string>;

  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? runnerTemp,
    LANG: 'C.UTF-8',
  };
  if (options.caPath) env['NODE_EXTRA_CA_CERTS'] = options.caPath;
  if (host === 'github') {
    Object.assign(env, DEFAULT_GITHUB_CONTEXT, options.github, files, {
      RUNNER_TEMP: runnerTemp,
      RUNNER_TOOL_CACHE: path.join(runnerTemp, '_tool'),
    });
    if (options.oidc) {
      env['ACTIONS_ID_TOKEN_REQUEST_URL'] = options.oidc.requestUrl;
      env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] = options.oidc.requestToken;
    }
    const inputs = { ...(options.actionDefaults === false ? {} : actionDefaults()), ...options.inputs };
    for (const [name, value] of Object.entries(inputs)) env[inputEnvName(name)] = value;
    for (const [name, value] of Object.entries(options.state ?? {})) env[`STATE_${name}`] = value;
  }
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }

  const started = Date.now();
  const child = spawn(process.execPath, [bundlePath(entry), ...(options.args ?? [])], {
    cwd: options.cwd ?? runnerTemp,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const done = new Promise<BundleRun>((resolve, reject) => {
    let signalledAtMs: number | undefined;
    let planFired = false;
    const timers: NodeJS.Timeout[] = [];
    const timeoutMs = options.timeoutMs ?? 60_000;
    let timedOut = false;
    timers.push(
      setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs),
    );

    const plan = options.signal;
    const check = (): void => {
      if (!plan || planFired) return;
      const { when } = plan;
      const seen =
        typeof when === 'string'
          ? (stdout + stderr).includes(when)
          : when instanceof RegExp
            ? when.test(stdout + stderr)
            : when({ stdout, stderr });
      if (!seen) return;
      planFired = true;
      clearInterval(poll);
      timers.push(
        setTimeout(() => {
          signalledAtMs = Date.now() - started;
          child.kill(plan.signal);
          if (plan.then) {
            const next = plan.then;
            timers.push(setTimeout(() => child.kill(next.signal), next.afterMs));
          }
        }, plan.delayMs ?? 0),
      );
    };
    // Conditions on the outside world (a request reaching an emulator) change without output: poll as well.
    const poll = plan ? setInterval(check, 25) : undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      check();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      check();
    });
    child.on('error', (error) => {
      clearInterval(poll);
      for (const t of timers) clearTimeout(t);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearInterval(poll);
      for (const t of timers) clearTimeout(t);
      if (timedOut) {
        reject(
          new Error(
            `dist/${entry} did not exit within ${timeoutMs} ms (killed)\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`,
          ),
        );
        return;
      }
      const raw = Object.fromEntries(FILE_COMMANDS.map((name) => [name, read(files[name])])) as BundleRun['files'];
      try {
        resolve({
          entry,
          code,
          signal,
          stdout,
          stderr,
          runnerTemp,
          files: raw,
          outputs: parseFileCommand(raw.GITHUB_OUTPUT),
          state: parseFileCommand(raw.GITHUB_STATE),
          env: parseFileCommand(raw.GITHUB_ENV),
          path: raw.GITHUB_PATH.split(/\r?\n/).filter((l) => l !== ''),
          summary: raw.GITHUB_STEP_SUMMARY,
          durationMs: Date.now() - started,
          signalledAtMs,
        });
      } catch (error) {
        reject(error as Error);
      }
    });
  });
  return {
    pid: child.pid,
    runnerTemp,
    output: () => ({ stdout, stderr }),
    kill: (signal) => {
      child.kill(signal);
    },
    done,
  };
}

/** The post step of the same job: same RUNNER_TEMP and context, the main step's state as STATE_*. */
export function runPostAfter(
  main: BundleRun,
  options: Omit<RunBundleOptions, 'state' | 'runnerTemp'> = {},
): Promise<BundleRun> {
  return runBundle('post', { ...options, state: main.state, runnerTemp: main.runnerTemp });
}

// ---- GitHub workflow-command views of stdout ------------------------------------------------------------------

/** `::error title=...::message` annotations, message decoded (%0A -> newline...). */
export function errorAnnotations(stdout: string): Array<{ properties: string; message: string }> {
  const out: Array<{ properties: string; message: string }> = [];
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^::error(?: ([^:]*))?::(.*)$/.exec(line);
    if (m) out.push({ properties: decodeCommand(m[1] ?? ''), message: decodeCommand(m[2] ?? '') });
  }
  return out;
}

export function decodeCommand(value: string): string {
  return value
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%');
}

/** Lines that look like a JavaScript stack frame: a coded error must never print one. */
export function stackTraceLines(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => /^\s+at .+(\(|:\d+)/.test(line) || /^ {4}at /.test(line));
}
