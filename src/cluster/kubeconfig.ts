/**
 * Writes the ephemeral kubeconfig: one cluster, one context pinned to the namespace, one user.
 *
 * Secrets policy: the exec user carries only non-secret settings (client id, tenant, scope, cache path...). The CI
 * job's token-minting secrets (ACTIONS_ID_TOKEN_REQUEST_TOKEN/URL, SYSTEM_ACCESSTOKEN, SYSTEM_OIDCREQUESTURI, the
 * GitLab id_tokens variable) are never written here: kubectl passes its own environment to the plugin, so the
 * plugin reads them from the step that runs kubectl. A kubeconfig that leaks therefore holds no way to mint tokens,
 * and in `token` mode only one short-lived Entra access token.
 */
import { chmod, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { ArgoEntraError } from '../errors.js';
import type { ClusterSettings } from '../settings/types.js';
import { writePrivateFileAtomic } from '../util/atomic-write.js';

export type KubeconfigUser =
  | {
      readonly mode: 'exec';
      readonly command: string;
      readonly args: readonly string[];
      /** non-secret variables only; kubectl adds its own environment on top */
      readonly env: Readonly<Record<string, string>>;
    }
  | { readonly mode: 'token'; readonly token: string };

export interface WriteKubeconfigOptions {
  /** private directory (0700) owned by this run; created if missing */
  readonly dir: string;
  readonly cluster: ClusterSettings;
  readonly user: KubeconfigUser;
}

export const KUBECONFIG_FILE = 'kubeconfig';
const NAME = 'argo-entra';

/** Variables that mint CI tokens: refusing them here keeps the secrets policy above from eroding by accident. */
const FORBIDDEN_ENV: ReadonlySet<string> = new Set([
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_URL',
  'SYSTEM_ACCESSTOKEN',
  'SYSTEM_OIDCREQUESTURI',
  'ACTIONS_RUNTIME_TOKEN',
  'GITHUB_TOKEN',
  'CI_JOB_JWT',
  'CI_JOB_JWT_V2',
  'CI_JOB_TOKEN',
]);

/** The kubeconfig document as a plain object (exported for tests and for `--print` style callers). */
export function buildKubeconfig(cluster: ClusterSettings, user: KubeconfigUser): Record<string, unknown> {
  const clusterEntry: Record<string, unknown> = { server: cluster.server };
  // client-go rejects a root CA together with insecure-skip-tls-verify, so the opt-out drops the CA.
  if (cluster.insecureSkipTlsVerify) clusterEntry['insecure-skip-tls-verify'] = true;
  else if (cluster.caData !== undefined) clusterEntry['certificate-authority-data'] = cluster.caData;

  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name: NAME, cluster: clusterEntry }],
    contexts: [{ name: NAME, context: { cluster: NAME, user: NAME, namespace: cluster.namespace } }],
    'current-context': NAME,
    users: [{ name: NAME, user: buildUser(user) }],
  };
}

function buildUser(user: KubeconfigUser): Record<string, unknown> {
  if (user.mode === 'token') return { token: user.token };
  for (const name of Object.keys(user.env)) {
    if (FORBIDDEN_ENV.has(name.toUpperCase())) {
      throw new ArgoEntraError('ERR_KUBECONFIG_WRITE', `Refusing to write the CI secret ${name} into the kubeconfig`, {
        hint: 'The credential plugin reads CI token variables from the environment kubectl runs in; pass only non-secret settings in exec env.',
      });
    }
  }
  return {
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: user.command,
      args: [...user.args],
      env: Object.entries(user.env).map(([name, value]) => ({ name, value })),
      interactiveMode: 'Never',
      provideClusterInfo: false,
      installHint:
        'This kubeconfig was written by argo-entra for one CI job; its credential plugin only works inside that job (same runner, CI OIDC variables in the environment).',
    },
  };
}

export async function writeKubeconfig(options: WriteKubeconfigOptions): Promise<{ path: string }> {
  const text = stringify(buildKubeconfig(options.cluster, options.user), { lineWidth: 0 });
  const target = path.join(options.dir, KUBECONFIG_FILE);
  try {
    await ensurePrivateDir(options.dir);
    await writePrivateFileAtomic(target, text, { sync: true });
  } catch (error) {
    if (error instanceof ArgoEntraError) throw error;
    throw new ArgoEntraError(
      'ERR_KUBECONFIG_WRITE',
      `Could not write the kubeconfig in ${options.dir}: ${errno(error)}`,
      {
        cause: error,
        hint: 'Check that the temp directory (RUNNER_TEMP or the system temp dir) exists, is writable and has free space.',
        details: { dir: options.dir },
      },
    );
  }
  return { path: target };
}

/** A fresh private directory under `parent` for one run's kubeconfig and token cache. */
export async function makePrivateDir(parent: string): Promise<string> {
  try {
    const dir = await mkdtemp(path.join(parent, 'argo-entra-'));
    await chmod(dir, 0o700);
    return dir;
  } catch (error) {
    throw new ArgoEntraError(
      'ERR_KUBECONFIG_WRITE',
      `Could not create a private directory under ${parent}: ${errno(error)}`,
      {
        cause: error,
        hint: 'Check that RUNNER_TEMP (or the system temp dir) exists and is writable.',
        details: { dir: parent },
      },
    );
  }
}

/** Removes the directory and everything in it (kubeconfig, token cache, lock). Missing is fine: cleanup is idempotent. */
export async function removeKubeconfigDir(dir: string): Promise<void> {
  const resolved = path.resolve(dir);
  // Guard against a settings bug turning cleanup into `rm -rf /` or of a home directory.
  if (
    !path.isAbsolute(dir) ||
    resolved === path.parse(resolved).root ||
    resolved.split(path.sep).filter(Boolean).length < 2
  ) {
    throw new ArgoEntraError('ERR_INTERNAL', `Refusing to remove ${dir}: not a private run directory`);
  }
  await rm(resolved, { recursive: true, force: true });
}

async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await stat(dir);
  // An existing directory others can read would expose the token cache: tighten it rather than trust it.
  if ((info.mode & 0o077) !== 0) await chmod(dir, 0o700);
}

function errno(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}
