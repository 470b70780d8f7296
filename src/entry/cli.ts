#!/usr/bin/env node
// CLI entry (Azure DevOps, GitLab, other CI, local): wiring only; see src/run/cli.ts.
import { runCli } from '../run/cli.js';
import { siblingEntryScript } from '../run/process.js';

await runCli(process.argv.slice(2), process.env, siblingEntryScript(import.meta.url, 'credential'));
