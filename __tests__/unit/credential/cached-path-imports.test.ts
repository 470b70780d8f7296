/**
 * The plugin's start-up budget (kubectl runs it on every command) holds only if its static import graph is node
 * builtins plus a few small files. @azure/identity and the identity modules must stay behind `await import()`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** Static runtime imports of one file (type-only imports are erased; dynamic imports are the lazy path). */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[1] === undefined && m[2] !== undefined) out.push(m[2]);
  }
  return out;
}

function graph(entry: string): { files: string[]; external: string[] } {
  const files = new Set<string>();
  const external = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
      else external.add(spec);
    }
  };
  visit(path.join(ROOT, entry));
  return { files: [...files].map((f) => path.relative(ROOT, f)).sort(), external: [...external].sort() };
}

describe('credential plugin cached path', () => {
  const { files, external } = graph('src/entry/credential.ts');

  it('imports only node builtins from outside the project', () => {
    expect(external.filter((spec) => !spec.startsWith('node:'))).toEqual([]);
  });

  it('loads only these project files before a refresh', () => {
    expect(files).toEqual([
      'src/cluster/exec-credential.ts',
      'src/entry/credential.ts',
      'src/errors.ts',
      'src/identity/token-cache.ts',
      'src/run/credential.ts',
      'src/settings/credential.ts',
      'src/util/atomic-write.ts',
      'src/util/time.ts',
    ]);
  });

  it('reaches the identity modules only through dynamic import()', () => {
    const text = readFileSync(path.join(ROOT, 'src/run/credential.ts'), 'utf8');
    expect(text).toMatch(/await import\(|import\('\.\.\/identity\/entra\.js'\)/);
  });
});
