// Bundles each entry point with ncc into dist/<entry>/index.js (+ licenses.txt). One folder per entry so the
// credential plugin's bundle carries only what its cached path needs.
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const entries = process.argv.slice(2).length ? process.argv.slice(2) : ['main', 'post', 'cli', 'credential'];
const ncc = join('node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
for (const entry of entries) {
  const out = join('dist', entry);
  rmSync(out, { recursive: true, force: true });
  execFileSync(process.execPath, [ncc, 'build', `src/entry/${entry}.ts`, '-o', out, '--license', 'licenses.txt', '--minify', '--target', 'es2023', '--quiet'], {
    stdio: 'inherit',
  });
  let bytes = 0;
  for (const file of readdirSync(out)) if (file.endsWith('.js')) bytes += statSync(join(out, file)).size;
  console.log(`dist/${entry}: ${(bytes / 1024 / 1024).toFixed(2)} MB of JavaScript`);
}
