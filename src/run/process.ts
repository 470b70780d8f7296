import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArgoEntraError } from '../errors.js';
import { reportError } from '../report/format-error.js';
import type { Reporter } from '../report/reporter.js';
import type { ReporterIo } from '../report/create.js';

/**
 * The script of a sibling bundle (dist/<entry>/index.js) seen from the running bundle's `import.meta.url`
 * (dist/<self>/index.js). Deliberately not `new URL('../credential/index.js', import.meta.url)` in the entry: ncc
 * treats that literal as an asset and emits a stub (`module.exports = eval("require")(...)`) next to the bundle, a
 * CommonJS file that cannot even load under dist's "type": "module"; the kubeconfig then pointed kubectl at it.
 */
export function siblingEntryScript(moduleUrl: string, entry: string): string {
  return join(dirname(dirname(fileURLToPath(moduleUrl))), entry, 'index.js');
}

/** The process-level plumbing every entry point shares: I/O handles, cancel signal, and the one exit path. */
export function processIo(tempDir: string): ReporterIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    tempDir,
  };
}

/** How long a cancelled run may take to stop by itself (on-cancel has a 5 s budget) before the process gives up. */
export const CANCEL_GRACE_MS = 6_000;

export interface CancelOptions {
  readonly graceMs?: number;
  /**
   * Called when the run has not ended `graceMs` after the first signal: a stage that does not observe the signal
   * (a hung request) must not keep the step alive until the runner's SIGKILL, which would lose the exit code and
   * the error-code output. The timer is unref'd: a run that ends in time never sees it.
   */
  readonly onGraceExpired?: () => void;
}

/**
 * A job cancel arrives as SIGINT then SIGTERM (the GitHub runner waits ~7.5 s between them, then ~2.5 s to SIGKILL).
 * Both abort one signal so the wait stops at once and on-cancel still has time to run.
 */
export function cancelSignal(options: CancelOptions = {}): AbortSignal {
  const controller = new AbortController();
  const onSignal = (name: string) => () => {
    if (controller.signal.aborted) return;
    controller.abort(new Error(`received ${name}`));
    const { onGraceExpired } = options;
    if (onGraceExpired !== undefined) setTimeout(onGraceExpired, options.graceMs ?? CANCEL_GRACE_MS).unref();
  };
  process.once('SIGINT', onSignal('SIGINT'));
  process.once('SIGTERM', onSignal('SIGTERM'));
  return controller.signal;
}

/** The end of a cancelled run that did not stop within the grace period: report ERR_CANCELLED and exit now. */
export function exitCancelled(reporter: Reporter, graceMs: number = CANCEL_GRACE_MS): never {
  const error = new ArgoEntraError(
    'ERR_CANCELLED',
    `The job was cancelled and argo-entra had not stopped ${Math.round(graceMs / 1000)} s later; exiting.`,
    { hint: 'The post step applies on-cancel to a workflow this job created and removes the kubeconfig.' },
  );
  reportError(reporter, error);
  reporter.setOutput('error-code', error.code);
  reporter.close?.(error.exitCode);
  // stdout/stderr are pipes or files here: writes are synchronous on Linux, so nothing above is lost.
  process.exit(error.exitCode);
}

/** Runs `body`, reports whatever it throws as one coded error (no stack trace), and sets the exit code. */
export async function runToExit(reporter: () => Reporter, body: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (thrown) {
    const r = reporter();
    const error = reportError(r, thrown);
    r.setOutput('error-code', error.code);
    if (process.env.ARGO_ENTRA_DEBUG === '1' && thrown instanceof Error) r.debug(thrown.stack ?? '');
    process.exitCode = error.exitCode;
  }
}
