import { STATE, type CancelTarget } from '../run/state.js';
import type { Env } from './raw.js';

export interface PostSettings {
  readonly dir: string | undefined;
  /** set when the main step created a workflow and had not finished waiting on it */
  readonly cancelTarget: CancelTarget | undefined;
  readonly mainFinished: boolean;
}

/** The post step's inputs: what the main step saved (GitHub passes saved state back as STATE_<name>). */
export function parsePostSettings(env: Env): PostSettings {
  const dir = env[`STATE_${STATE.dir}`] || undefined;
  const rawTarget = env[`STATE_${STATE.cancelTarget}`];
  let cancelTarget: CancelTarget | undefined;
  if (rawTarget) {
    try {
      cancelTarget = JSON.parse(rawTarget) as CancelTarget;
    } catch {
      cancelTarget = undefined;
    }
  }
  return { dir, cancelTarget, mainFinished: env[`STATE_${STATE.done}`] === 'true' };
}
