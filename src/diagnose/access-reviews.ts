import type { KubeClient } from '../cluster/types.js';
import type { AccessCheck } from './rbac.js';

/**
 * The three review calls preflight makes, as a port whose shapes are the wire's. `src/cluster/access.ts`
 * (whoAmI, canI, rulesReview) satisfies it structurally and is the default (preflight.ts clusterAccessReviews);
 * the port only keeps preflight independent of that module's extra fields.
 */

export interface UserInfo {
  readonly username: string;
  readonly uid?: string | undefined;
  readonly groups?: readonly string[] | undefined;
  readonly extra?: Readonly<Record<string, readonly string[]>> | undefined;
}

export interface AccessReviewStatus {
  readonly allowed: boolean;
  readonly denied?: boolean | undefined;
  readonly reason?: string | undefined;
  readonly evaluationError?: string | undefined;
}

export interface ResourceRule {
  readonly verbs: readonly string[];
  readonly apiGroups?: readonly string[] | undefined;
  readonly resources?: readonly string[] | undefined;
  readonly resourceNames?: readonly string[] | undefined;
}

export interface NonResourceRule {
  readonly verbs: readonly string[];
  readonly nonResourceURLs?: readonly string[] | undefined;
}

export interface RulesReviewStatus {
  readonly resourceRules?: readonly ResourceRule[] | undefined;
  readonly nonResourceRules?: readonly NonResourceRule[] | undefined;
  readonly incomplete?: boolean | undefined;
  readonly evaluationError?: string | undefined;
}

export interface AccessReviews {
  /** undefined when the server has no SelfSubjectReview API (before 1.28) */
  whoAmI(client: KubeClient): Promise<UserInfo | undefined>;
  canI(client: KubeClient, attrs: AccessCheck): Promise<AccessReviewStatus>;
  rulesReview(client: KubeClient, namespace: string): Promise<RulesReviewStatus>;
}
