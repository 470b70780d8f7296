import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { EOL } from 'node:os';

/**
 * GitHub's workflow commands (`::add-mask::`, `::error title=..::`, groups) and file commands (GITHUB_OUTPUT,
 * GITHUB_ENV, GITHUB_STATE, GITHUB_STEP_SUMMARY), written exactly as `@actions/core` writes them.
 *
 * Why not `@actions/core` itself: its bundle drags in `@actions/http-client` and undici, which cost ~150 ms of
 * module evaluation before the action's first request (measured: bench/ and the closing note of the broker issue),
 * and the action uses none of its HTTP features. A unit test runs this and the real `@actions/core` side by side
 * and requires identical output, so the protocol cannot drift unnoticed.
 */

export interface AnnotationProperties {
  readonly title?: string;
}

export interface CommandIo {
  readonly write: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

const defaultIo: CommandIo = { write: (text) => process.stdout.write(text), env: process.env };

function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export class WorkflowCommands {
  constructor(private readonly io: CommandIo = defaultIo) {}

  private command(name: string, properties: Readonly<Record<string, string | undefined>>, message: string): void {
    const props = Object.entries(properties)
      .filter(([, v]) => v !== undefined && v !== '')
      .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
      .join(',');
    this.io.write(`::${name}${props ? ` ${props}` : ''}::${escapeData(message)}${EOL}`);
  }

  /** Appends `name<<delimiter` heredoc to a file command; false when the runner gave no such file. */
  private fileCommand(variable: string, name: string, value: string): boolean {
    const path = this.io.env[`GITHUB_${variable}`];
    if (!path) return false;
    if (!existsSync(path)) throw new Error(`Missing file at path: ${path}`);
    const delimiter = `ghadelimiter_${randomUUID()}`;
    if (name.includes(delimiter) || value.includes(delimiter))
      throw new Error(`Unexpected input: the value contains the delimiter ${delimiter}`);
    appendFileSync(path, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, { encoding: 'utf8' });
    return true;
  }

  setSecret(secret: string): void {
    this.command('add-mask', {}, secret);
  }

  info(message: string): void {
    this.io.write(`${message}${EOL}`);
  }

  warning(message: string, properties: AnnotationProperties = {}): void {
    this.command('warning', { ...properties }, message);
  }

  error(message: string, properties: AnnotationProperties = {}): void {
    this.command('error', { ...properties }, message);
  }

  debug(message: string): void {
    this.command('debug', {}, message);
  }

  async group<T>(name: string, body: () => Promise<T>): Promise<T> {
    this.command('group', {}, name);
    try {
      return await body();
    } finally {
      this.command('endgroup', {}, '');
    }
  }

  setOutput(name: string, value: string): void {
    if (this.fileCommand('OUTPUT', name, value)) return;
    this.io.write(EOL);
    this.command('set-output', { name }, value);
  }

  exportVariable(name: string, value: string): void {
    this.io.env[name] = value;
    if (this.fileCommand('ENV', name, value)) return;
    this.command('set-env', { name }, value);
  }

  saveState(name: string, value: string): void {
    if (this.fileCommand('STATE', name, value)) return;
    this.command('save-state', { name }, value);
  }

  /** Appends Markdown to the job summary, as `core.summary.addRaw(text, true).write()` does. */
  appendSummary(markdown: string): void {
    const path = this.io.env.GITHUB_STEP_SUMMARY;
    if (!path)
      throw new Error(
        'Unable to find environment variable for $GITHUB_STEP_SUMMARY. Check if your runtime environment supports job summaries.',
      );
    appendFileSync(path, `${markdown}${EOL}`, { encoding: 'utf8' });
  }
}
