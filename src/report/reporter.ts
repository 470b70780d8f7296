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
}
