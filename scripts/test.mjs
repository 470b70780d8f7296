// The README's test command. Runs jest (ESM) with any extra arguments and ends with one plain line
// "N passed, N failed" (and skipped) that CI systems read; jest's own closing lines are not among the known ones.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'argo-entra-jest-'));
const resultFile = join(dir, 'result.json');
const run = spawnSync(
  process.execPath,
  [
    '--experimental-vm-modules',
    'node_modules/jest/bin/jest.js',
    '--json',
    `--outputFile=${resultFile}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', env: process.env },
);
let summary = 'tests: 0 passed, 0 failed';
try {
  const result = JSON.parse(readFileSync(resultFile, 'utf8'));
  const failed = result.numFailedTests + (result.numRuntimeErrorTestSuites ?? 0);
  summary = `tests: ${result.numPassedTests} passed, ${failed} failed, ${result.numPendingTests + result.numTodoTests} skipped`;
} catch {
  // jest died before writing results: the exit code below says so
}
rmSync(dir, { recursive: true, force: true });
console.log(summary);
process.exit(run.status ?? 1);
