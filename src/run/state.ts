/**
 * What the main step hands to the post step (GitHub saveState / STATE_*). The post step needs enough to clean up
 * and, if the main step was killed mid-wait, to apply on-cancel to the workflow this job created.
 */
export const STATE = {
  dir: 'argo-entra-dir',
  cancelTarget: 'argo-entra-cancel-target',
  done: 'argo-entra-done',
} as const;

export interface CancelTarget {
  readonly server: string;
  readonly caData: string | undefined;
  readonly insecureSkipTlsVerify: boolean;
  readonly namespace: string;
  readonly name: string;
  readonly policy: 'stop' | 'terminate';
  /** the private dir whose token cache the post step may use */
  readonly dir: string;
}
