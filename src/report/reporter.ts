import type { ArgoEntraError } from '../errors.js';

/**
 * Where output goes. GitHub, Azure DevOps and a plain terminal each implement this; the core only talks to it.
 * `secret` must be called on every token the moment it exists, before anything could print it.
 */
export interface Reporter {
  secret(value: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  group<T>(title: string, body: () => Promise<T>): Promise<T>;
  setOutput(name: string, value: string): void;
  exportVariable(name: string, value: string): void;
  /** the job summary in Markdown; implementations without one may print it or ignore it */
  summary(markdown: string): Promise<void>;
  /** state handed from the main step to the post step (GitHub saveState); no-op elsewhere */
  saveState(name: string, value: string): void;
  /**
   * Optional (added for structured output): the coded error a run ends with. Reporters that keep structure (the
   * terminal's JSON mode) record code/hint/details; the others print it like `error`. Call through
   * `reportError()` in format-error.ts, which falls back to `error()` for reporters without it.
   */
  fail?(error: ArgoEntraError): void;
  /**
   * Optional: called once when the run is over. The terminal's JSON mode prints its single document here; the
   * others have nothing to flush.
   */
  close?(exitCode: number): void;
}
