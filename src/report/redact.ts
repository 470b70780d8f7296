/**
 * Secret masking for reporters that print themselves. The GitHub runner and the Azure DevOps agent mask registered
 * values in their logs, but the plain terminal has no such layer, and act/local runs may not either: every reporter
 * runs its text through this before printing, so a token can only leak through a path that bypasses the reporter.
 */
export const MASK = '***';

export class SecretMasker {
  /** longest first, so a secret that contains another is replaced whole */
  private values: string[] = [];

  add(value: string): void {
    // Runners mask each line of a multi-line secret separately (a PEM key logged line by line still leaks
    // otherwise); whitespace-only fragments would turn every blank into *** and carry no secret.
    const parts = [value, ...value.split(/\r?\n/)].map((part) => part.trim()).filter((part) => part.length > 0);
    for (const part of parts) {
      if (!this.values.includes(part)) this.values.push(part);
    }
    this.values.sort((a, b) => b.length - a.length);
  }

  mask(text: string): string {
    let out = text;
    for (const value of this.values) {
      if (out.includes(value)) out = out.split(value).join(MASK);
    }
    return out;
  }

  get size(): number {
    return this.values.length;
  }
}
