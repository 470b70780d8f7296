import { writeFile as fsWriteFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArgoEntraError } from '../errors.js';
import { formatError } from './format-error.js';
import { SecretMasker } from './redact.js';
import type { Reporter } from './reporter.js';

/** Escaping of a logging command's data (after `]`), as azure-pipelines-task-lib does it. `%` first, always. */
export function escapeAdoData(value: string): string {
  return value.replace(/%/g, '%AZP25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Property values (`variable=...;`) additionally must not close the bracket or start a new property. */
export function escapeAdoProperty(value: string): string {
  return escapeAdoData(value).replace(/]/g, '%5D').replace(/;/g, '%3B');
}

/**
 * The agent acts on `##vso[` anywhere in a line and on `##[` at its start. Messages carry user content (workflow
 * node messages, manifest names), so a crafted message could set variables: break the marker, keep it readable.
 */
export function defuseAdoCommands(text: string): string {
  return text.replace(/##vso\[/gi, '##vso [').replace(/^(\s*)##\[/gm, '$1## [');
}

export interface AzureDevOpsReporterOptions {
  readonly stdout: (text: string) => void;
  /** private temp dir (Agent.TempDirectory or ours) where summary files are written for task.uploadsummary */
  readonly tempDir: string;
  readonly writeFile?: (path: string, data: string) => Promise<void>;
}

/**
 * Azure DevOps Pipelines: `##vso[...]` logging commands on stdout. Secrets are registered with a secret variable
 * (`issecret=true`), which is what makes the agent mask them; log text is masked by us as well.
 */
export class AzureDevOpsReporter implements Reporter {
  private readonly masker = new SecretMasker();
  private secretCount = 0;
  private summaryCount = 0;
  private readonly writeFile: (path: string, data: string) => Promise<void>;

  constructor(private readonly options: AzureDevOpsReporterOptions) {
    this.writeFile = options.writeFile ?? ((path, data) => fsWriteFile(path, data, { encoding: 'utf8', mode: 0o600 }));
  }

  private line(text: string): void {
    this.options.stdout(`${text}\n`);
  }

  private safe(message: string): string {
    return defuseAdoCommands(this.masker.mask(message));
  }

  secret(value: string): void {
    if (value.trim().length === 0) return;
    this.masker.add(value);
    this.secretCount += 1;
    // The value itself must go out unmasked here: this line is how the agent learns what to mask.
    this.line(
      `##vso[task.setvariable variable=ARGO_ENTRA_SECRET_${this.secretCount};issecret=true]${escapeAdoData(value)}`,
    );
  }

  info(message: string): void {
    this.line(this.safe(message));
  }

  warning(message: string): void {
    this.line(`##vso[task.logissue type=warning]${escapeAdoData(this.safe(message))}`);
  }

  error(message: string): void {
    this.line(`##vso[task.logissue type=error]${escapeAdoData(this.safe(message))}`);
  }

  fail(error: ArgoEntraError): void {
    this.line(
      `##vso[task.logissue type=error;code=${escapeAdoProperty(error.code)}]${escapeAdoData(this.safe(formatError(error)))}`,
    );
  }

  debug(message: string): void {
    // task.debug, unlike the ##[debug] formatting prefix, is shown only when system.debug is on. One command per
    // line: a continuation line without it would show up regardless.
    for (const part of this.safe(message).split(/\r?\n/)) this.line(`##vso[task.debug]${escapeAdoData(part)}`);
  }

  async group<T>(title: string, body: () => Promise<T>): Promise<T> {
    this.line(`##[group]${this.safe(title).replace(/\r?\n/g, ' ')}`);
    try {
      return await body();
    } finally {
      this.line('##[endgroup]');
    }
  }

  setOutput(name: string, value: string): void {
    this.line(`##vso[task.setvariable variable=${escapeAdoProperty(name)};isOutput=true]${escapeAdoData(value)}`);
  }

  exportVariable(name: string, value: string): void {
    this.line(`##vso[task.setvariable variable=${escapeAdoProperty(name)}]${escapeAdoData(value)}`);
  }

  async summary(markdown: string): Promise<void> {
    this.summaryCount += 1;
    const path = join(this.options.tempDir, `argo-entra-summary-${this.summaryCount}.md`);
    try {
      await this.writeFile(path, this.masker.mask(markdown));
    } catch (error) {
      this.warning(`Could not write the run summary: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    this.line(`##vso[task.uploadsummary]${escapeAdoData(path)}`);
  }

  saveState(): void {
    // Azure DevOps has no post step for a script task: cleanup runs in the same process.
  }
}
