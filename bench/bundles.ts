/** 3. Bundle sizes: all .js files of each dist/<entry> folder (what ships), plus when they were last built. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export interface BundleSize {
  readonly entry: string;
  readonly bytes: number;
  readonly files: number;
  /** ISO time of the newest .js file in the folder */
  readonly builtAt: string;
}

export const ENTRIES = ['main', 'post', 'cli', 'credential'] as const;

export function bundleSizes(repoRoot: string): BundleSize[] {
  return ENTRIES.filter((e) => existsSync(path.join(repoRoot, 'dist', e))).map((entry) => {
    const dir = path.join(repoRoot, 'dist', entry);
    let bytes = 0;
    let files = 0;
    let newest = 0;
    for (const f of readdirSync(dir)) {
      if (!f.endsWith('.js')) continue;
      const st = statSync(path.join(dir, f));
      bytes += st.size;
      files += 1;
      newest = Math.max(newest, st.mtimeMs);
    }
    return { entry, bytes, files, builtAt: new Date(newest).toISOString() };
  });
}
