/**
 * Locates the control-plane binaries built by `npm run harness:build` (__tests__/harness/build.sh).
 * build.sh writes <cache root>/current.json; this module reads it and checks every path. A missing prerequisite is
 * an error that says what to run: cluster tests never skip silently.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

export interface HarnessBinaries {
  etcd: string;
  kubeApiserver: string;
  kubectl: string;
  workflowController: string;
  /** Argo's full CRDs (argoproj.io_*.yaml), from the same module version as workflowController. */
  argoCrdsDir: string;
  /** Argo's minimal CRDs, when the module ships them. */
  argoCrdsMinimalDir?: string;
  versions: Record<string, string>;
}

export const BUILD_HINT = 'run: npm run harness:build (needs Go >= 1.24)';

export class HarnessPrerequisiteError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`${message}; ${BUILD_HINT}`, options);
    this.name = 'HarnessPrerequisiteError';
  }
}

/** Same logic as build.sh: ${ARGO_ENTRA_HARNESS_CACHE:-$HOME/.cache/argo-entra-harness}. */
export function harnessCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['ARGO_ENTRA_HARNESS_CACHE'];
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(fromEnv);
  return path.join(env['HOME'] ?? homedir(), '.cache', 'argo-entra-harness');
}

const EXECUTABLES = ['etcd', 'kubeApiserver', 'kubectl', 'workflowController'] as const;

export function loadBinaries(env: NodeJS.ProcessEnv = process.env): HarnessBinaries {
  const file = path.join(harnessCacheRoot(env), 'current.json');
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new HarnessPrerequisiteError(`control-plane binaries not built: ${file} is missing`, { cause });
  }
  let parsed: Partial<Record<string, unknown>>;
  try {
    parsed = JSON.parse(raw) as Partial<Record<string, unknown>>;
  } catch (cause) {
    throw new HarnessPrerequisiteError(`${file} is not valid JSON`, { cause });
  }
  for (const key of EXECUTABLES) {
    const p = parsed[key];
    if (typeof p !== 'string' || p === '') throw new HarnessPrerequisiteError(`${file} has no "${key}"`);
    try {
      accessSync(p, constants.X_OK);
    } catch (cause) {
      throw new HarnessPrerequisiteError(`${key} binary ${p} (from ${file}) is missing or not executable`, { cause });
    }
  }
  const crds = parsed['argoCrdsDir'];
  if (typeof crds !== 'string' || !isDir(crds)) {
    throw new HarnessPrerequisiteError(`Argo CRD folder ${String(crds)} (from ${file}) is missing`);
  }
  const minimal = parsed['argoCrdsMinimalDir'];
  const versions = parsed['versions'];
  return {
    etcd: parsed['etcd'] as string,
    kubeApiserver: parsed['kubeApiserver'] as string,
    kubectl: parsed['kubectl'] as string,
    workflowController: parsed['workflowController'] as string,
    argoCrdsDir: crds,
    ...(typeof minimal === 'string' && isDir(minimal) ? { argoCrdsMinimalDir: minimal } : {}),
    versions: typeof versions === 'object' && versions !== null ? (versions as Record<string, string>) : {},
  };
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
