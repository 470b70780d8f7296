import type { ReportSettings } from '../settings/types.js';
import { AzureDevOpsReporter } from './azure-devops.js';
import { GitHubReporter } from './github.js';
import type { Reporter } from './reporter.js';
import { TerminalReporter } from './terminal.js';

/** What an entry point hands over from its process, so reporters themselves never read globals. */
export interface ReporterIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** where Azure DevOps summary files go (the cluster temp dir is fine: private, removed on cleanup) */
  readonly tempDir: string;
}

export function createReporter(
  settings: Pick<ReportSettings, 'reporter' | 'json' | 'debug'>,
  io: ReporterIo,
): Reporter {
  switch (settings.reporter) {
    case 'github':
      return new GitHubReporter();
    case 'azure-devops':
      return new AzureDevOpsReporter({ stdout: io.stdout, tempDir: io.tempDir });
    case 'terminal':
      return new TerminalReporter({ ...io, json: settings.json, debug: settings.debug });
  }
}
