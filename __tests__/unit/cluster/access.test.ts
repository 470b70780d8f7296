import { accessReviewBody, toAccessDecision, toRulesReview, toUserInfo } from '../../../src/cluster/access.js';

describe('accessReviewBody', () => {
  it.each([
    {
      attrs: { verb: 'create', resource: 'workflows', group: 'argoproj.io', namespace: 'ci' },
      spec: { verb: 'create', resource: 'workflows', group: 'argoproj.io', namespace: 'ci' },
    },
    {
      attrs: { verb: 'get', resource: 'pods', subresource: 'log', namespace: 'ci' },
      spec: { verb: 'get', resource: 'pods', group: '', subresource: 'log', namespace: 'ci' },
    },
    {
      attrs: { verb: 'get', resource: 'clusterworkflowtemplates', group: 'argoproj.io', name: 'x' },
      spec: { verb: 'get', resource: 'clusterworkflowtemplates', group: 'argoproj.io', name: 'x' },
    },
  ])('$attrs.verb $attrs.resource', ({ attrs, spec }) => {
    expect(accessReviewBody(attrs)).toEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: spec },
    });
  });
});

describe('toUserInfo', () => {
  it('maps status.userInfo', () => {
    expect(
      toUserInfo({
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'SelfSubjectReview',
        status: {
          userInfo: { username: 'oid-1', uid: 'u', groups: ['g1', 'system:authenticated'], extra: { tid: ['t'] } },
        },
      }),
    ).toEqual({ username: 'oid-1', uid: 'u', groups: ['g1', 'system:authenticated'], extra: { tid: ['t'] } });
  });
  it('tolerates missing optional fields', () => {
    expect(toUserInfo({ status: { userInfo: { username: 'x' } } })).toEqual({
      username: 'x',
      uid: undefined,
      groups: [],
      extra: {},
    });
  });
  it.each([{}, null, { status: { userInfo: {} } }])('no username -> ERR_KUBE_REQUEST (%j)', (body) => {
    expect(() => toUserInfo(body)).toThrow(expect.objectContaining({ code: 'ERR_KUBE_REQUEST' }));
  });
});

describe('toAccessDecision', () => {
  it.each([
    {
      status: { allowed: true, reason: 'RBAC: allowed by RoleBinding "x"' },
      allowed: true,
      denied: false,
      reason: 'RBAC: allowed by RoleBinding "x"',
    },
    { status: { allowed: false }, allowed: false, denied: false, reason: undefined },
    {
      status: { allowed: false, denied: true, reason: 'Azure denied' },
      allowed: false,
      denied: true,
      reason: 'Azure denied',
    },
    { status: undefined, allowed: false, denied: false, reason: undefined },
  ])('$status', ({ status, allowed, denied, reason }) => {
    expect(toAccessDecision({ status })).toEqual({ allowed, denied, reason, evaluationError: undefined });
  });
});

describe('toRulesReview', () => {
  it('maps rules and incompleteness', () => {
    expect(
      toRulesReview({
        status: {
          resourceRules: [{ verbs: ['create', 'get'], apiGroups: ['argoproj.io'], resources: ['workflows'] }],
          nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/api', '/apis/*'] }],
          incomplete: true,
          evaluationError: 'webhook authorizer does not support user rule resolution',
        },
      }),
    ).toEqual({
      resourceRules: [
        { verbs: ['create', 'get'], apiGroups: ['argoproj.io'], resources: ['workflows'], resourceNames: [] },
      ],
      nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/api', '/apis/*'] }],
      incomplete: true,
      evaluationError: 'webhook authorizer does not support user rule resolution',
    });
  });
  it('empty body -> no rules, complete', () => {
    expect(toRulesReview({})).toEqual({
      resourceRules: [],
      nonResourceRules: [],
      incomplete: false,
      evaluationError: undefined,
    });
  });
});
