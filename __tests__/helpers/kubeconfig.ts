/**
 * Reading a kubeconfig the product wrote, and running its exec credential plugin exactly as kubectl (client-go)
 * does: `command` with `args`, the caller's environment plus the exec block's `env`, KUBERNETES_EXEC_INFO set,
 * stdin not a terminal, one ExecCredential expected on stdout.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

export interface ExecBlock {
  apiVersion: string;
  command: string;
  args: string[];
  env: Array<{ name: string; value: string }> | null;
  interactiveMode?: string;
  provideClusterInfo?: boolean;
}

export interface Kubeconfig {
  apiVersion: string;
  kind: string;
  'current-context': string;
  clusters: Array<{
    name: string;
    cluster: { server: string; 'certificate-authority-data'?: string; 'insecure-skip-tls-verify'?: boolean };
  }>;
  contexts: Array<{ name: string; context: { cluster: string; user: string; namespace?: string } }>;
  users: Array<{ name: string; user: { exec?: ExecBlock; token?: string } }>;
}

export function readKubeconfig(file: string): Kubeconfig {
  return parseYaml(readFileSync(file, 'utf8')) as Kubeconfig;
}

export function execBlockOf(config: Kubeconfig): ExecBlock {
  const exec = config.users[0]?.user.exec;
  if (!exec) throw new Error('the kubeconfig has no exec user');
  return exec;
}

export interface ExecCredential {
  apiVersion: string;
  kind: string;
  status: { token: string; expirationTimestamp: string };
}

export interface PluginRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed, when it is exactly one JSON document */
  readonly credential: ExecCredential | undefined;
  readonly durationMs: number;
}

/**
 * kubectl's side of the exec protocol. `env` is the environment of the step that runs kubectl (kubectl passes
 * its whole environment on; tests give only what they mean to).
 */
export function runExecPlugin(
  exec: ExecBlock,
  env: Readonly<Record<string, string>>,
  timeoutMs = 60_000,
): Promise<PluginRun> {
  const childEnv: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/tmp',
    ...env,
    KUBERNETES_EXEC_INFO: JSON.stringify({
      kind: 'ExecCredential',
      apiVersion: exec.apiVersion,
      spec: { interactive: false },
    }),
  };
  for (const { name, value } of exec.env ?? []) childEnv[name] = value;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(exec.command, exec.args, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      let credential: ExecCredential | undefined;
      try {
        credential = JSON.parse(stdout) as ExecCredential;
      } catch {
        credential = undefined;
      }
      resolve({ code, stdout, stderr, credential, durationMs: Date.now() - started });
    });
  });
}

/** exp claim of a JWT, epoch ms (no verification: the emulator signed it). */
export function jwtExpiryMs(token: string): number {
  const payload = token.split('.')[1] ?? '';
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: number };
  if (typeof claims.exp !== 'number') throw new Error('token has no exp');
  return claims.exp * 1000;
}
