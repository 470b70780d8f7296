/**
 * A token file (Kubernetes workload identity: AZURE_FEDERATED_TOKEN_FILE). Re-read on every call because the
 * kubelet rotates the projected token in place; a cached copy would expire under a long job.
 */
import { readFile as fsReadFile } from 'node:fs/promises';
import { ArgoEntraError } from '../../errors.js';
import { looksLikeJwt } from '../jwt.js';
import type { CiTokenSource } from '../types.js';

export type ReadTextFile = (path: string) => Promise<string>;

const defaultRead: ReadTextFile = (path) => fsReadFile(path, 'utf8');

export function createTokenFileSource(path: string, readFile: ReadTextFile = defaultRead): CiTokenSource {
  return {
    kind: 'token-file',
    async getToken() {
      let text: string;
      try {
        text = await readFile(path);
      } catch (cause) {
        const code = (cause as NodeJS.ErrnoException).code ?? 'read error';
        throw new ArgoEntraError('ERR_CI_TOKEN_FILE', `Cannot read the federated token file ${path} (${code})`, {
          cause,
          hint:
            code === 'ENOENT'
              ? 'The file does not exist. With AKS workload identity, label the pod azure.workload.identity/use: "true" and use a service account annotated with azure.workload.identity/client-id; otherwise point the token-file setting at the projected token.'
              : 'Check the file permissions for the user the job runs as.',
          details: { path, errno: code },
        });
      }
      const token = text.trim();
      if (!looksLikeJwt(token)) {
        throw new ArgoEntraError('ERR_CI_TOKEN_INVALID', `The federated token file ${path} does not hold a JWT`, {
          hint: 'Expected one line <header>.<payload>.<signature>, as the kubelet writes a projected service-account token.',
          details: { path },
        });
      }
      return token;
    },
  };
}
