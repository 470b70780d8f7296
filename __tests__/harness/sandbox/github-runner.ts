/**
 * Just enough of the GitHub Actions runner to run our bundles the way it does, for the sandbox: one job with a
 * private RUNNER_TEMP, the file commands (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY),
 * INPUT_* for every input in action.yml (defaults filled in, as the runner does), GITHUB_* context variables, the
 * OIDC request variables of a job with `permissions: id-token: write`, and STATE_* handed from main to post.
 *
 * The environment is built from scratch (PATH and HOME only from this process), so nothing from the developer's
 * shell leaks into the step. Tests that need the full runner contract use __tests__/helpers/run-bundle.ts.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'yaml';

export interface GitHubContextEnv {
  repository: string;
  repositoryId: string;
  owner: string;
  ownerId: string;
  ref: string;
  sha: string;
  actor: string;
  actorId: string;
  runId: string;
  runNumber: string;
  runAttempt: string;
  eventName: string;
  workflowFile: string;
  workflowName: string;
  job: string;
}

export interface StepResult {
  exitCode: number;
  /** stdout + stderr as the runner's log would show them (before it interprets workflow commands) */
  log: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  exportedEnv: Record<string, string>;
  summary: string;
  ms: number;
}

export interface RunnerJob {
  readonly runnerTemp: string;
  readonly workspace: string;
  /** env every step of this job starts with (plus GITHUB_ENV exports of earlier steps) */
  readonly baseEnv: Record<string, string>;
  /** `uses:` step running <actionDir>/action.yml's runs.main (or runs.post with `post: true`) */
  runAction(opts: {
    actionDir: string;
    distDir: string;
    with: Record<string, string>;
    stepId: string;
    post?: boolean;
    /** STATE_* for a post step: the main step's saved state */
    state?: Record<string, string>;
  }): Promise<StepResult>;
  /** Variables GITHUB_ENV exported so far (later steps see them). */
  readonly exported: Record<string, string>;
  cleanup(): void;
}

/**
 * Parses a runner file command file: `name=value` lines and heredoc blocks `name<<DELIM\nvalue\nDELIM`
 * (what @actions/core writes).
 */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name = '', delim = ''] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i] ?? '');
      out[name] = value.join('\n');
    } else {
      const eq = line.indexOf('=');
      if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
    }
  }
  return out;
}

interface ActionYaml {
  inputs?: Record<string, { default?: unknown }>;
  runs: { using: string; main: string; post?: string };
}

