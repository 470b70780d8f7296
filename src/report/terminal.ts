import type { ArgoEntraError } from '../errors.js';
import { type ErrorRecord, errorRecord, formatError } from './format-error.js';
import { SecretMasker } from './redact.js';
import type { Reporter } from './reporter.js';

export interface TerminalReporterOptions {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  /** only NO_COLOR is read; passed in so the reporter never touches process.env */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** one JSON document on stdout at `close()`, every human line on stderr */
  readonly json: boolean;
  readonly debug: boolean;
}

/** The document `--json` prints once. Keys are stable: scripts read `outputs` and switch on `errors[].code`. */
export interface TerminalJsonDocument {
  readonly ok: boolean;
  readonly exitCode: number;
  readonly outputs: Record<string, string>;
  readonly variables: Record<string, string>;
  readonly warnings: string[];
  readonly errors: ErrorRecord[];
  readonly summary?: string;
}

const ANSI = { red: '\u001b[31m', yellow: '\u001b[33m', dim: '\u001b[2m', bold: '\u001b[1m', reset: '\u001b[0m' };
type Colour = keyof typeof ANSI;

/** POSIX single-quote a value so `eval "$(argo-entra kubeconfig)"` is safe whatever the value holds. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A plain terminal (local runs, GitLab, any CI without a richer protocol). No runner masks anything here, so this
 * reporter masks every registered secret in everything it prints, JSON included.
 */
export class TerminalReporter implements Reporter {
  private readonly masker = new SecretMasker();
  private readonly outputs: Record<string, string> = {};
  private readonly variables: Record<string, string> = {};
  private readonly warnings: string[] = [];
  private readonly errors: ErrorRecord[] = [];
  private summaryText: string | undefined;
  private closed = false;

  constructor(private readonly options: TerminalReporterOptions) {}

  private colourOn(tty: boolean): boolean {
    const noColor = this.options.env['NO_COLOR'];
    // no-color.org: present and not empty disables colour.
    return tty && (noColor === undefined || noColor === '');
  }

  private paint(text: string, colour: Colour, tty: boolean): string {
    return this.colourOn(tty) ? `${ANSI[colour]}${text}${ANSI.reset}` : text;
  }

  /** Human lines: stdout normally, stderr in JSON mode so stdout stays one parseable document. */
  private human(text: string, colour?: Colour): void {
    const toErr = this.options.json;
    const tty = toErr ? this.options.stderrIsTTY : this.options.stdoutIsTTY;
    const masked = this.masker.mask(text);
    const out = colour === undefined ? masked : this.paint(masked, colour, tty);
    (toErr ? this.options.stderr : this.options.stdout)(`${out}\n`);
  }

  private problem(text: string, colour: Colour): void {
    this.options.stderr(`${this.paint(this.masker.mask(text), colour, this.options.stderrIsTTY)}\n`);
  }

  secret(value: string): void {
    if (value.trim().length === 0) return;
    this.masker.add(value);
  }

  info(message: string): void {
    this.human(message);
  }

  warning(message: string): void {
    this.warnings.push(message);
    this.problem(`warning: ${message}`, 'yellow');
  }

  error(message: string): void {
    this.errors.push({ code: 'ERR_UNCODED', message });
    this.problem(`error: ${message}`, 'red');
  }

  fail(error: ArgoEntraError): void {
    this.errors.push(errorRecord(error));
    this.problem(`error: ${formatError(error)}`, 'red');
  }

  debug(message: string): void {
    if (!this.options.debug) return;
    this.options.stderr(`${this.paint(`debug: ${this.masker.mask(message)}`, 'dim', this.options.stderrIsTTY)}\n`);
  }

  async group<T>(title: string, body: () => Promise<T>): Promise<T> {
    this.human(`== ${title}`, 'bold');
    return body();
  }

  setOutput(name: string, value: string): void {
    this.outputs[name] = value;
    if (!this.options.json) this.human(`${name}=${value}`);
  }

  exportVariable(name: string, value: string): void {
    this.variables[name] = value;
    // A child cannot change its parent shell's environment: print the line that does, on stdout, for `eval`.
    if (!this.options.json) this.human(`export ${name}=${shellQuote(value)}`);
  }

  async summary(markdown: string): Promise<void> {
    if (this.options.json) this.summaryText = markdown;
    else this.human(markdown);
  }

  saveState(): void {
    // No post step outside GitHub Actions.
  }

  /** JSON mode: print the one document. Idempotent, so an entry point may call it from both paths of a finally. */
  close(exitCode: number): void {
    if (!this.options.json || this.closed) return;
    this.closed = true;
    const doc: TerminalJsonDocument = {
      ok: exitCode === 0 && this.errors.length === 0,
      exitCode,
      outputs: this.outputs,
      variables: this.variables,
      warnings: this.warnings,
      errors: this.errors,
      ...(this.summaryText === undefined ? {} : { summary: this.summaryText }),
    };
    // Mask the values before serialising: JSON escaping (quotes, backslashes) would hide a secret from a text scan.
    this.options.stdout(
      `${JSON.stringify(doc, (_key, value: unknown) => (typeof value === 'string' ? this.masker.mask(value) : value), 2)}\n`,
    );
  }
}
