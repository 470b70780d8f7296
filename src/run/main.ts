import { makePrivateDir, removeKubeconfigDir } from '../cluster/kubeconfig.js';
import type { Reporter } from '../report/reporter.js';
import type { Settings } from '../settings/types.js';
import type { Clock, Sleep } from '../util/time.js';
import { runOperation, type OperationResult } from './operate.js';
import { prepareAccess, type PreparedAccess } from './access.js';
import { resolveAksCluster } from './aks.js';
import { runDoctor } from './doctor.js';
import { publishResult } from './publish.js';
import { STATE } from './state.js';

export interface MainDeps {
  readonly reporter: Reporter;
  readonly clock: Clock;
  readonly sleep: Sleep;
  /** aborted when the job is cancelled (SIGINT/SIGTERM) */
  readonly cancel: AbortSignal;
  /** how kubectl starts our credential plugin: the running node binary and the bundled plugin script */
  readonly credentialPlugin: { readonly command: string; readonly script: string };
  /**
   * Leave the kubeconfig and token cache in place when this returns: the action's post step removes them; the CLI
   * keeps them only for `kubeconfig`, whose whole point is later steps.
   */
  readonly keepCredentials: boolean;
}

/**
 * The one road: settings -> identity -> cluster -> argo -> report. Returns the exit code; every failure on the way
 * is a coded error that the caller reports.
 */
export async function runMain(given: Settings, deps: MainDeps): Promise<number> {
  const { reporter } = deps;
  for (const secret of given.secrets) reporter.secret(secret);
  if (given.cluster.insecureSkipTlsVerify) {
    reporter.warning(
      'insecure-skip-tls-verify is on: the API server certificate is not verified. Never use this in production.',
    );
  }

  // aks-cluster: server and CA come from ARM first; from here on the run is the same as with server + CA.
  const settings = await resolveAksCluster(given, deps);
  const dir = await makePrivateDir(settings.cluster.tempDir);
  // Saved before anything is written into it, so the post step removes it even if this step dies next.
  reporter.saveState(STATE.dir, dir);
  let access: PreparedAccess | undefined;
  try {
    // diagnose-only (action) and `doctor` (CLI): every check, one report line each, nothing submitted (doctor.ts).
    if (settings.report.diagnoseOnly) return await runDoctor(settings, deps);
    access = await prepareAccess(settings, deps, dir);
    if (settings.operation === 'kubeconfig') return 0;
    const result: OperationResult = await runOperation(settings, access, deps);
    return await publishResult(settings, access, result, deps);
  } finally {
    access?.client.close();
    if (!deps.keepCredentials) await removeKubeconfigDir(dir);
  }
}
