/**
 * Token leak scan: every token the emulators minted (CI OIDC tokens, Entra access tokens) and every request
 * token (ACTIONS_ID_TOKEN_REQUEST_TOKEN, System.AccessToken) is searched for in everything a run printed or wrote
 * for its host: stdout, stderr, and the GitHub file-command files (outputs, env, state, path, step summary), plus
 * any extra files a test names (e.g. Azure DevOps summary files).
 *
 * Exempt, because they are how a host learns what to mask: stdout lines `::add-mask::<value>` (GitHub) and
 * `##vso[task.setvariable ...;issecret=true]<value>` (Azure DevOps). Everything else is a leak. JWTs are also
 * searched by their payload and signature segments, so a token printed in pieces or re-wrapped still counts.
 *
 * The kubeconfig and token cache are secret stores by design and are not scanned; callers check them separately.
 */
import { existsSync, readFileSync } from 'node:fs';

/** Anything the emulators expose that holds issued tokens, by duck type (no import of the emulator classes). */
export interface SecretSource {
  /** EntraEmulator: access tokens issued or minted */
  readonly issued?: readonly string[];
  /** GitHubOidcEmulator / AzureDevOpsOidcEmulator: their IssuerCore */
  readonly issuerCore?: { readonly minted: readonly string[] };
  /** OidcIssuerEmulator: its IssuerCore */
  readonly core?: { readonly minted: readonly string[] };
  /** an IssuerCore itself */
  readonly minted?: readonly string[];
  /** GitHubOidcEmulator: ACTIONS_ID_TOKEN_REQUEST_TOKEN */
  readonly requestToken?: string;
  /** AzureDevOpsOidcEmulator: System.AccessToken */
  readonly accessToken?: string;
}

/** Every secret the given emulators handed out so far (call after the runs: the lists grow). */
export function emulatorSecrets(...sources: ReadonlyArray<SecretSource | string | undefined>): string[] {
  const out = new Set<string>();
  for (const source of sources) {
    if (source === undefined) continue;
    if (typeof source === 'string') {
      out.add(source);
      continue;
    }
    for (const token of source.issued ?? []) out.add(token);
    for (const token of source.issuerCore?.minted ?? []) out.add(token);
    for (const token of source.core?.minted ?? []) out.add(token);
    for (const token of source.minted ?? []) out.add(token);
    if (source.requestToken) out.add(source.requestToken);
    if (source.accessToken) out.add(source.accessToken);
  }
  return [...out];
}

/** What a scan reads from one run: BundleRun satisfies this. */
export interface Scannable {
  readonly entry?: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly files?: Readonly<Record<string, string>>;
}

export interface Finding {
  /** first characters of the secret, enough to tell which one */
  readonly secret: string;
  /** e.g. "main#0 stdout line 12" */
  readonly where: string;
  readonly excerpt: string;
}

const MASK_REGISTRATION = [/^::add-mask::/, /^##vso\[task\.setvariable [^\]]*issecret=true[^\]]*\]/i];

/** The strings to look for: the secret, and for a JWT its payload and signature segments. */
function needles(secret: string): string[] {
  const parts = secret.split('.');
  if (parts.length === 3 && parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p))) {
    return [secret, ...parts.slice(1).filter((p) => p.length >= 16)];
  }
  return secret.length >= 8 ? [secret] : [];
}

function scanText(text: string, label: string, secrets: readonly string[], exemptRegistrations: boolean): Finding[] {
  const findings: Finding[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    if (exemptRegistrations && MASK_REGISTRATION.some((re) => re.test(line))) return;
    for (const secret of secrets) {
      for (const needle of needles(secret)) {
        const at = line.indexOf(needle);
        if (at < 0) continue;
        findings.push({
          secret: `${secret.slice(0, 12)}…`,
          where: `${label} line ${index + 1}`,
          excerpt: line.slice(Math.max(0, at - 40), at + 20),
        });
        break;
      }
    }
  });
  return findings;
}

/** Finds secrets in runs (stdout, stderr, file commands) and extra files; empty when clean. */
export function scanForSecrets(
  runs: readonly Scannable[],
  secrets: readonly string[],
  extraFiles: readonly string[] = [],
): Finding[] {
  const findings: Finding[] = [];
  runs.forEach((run, i) => {
    const name = `${run.entry ?? 'run'}#${i}`;
    findings.push(...scanText(run.stdout, `${name} stdout`, secrets, true));
    findings.push(...scanText(run.stderr, `${name} stderr`, secrets, false));
    for (const [file, text] of Object.entries(run.files ?? {})) {
      findings.push(...scanText(text, `${name} ${file}`, secrets, false));
    }
  });
  for (const file of extraFiles) {
    if (existsSync(file)) findings.push(...scanText(readFileSync(file, 'utf8'), file, secrets, false));
  }
  return findings;
}

/** Throws listing every place a secret was found. `secrets` must not be empty: an empty list proves nothing. */
export function expectNoSecrets(
  runs: readonly Scannable[],
  secrets: readonly string[],
  extraFiles: readonly string[] = [],
): void {
  if (secrets.length === 0)
    throw new Error('expectNoSecrets: no secrets to scan for (did the emulators mint anything?)');
  const findings = scanForSecrets(runs, secrets, extraFiles);
  if (findings.length > 0) {
    throw new Error(
      `token leak: ${findings.length} occurrence(s)\n` +
        findings.map((f) => `  ${f.secret} in ${f.where}: …${f.excerpt}…`).join('\n'),
    );
  }
}
