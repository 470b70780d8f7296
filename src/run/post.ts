import { join } from 'node:path';
import { createKubeClient } from '../cluster/kube-client.js';
import { removeKubeconfigDir } from '../cluster/kubeconfig.js';
import { applyShutdown } from '../argo/ops.js';
import { readTokenCache } from '../identity/token-cache.js';
import type { Reporter } from '../report/reporter.js';
import type { PostSettings } from '../settings/post.js';
import type { Clock } from '../util/time.js';
import { TOKEN_CACHE_FILE } from './access.js';

/**
 * The post step: if the main step was killed while waiting (job cancelled), apply on-cancel to the workflow it
 * created, using the still-valid cached token (no new exchange: the job is being torn down). Then remove the private
 * directory (kubeconfig + token cache) whatever happened.
 */
export async function runPost(settings: PostSettings, reporter: Reporter, clock: Clock): Promise<number> {
  try {
    const target = settings.cancelTarget;
    if (target && !settings.mainFinished) {
      const cached = await readTokenCache(join(target.dir, TOKEN_CACHE_FILE)).catch(() => undefined);
      if (cached && cached.expiresOnMs > clock.now()) {
        reporter.secret(cached.token);
        const client = createKubeClient({
          server: target.server,
          caData: target.caData,
          insecureSkipTlsVerify: target.insecureSkipTlsVerify,
          tokenProvider: { getToken: async () => cached },
          maxAttempts: 2,
        });
        try {
          await applyShutdown(client, target.namespace, target.name, target.policy);
          reporter.warning(
            `The job ended before workflow ${target.namespace}/${target.name} finished: applied on-cancel (${target.policy}).`,
          );
        } catch (error) {
          reporter.warning(
            `Could not apply on-cancel (${target.policy}) to ${target.namespace}/${target.name}: ${(error as Error).message}`,
          );
        } finally {
          client.close();
        }
      } else {
        reporter.warning(
          `The job ended before workflow ${target.namespace}/${target.name} finished, and no valid token was left to apply on-cancel.`,
        );
      }
    }
  } finally {
    if (settings.dir) {
      await removeKubeconfigDir(settings.dir);
      reporter.info('Removed the ephemeral kubeconfig and token cache.');
    }
  }
  return 0;
}
