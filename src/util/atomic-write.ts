import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';

/**
 * Writes `text` to `target` as a 0600 file: a temp file in the same directory, then rename, so a reader (kubectl,
 * a parallel credential plugin) sees the old file or the whole new one and a failure never leaves half a file.
 * `sync` adds an fsync before the rename, for files that must survive a crash (the kubeconfig).
 */
export async function writePrivateFileAtomic(
  target: string,
  text: string,
  options: { readonly sync?: boolean } = {},
): Promise<void> {
  const temp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    try {
      await handle.writeFile(text, 'utf8');
      if (options.sync === true) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
