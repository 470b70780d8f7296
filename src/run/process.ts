import { reportError } from '../report/format-error.js';
import type { Reporter } from '../report/reporter.js';
import type { ReporterIo } from '../report/create.js';

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

/**
 * A job cancel arrives as SIGINT then SIGTERM (the GitHub runner waits ~7.5 s between them, then ~2.5 s to SIGKILL).
 * Both abort one signal so the wait stops at once and on-cancel still has time to run.
 */
export function cancelSignal(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (name: string) => () => controller.abort(new Error(`received ${name}`));
  process.once('SIGINT', onSignal('SIGINT'));
  process.once('SIGTERM', onSignal('SIGTERM'));
  return controller.signal;
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
