import { type ArgoEntraError, isArgoEntraError, toArgoEntraError } from '../errors.js';
import type { Reporter } from './reporter.js';

/**
 * One coded error as the lines a person reads: `[CODE] message`, then the fix, then the facts the diagnosis found
 * (issuer, subject, verb...). Details never hold tokens by construction (see errors.ts), and the reporter masks anyway.
 */
export function formatError(error: ArgoEntraError): string {
  const lines = [`[${error.code}] ${error.message}`];
  if (error.hint !== undefined && error.hint.length > 0) lines.push(`Fix: ${error.hint}`);
  const entries = Object.entries(error.details);
  if (entries.length > 0) {
    lines.push('Details:');
    for (const [key, value] of entries) lines.push(`  ${key}: ${value}`);
  }
  return lines.join('\n');
}

/** The JSON form the terminal's `--json` document carries; stable keys so scripts can switch on `code`. */
export interface ErrorRecord {
  readonly code: string;
  /** absent for messages that reached `error()` without a coded error */
  readonly exitCode?: number;
  readonly message: string;
  readonly hint?: string;
  readonly details?: Readonly<Record<string, string>>;
}

export function errorRecord(error: ArgoEntraError): ErrorRecord {
  return {
    code: error.code,
    exitCode: error.exitCode,
    message: error.message,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    ...(Object.keys(error.details).length === 0 ? {} : { details: error.details }),
  };
}

/** Entry points call this with whatever ended the run; reporters that keep structure get the coded error itself. */
export function reportError(reporter: Reporter, thrown: unknown): ArgoEntraError {
  const error = isArgoEntraError(thrown) ? thrown : toArgoEntraError(thrown);
  if (reporter.fail !== undefined) reporter.fail(error);
  else reporter.error(formatError(error));
  return error;
}
