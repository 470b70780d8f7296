import type { ArgoEntraError } from '../errors.js';
import { type AnnotationProperties, WorkflowCommands } from './github-commands.js';
import { formatError } from './format-error.js';
import { SecretMasker } from './redact.js';
import type { Reporter } from './reporter.js';

/**
 * The workflow-command surface this reporter uses: our WorkflowCommands by default; tests may pass `@actions/core`
 * itself (its functions have these shapes) to show both write the same protocol.
 */
export interface CoreApi {
  setSecret(secret: string): void;
  info(message: string): void;
  warning(message: string, properties?: AnnotationProperties): void;
  error(message: string, properties?: AnnotationProperties): void;
  debug(message: string): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  setOutput(name: string, value: string): void;
  exportVariable(name: string, value: string): void;
  saveState(name: string, value: string): void;
  appendSummary(markdown: string): void | Promise<void>;
}

/**
 * GitHub Actions: workflow commands (see github-commands.ts). The runner masks `::add-mask::` values in its logs;
 * we also mask log text ourselves so an `act` run or a log line printed before the runner processes the mask
 * command cannot leak. Outputs, env and state go to files (GITHUB_OUTPUT...) as data and are not masked: the
 * runner refuses to hand masked outputs to other jobs, and a masked value would be corrupt data.
 */
export class GitHubReporter implements Reporter {
  private readonly masker = new SecretMasker();

  constructor(private readonly core: CoreApi = new WorkflowCommands()) {}

  secret(value: string): void {
    if (value.trim().length === 0) return;
    this.masker.add(value);
    this.core.setSecret(value);
  }

  info(message: string): void {
    this.core.info(this.masker.mask(message));
  }

  warning(message: string): void {
    this.core.warning(this.masker.mask(message));
  }

  error(message: string): void {
    this.core.error(this.masker.mask(message));
  }

  fail(error: ArgoEntraError): void {
    // The code as the annotation title: it is what the README's troubleshooting table is keyed by.
    this.core.error(this.masker.mask(formatError(error)), { title: `argo-entra ${error.code}` });
  }

  debug(message: string): void {
    this.core.debug(this.masker.mask(message));
  }

  group<T>(title: string, body: () => Promise<T>): Promise<T> {
    return this.core.group(this.masker.mask(title), body);
  }

  setOutput(name: string, value: string): void {
    this.core.setOutput(name, value);
  }

  exportVariable(name: string, value: string): void {
    this.core.exportVariable(name, value);
  }

  async summary(markdown: string): Promise<void> {
    try {
      await this.core.appendSummary(this.masker.mask(markdown));
    } catch (error) {
      // No GITHUB_STEP_SUMMARY (older runners, some act setups): a missing summary must not fail the run.
      this.core.warning(`Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  saveState(name: string, value: string): void {
    this.core.saveState(name, value);
  }
}
