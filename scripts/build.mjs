// Bundles each entry point with ncc into dist/<entry>/index.js (+ licenses.txt). One folder per entry so the
// credential plugin's bundle carries only what its cached path needs. Each bundle is built aside and renamed into
// place, so a reader (a test, a second build) never sees a half-written folder.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const entries = process.argv.slice(2).length ? process.argv.slice(2) : ['main', 'post', 'cli', 'credential'];
const ncc = join('node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
mkdirSync('dist', { recursive: true });
for (const entry of entries) {
  const out = join('dist', entry);
  const staging = join('dist', `.${entry}-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      ncc,
      'build',
      `src/entry/${entry}.ts`,
      '-o',
      staging,
      '--license',
      'licenses.txt',
      '--minify',
      '--target',
      'es2023',
      '--quiet',
    ],
    {
      stdio: 'inherit',
    },
  );
  const index = join(staging, 'index.js');
  if (entry === 'cli') {
    // npx and the package's `bin` run this file directly.
    const code = readFileSync(index, 'utf8');
    if (!code.startsWith('#!')) writeFileSync(index, `#!/usr/bin/env node\n${code}`);
    chmodSync(index, 0o755);
  }
  rmSync(out, { recursive: true, force: true });
  renameSync(staging, out);
  let bytes = 0;
  for (const file of readdirSync(out)) if (file.endsWith('.js')) bytes += statSync(join(out, file)).size;
  console.log(`dist/${entry}: ${(bytes / 1024 / 1024).toFixed(2)} MB of JavaScript`);
}
