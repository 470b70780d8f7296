/**
 * Who am I and what may I do: the three self-subject reviews. The review POSTs create nothing, so they are marked
 * idempotent and retry like GETs. Request building and response mapping are pure and unit-tested.
 */
import { ArgoEntraError } from '../errors.js';
import type { KubeClient } from './types.js';

export interface KubeUserInfo {
  readonly username: string;
  readonly uid: string | undefined;
  readonly groups: readonly string[];
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

export interface ResourceAttributes {
  readonly verb: string;
  readonly resource: string;
  readonly group?: string;
  readonly namespace?: string;
  readonly subresource?: string;
  readonly name?: string;
}

export interface AccessDecision {
  readonly allowed: boolean;
  readonly denied: boolean;
  readonly reason: string | undefined;
  readonly evaluationError: string | undefined;
}

export interface ResourceRule {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
}

export interface NonResourceRule {
  readonly verbs: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

export interface RulesReview {
  readonly resourceRules: readonly ResourceRule[];
  readonly nonResourceRules: readonly NonResourceRule[];
  /** true when an authorizer (e.g. a webhook such as Azure RBAC) cannot enumerate rules: absence proves nothing */
  readonly incomplete: boolean;
  readonly evaluationError: string | undefined;
}

export const SELF_SUBJECT_REVIEW_PATH = '/apis/authentication.k8s.io/v1/selfsubjectreviews';
export const ACCESS_REVIEW_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
export const RULES_REVIEW_PATH = '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews';

/** The identity the API server mapped our token to; undefined on servers without the v1 API (before 1.28). */
export async function whoAmI(client: KubeClient): Promise<KubeUserInfo | undefined> {
  const res = await client.request<unknown>({
    method: 'POST',
    path: SELF_SUBJECT_REVIEW_PATH,
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    accept: [404],
    idempotent: true,
  });
  if (res.status === 404) return undefined;
  return toUserInfo(res.body);
}

export async function canI(client: KubeClient, attrs: ResourceAttributes): Promise<AccessDecision> {
  const res = await client.request<unknown>({
    method: 'POST',
    path: ACCESS_REVIEW_PATH,
    body: accessReviewBody(attrs),
    idempotent: true,
  });
  return toAccessDecision(res.body);
}

export async function rulesReview(client: KubeClient, namespace: string): Promise<RulesReview> {
  const res = await client.request<unknown>({
    method: 'POST',
    path: RULES_REVIEW_PATH,
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } },
    idempotent: true,
  });
  return toRulesReview(res.body);
}

export function accessReviewBody(attrs: ResourceAttributes): Record<string, unknown> {
  const resourceAttributes: Record<string, string> = {
    verb: attrs.verb,
    resource: attrs.resource,
    group: attrs.group ?? '',
  };
  if (attrs.namespace !== undefined) resourceAttributes['namespace'] = attrs.namespace;
  if (attrs.subresource !== undefined) resourceAttributes['subresource'] = attrs.subresource;
  if (attrs.name !== undefined) resourceAttributes['name'] = attrs.name;
  return { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes } };
}

export function toUserInfo(body: unknown): KubeUserInfo {
  const userInfo = record(record(body)['status'])['userInfo'];
  const info = record(userInfo);
  const username = info['username'];
  if (typeof username !== 'string') {
    throw new ArgoEntraError('ERR_KUBE_REQUEST', 'SelfSubjectReview response has no status.userInfo.username', {
      details: { path: SELF_SUBJECT_REVIEW_PATH },
    });
  }
  const extra: Record<string, readonly string[]> = {};
  for (const [key, value] of Object.entries(record(info['extra']))) extra[key] = strings(value);
  return {
    username,
    uid: typeof info['uid'] === 'string' ? info['uid'] : undefined,
    groups: strings(info['groups']),
    extra,
  };
}

export function toAccessDecision(body: unknown): AccessDecision {
  const status = record(record(body)['status']);
  return {
    allowed: status['allowed'] === true,
    denied: status['denied'] === true,
    reason: optionalString(status['reason']),
    evaluationError: optionalString(status['evaluationError']),
  };
}

export function toRulesReview(body: unknown): RulesReview {
  const status = record(record(body)['status']);
  const resourceRules = array(status['resourceRules']).map((rule) => {
    const r = record(rule);
    return {
      verbs: strings(r['verbs']),
      apiGroups: strings(r['apiGroups']),
      resources: strings(r['resources']),
      resourceNames: strings(r['resourceNames']),
    };
  });
  const nonResourceRules = array(status['nonResourceRules']).map((rule) => {
    const r = record(rule);
    return { verbs: strings(r['verbs']), nonResourceURLs: strings(r['nonResourceURLs']) };
  });
  return {
    resourceRules,
    nonResourceRules,
    incomplete: status['incomplete'] === true,
    evaluationError: optionalString(status['evaluationError']),
  };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function array(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

function strings(value: unknown): string[] {
  return array(value).filter((item): item is string => typeof item === 'string');
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