export function createRunnerJob(o: {
  context: GitHubContextEnv;
  /** ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN (the job has id-token: write) */
  oidc: { requestUrl: string; requestToken: string } | undefined;
  /** extra variables for every step, e.g. NODE_EXTRA_CA_CERTS */
  env?: Record<string, string>;
}): RunnerJob {
  const root = mkdtempSync(path.join(tmpdir(), 'argo-entra-runner-'));
  const runnerTemp = path.join(root, '_temp');
  const workspace = path.join(root, 'workspace');
  mkdirSync(runnerTemp, { recursive: true });
  mkdirSync(workspace, { recursive: true });
  const c = o.context;
  const baseEnv: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? root,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
    GITHUB_REPOSITORY: c.repository,
    GITHUB_REPOSITORY_ID: c.repositoryId,
    GITHUB_REPOSITORY_OWNER: c.owner,
    GITHUB_REPOSITORY_OWNER_ID: c.ownerId,
    GITHUB_REF: c.ref,
    GITHUB_REF_NAME: c.ref.replace(/^refs\/(heads|tags)\//, ''),
    GITHUB_REF_TYPE: c.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    GITHUB_SHA: c.sha,
    GITHUB_ACTOR: c.actor,
    GITHUB_ACTOR_ID: c.actorId,
    GITHUB_TRIGGERING_ACTOR: c.actor,
    GITHUB_RUN_ID: c.runId,
    GITHUB_RUN_NUMBER: c.runNumber,
    GITHUB_RUN_ATTEMPT: c.runAttempt,
    GITHUB_EVENT_NAME: c.eventName,
    GITHUB_WORKFLOW: c.workflowName,
    GITHUB_WORKFLOW_REF: `${c.repository}/${c.workflowFile}@${c.ref}`,
    GITHUB_WORKFLOW_SHA: c.sha,
    GITHUB_JOB: c.job,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'argo-entra-sandbox',
    RUNNER_ENVIRONMENT: 'github-hosted',
    ...(o.oidc
      ? { ACTIONS_ID_TOKEN_REQUEST_URL: o.oidc.requestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: o.oidc.requestToken }
      : {}),
    ...o.env,
  };
  const exported: Record<string, string> = {};
  let seq = 0;

  const runAction: RunnerJob['runAction'] = async (s) => {
    const action = parse(readFileSync(path.join(s.actionDir, 'action.yml'), 'utf8')) as ActionYaml;
    const script = s.post ? action.runs.post : action.runs.main;
    if (script === undefined) throw new Error(`action.yml has no runs.${s.post ? 'post' : 'main'}`);
    // action.yml names dist/<entry>/index.js relative to the action; the sandbox may point at another dist folder.
    const entry = path.join(s.distDir, path.relative('dist', script));
    const files = path.join(runnerTemp, '_runner_file_commands');
    mkdirSync(files, { recursive: true });
    const id = `${++seq}_${randomUUID()}`;
    const f = (name: string): string => {
      const p = path.join(files, `${name}_${id}`);
      writeFileSync(p, '');
      return p;
    };
    const fileEnv = {
      GITHUB_OUTPUT: f('set_output'),
      GITHUB_STATE: f('save_state'),
      GITHUB_ENV: f('set_env'),
      GITHUB_PATH: f('add_path'),
      GITHUB_STEP_SUMMARY: f('step_summary'),
    };
    const inputs: Record<string, string> = {};
    for (const [name, def] of Object.entries(action.inputs ?? {})) {
      const value = s.with[name] ?? (def.default === undefined ? '' : String(def.default));
      inputs[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
    }
    for (const name of Object.keys(s.with)) {
      if (!(name in (action.inputs ?? {}))) throw new Error(`with: ${name} is not an input of action.yml`);
    }
    const state = Object.fromEntries(Object.entries(s.state ?? {}).map(([k, v]) => [`STATE_${k}`, v]));
    const env = {
      ...baseEnv,
      ...exported,
      ...inputs,
      ...state,
      ...fileEnv,
      GITHUB_ACTION: s.stepId,
      GITHUB_ACTION_PATH: s.actionDir,
    };
    const t0 = performance.now();
    const { code, output } = await runNode(entry, env, workspace);
    const ms = performance.now() - t0;
    const read = (p: string): string => readFileSync(p, 'utf8');
    const newEnv = parseFileCommands(read(fileEnv.GITHUB_ENV));
    Object.assign(exported, newEnv);
    return {
      exitCode: code,
      log: output,
      outputs: parseFileCommands(read(fileEnv.GITHUB_OUTPUT)),
      state: parseFileCommands(read(fileEnv.GITHUB_STATE)),
      exportedEnv: newEnv,
      summary: read(fileEnv.GITHUB_STEP_SUMMARY),
      ms,
    };
  };

  return {
    runnerTemp,
    workspace,
    baseEnv,
    runAction,
    exported,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Runs `node <script>` as the runner does (its own node binary), stdout and stderr interleaved into one log. */
export function runNode(
  script: string,
  env: Record<string, string>,
  cwd: string,
  args: string[] = [],
): Promise<{ code: number; output: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const all: Buffer[] = [];
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => {
      all.push(b);
      out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => all.push(b));
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 : 1),
        output: Buffer.concat(all).toString('utf8'),
        stdout: Buffer.concat(out).toString('utf8'),
      }),
    );
  });
}
