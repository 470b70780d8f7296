/**
 * Locates act (github.com/nektos/act), built from its Go module by `npm run harness:build` into the harness cache
 * (build.sh writes <cache root>/act.json). ARGO_ENTRA_ACT overrides the path.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { harnessCacheRoot } from '../cluster/binaries.js';

export interface ActBinary {
  path: string | undefined;
  version: string | undefined;
  /** why path is undefined, naming the command to run */
  problem: string | undefined;
}

export function actBinary(env: NodeJS.ProcessEnv = process.env): ActBinary {
  const given = env['ARGO_ENTRA_ACT'];
  const file = path.join(harnessCacheRoot(env), 'act.json');
  let p = given;
  let version: string | undefined;
  if (!p) {
    try {
      const j = JSON.parse(readFileSync(file, 'utf8')) as { act?: string; version?: string };
      p = j.act;
      version = j.version;
    } catch {
      return {
        path: undefined,
        version: undefined,
        problem: `act is not built (${file} is missing): run npm run harness:build (without ARGO_ENTRA_BUILD_ACT=0)`,
      };
    }
  }
  try {
    accessSync(p ?? '', constants.X_OK);
  } catch {
    return {
      path: undefined,
      version,
      problem: `act binary ${p ?? '(none)'} is missing or not executable: run npm run harness:build`,
    };
  }
  return { path: p, version, problem: undefined };
}
