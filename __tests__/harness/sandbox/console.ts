/** Console helpers for the sandbox: headings, timed steps, indented blocks; colour only on a TTY. */
const tty = process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined;
const paint = (code: string) => (s: string) => (tty ? `\u001b[${code}m${s}\u001b[0m` : s);
export const bold = paint('1');
export const dim = paint('2');
export const green = paint('32');
export const red = paint('31');
export const yellow = paint('33');
export const cyan = paint('36');

const t0 = performance.now();
export const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
export const sinceStart = (): string => secs(performance.now() - t0);

export function heading(text: string): void {
  process.stdout.write(`\n${bold(cyan(`== ${text}`))} ${dim(`[${sinceStart()}]`)}\n`);
}

export function ok(text: string, ms?: number): void {
  process.stdout.write(`${green('✓')} ${text}${ms === undefined ? '' : dim(` (${secs(ms)})`)}\n`);
}

export function bad(text: string): void {
  process.stdout.write(`${red('✗')} ${text}\n`);
}

export function note(text: string): void {
  process.stdout.write(`  ${text}\n`);
}

export function block(title: string, body: string): void {
  process.stdout.write(`${dim(`┌─ ${title}`)}\n`);
  for (const line of body.replace(/\n+$/, '').split('\n')) process.stdout.write(`${dim('│')} ${line}\n`);
  process.stdout.write(`${dim('└─')}\n`);
}

export async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const r = await fn();
  ok(label, performance.now() - start);
  return r;
}

/**
 * Renders a runner step log the way the Actions UI would show it: workflow commands interpreted
 * (`::group::` -> a heading, `::add-mask::` hidden, annotations labelled).
 */
export function renderActionLog(log: string): string {
  const out: string[] = [];
  let masks = 0;
  for (const line of log.replace(/\n$/, '').split('\n')) {
    const m = /^::([a-z-]+)( [^:]*)?::(.*)$/.exec(line);
    if (!m) {
      out.push(line);
      continue;
    }
    const [, cmd, props = '', text = ''] = m;
    if (cmd === 'add-mask') masks++;
    else if (cmd === 'group') out.push(bold(`▸ ${text}`));
    else if (cmd === 'endgroup') continue;
    else if (cmd === 'debug') continue;
    else if (cmd === 'error') out.push(red(`Error${props}: ${text.replace(/%0A/g, '\n  ')}`));
    else if (cmd === 'warning') out.push(yellow(`Warning${props}: ${text.replace(/%0A/g, '\n  ')}`));
    else if (cmd === 'notice') out.push(`Notice${props}: ${text}`);
    else out.push(line);
  }
  if (masks > 0) out.push(dim(`(${masks} value(s) registered as secrets with ::add-mask::)`));
  return out.join('\n');
}
