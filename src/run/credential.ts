/**
 * kubectl exec credential plugin (kubeconfig `users[].user.exec`). kubectl starts it on every command, so the
 * cached path imports only node builtins; the identity modules (and through them @azure/identity) are imported
 * only when the cache needs a refresh. stdout carries exactly one ExecCredential; errors are one line on stderr.
 */
import { formatExecCredential } from '../cluster/exec-credential.js';
import { toArgoEntraError } from '../errors.js';
import { getOrRefreshToken, refreshAtMs } from '../identity/token-cache.js';
import { parseCredentialArgs, resolveCredentialIdentity } from '../settings/credential.js';

export async function runCredential(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  try {
    const settings = parseCredentialArgs([...argv]);
    const entry = await getOrRefreshToken(settings.cachePath, async () => {
      const identity = resolveCredentialIdentity(settings, env);
      const { exchangeForAccessToken } = await import('./credential-refresh.js');
      return exchangeForAccessToken(identity);
    });
    process.stdout.write(`${formatExecCredential(entry.token, refreshAtMs(entry))}\n`);
    return 0;
  } catch (error) {
    const failure = toArgoEntraError(error);
    const hint = failure.hint === undefined ? '' : ` Hint: ${failure.hint}`;
    // One line: AADSTS descriptions carry CR/LF, and kubectl shows stderr verbatim.
    process.stderr.write(
      `argo-entra credential: ${failure.code}: ${failure.message}${hint}`.replace(/\s+/g, ' ') + '\n',
    );
    return failure.exitCode;
  }
}
