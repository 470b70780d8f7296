#!/usr/bin/env node
// CLI entry (Azure DevOps, GitLab, other CI, local): wiring only; see src/run/cli.ts.
import { fileURLToPath } from 'node:url';
import { runCli } from '../run/cli.js';

await runCli(process.argv.slice(2), process.env, fileURLToPath(new URL('../credential/index.js', import.meta.url)));
