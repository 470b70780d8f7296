import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { SignJWT } from 'jose';
import { decodeAccessTokenClaims } from '../../../src/diagnose/claims.js';
import {
  AKS_SERVER_APP_ID,
  explainForbidden,
  explainNotFound,
  explainUnauthorized,
  parseForbiddenMessage,
} from '../../../src/diagnose/kube-errors.js';

const TID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const V1 = `https://sts.windows.net/${TID}/`;
const V2 = `https://login.microsoftonline.com/${TID}/v2.0`;
const NOW = Date.parse('2026-11-29T12:00:00Z');
const nowS = NOW / 1000;
const base = { aud: AKS_SERVER_APP_ID, iss: V1, ver: '1.0', nbf: nowS - 60, exp: nowS + 3000, tid: TID, oid: 'oid-1' };

describe('explainUnauthorized', () => {
  it.each([
    ['expired', { ...base, exp: nowS - 120 }, {}, 'expired'],
    ['not yet valid', { ...base, nbf: nowS + 600 }, {}, 'not-yet-valid'],
    [
      'wrong audience vs known cluster app',
      { ...base, aud: 'api://other' },
      { audience: AKS_SERVER_APP_ID },
      'audience',
    ],
    [
      'api:// form of the same app',
      { ...base, aud: `api://${AKS_SERVER_APP_ID}` },
      { audience: AKS_SERVER_APP_ID },
      'audience',
    ],
    ['ARM token without expectations', { ...base, aud: 'https://management.azure.com' }, {}, 'audience'],
    ['v1 token, cluster expects v2', base, { issuer: V2 }, 'issuer-version'],
    ['v2 token, cluster expects v1', { ...base, iss: V2, ver: '2.0' }, { issuer: V1 }, 'issuer-version'],
    ['other tenant', base, { issuer: 'https://sts.windows.net/00000000-0000-0000-0000-000000000001/' }, 'tenant'],
    ['missing trailing slash', base, { issuer: V1.slice(0, -1) }, 'issuer'],
    ['nothing obviously wrong', base, { audience: AKS_SERVER_APP_ID, issuer: V1 }, 'unknown'],
    ['not a JWT', undefined, {}, 'undecodable'],
  ])('%s', (_n, claims, expected, cause) => {
    const err = explainUnauthorized({ claims, expected, nowMs: NOW });
    expect(err.code).toBe('ERR_KUBE_UNAUTHORIZED');
    expect(err.details['likelyCause']).toBe(cause);
    expect(err.hint?.length).toBeGreaterThan(20);
  });

  it('names the fixing values in the hint', () => {
    const v = explainUnauthorized({ claims: base, expected: { issuer: V2 }, nowMs: NOW });
    expect(v.hint).toContain(`az ad app update --id ${AKS_SERVER_APP_ID} --set api.requestedAccessTokenVersion=2`);
    const a = explainUnauthorized({
      claims: { ...base, aud: 'api://other' },
      expected: { audience: AKS_SERVER_APP_ID },
      nowMs: NOW,
    });
    expect(a.hint).toContain(`${AKS_SERVER_APP_ID}/.default`);
    expect(a.details).toMatchObject({ aud: 'api://other', iss: V1, ver: '1.0', expectedAudience: AKS_SERVER_APP_ID });
  });

  it('decodes real JWT claims and never echoes the token', async () => {
    const token = await new SignJWT({ ver: '1.0', tid: TID, oid: 'oid-1' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(V1)
      .setAudience('https://graph.microsoft.com')
      .setNotBefore(nowS - 10)
      .setExpirationTime(nowS + 100)
      .sign(new TextEncoder().encode('k'.repeat(32)));
    const claims = decodeAccessTokenClaims(token);
    expect(claims).toMatchObject({ iss: V1, aud: 'https://graph.microsoft.com', tid: TID });
    const err = explainUnauthorized({ claims, nowMs: NOW });
    expect(err.details['likelyCause']).toBe('audience');
    expect(JSON.stringify({ m: err.message, h: err.hint, d: err.details })).not.toContain(token.split('.')[1] ?? 'x');
    expect(decodeAccessTokenClaims('opaque')).toBeUndefined();
  });
});

const NS_MSG =
  'workflows.argoproj.io is forbidden: User "0b1c2d3e-0000-4000-8000-000000000001" cannot create resource "workflows" in API group "argoproj.io" in the namespace "team-a"';
const AZ_SUFFIX = ': User does not have access to the resource in Azure. Update role assignment to allow access.';

describe('parseForbiddenMessage', () => {
  it.each([
    [
      'namespaced',
      NS_MSG,
      {
        user: '0b1c2d3e-0000-4000-8000-000000000001',
        verb: 'create',
        resource: 'workflows',
        group: 'argoproj.io',
        namespace: 'team-a',
        azureRbac: false,
      },
    ],
    [
      'named + subresource',
      'pods "p-1" is forbidden: User "u" cannot get resource "pods/log" in API group "" in the namespace "ns"',
      { user: 'u', resource: 'pods', subresource: 'log', group: '', name: 'p-1' },
    ],
    [
      'cluster scope',
      'clusterworkflowtemplates.argoproj.io "t" is forbidden: User "u" cannot get resource "clusterworkflowtemplates" in API group "argoproj.io" at the cluster scope',
      { namespace: undefined, name: 't' },
    ],
    ['azure rbac', NS_MSG + AZ_SUFFIX, { azureRbac: true }],
    ['path', 'forbidden: User "u" cannot get path "/apis"', { path: '/apis', verb: 'get' }],
  ])('%s', (_n, msg, expected) => {
    expect(parseForbiddenMessage(msg)).toMatchObject(expected);
  });
  it('unknown text', () => expect(parseForbiddenMessage('nope')).toBeUndefined());
});

describe('explainForbidden', () => {
  it.each([
    ['rbac', { status: { kind: 'Status' as const, code: 403, message: NS_MSG } }, 'ERR_KUBE_FORBIDDEN'],
    [
      'azure rbac',
      {
        status: NS_MSG + AZ_SUFFIX,
        clusterResourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c',
      },
      'ERR_KUBE_FORBIDDEN',
    ],
    [
      'anonymous is a token problem',
      {
        status:
          'workflows.argoproj.io is forbidden: User "system:anonymous" cannot list resource "workflows" in API group "argoproj.io" in the namespace "ns"',
      },
      'ERR_KUBE_UNAUTHORIZED',
    ],
    ['unparseable', { status: 'forbidden for reasons' }, 'ERR_KUBE_FORBIDDEN'],
    ['path', { status: 'forbidden: User "u" cannot get path "/apis"' }, 'ERR_KUBE_FORBIDDEN'],
  ])('%s', (_n, input, code) => {
    expect(explainForbidden(input).code).toBe(code);
  });

  it('RBAC hint carries a Role + RoleBinding for exactly that user and verb', () => {
    const err = explainForbidden({ status: NS_MSG });
    expect(err.details).toMatchObject({
      user: '0b1c2d3e-0000-4000-8000-000000000001',
      verb: 'create',
      resource: 'workflows.argoproj.io',
      namespace: 'team-a',
    });
    const docs = (err.details['rbacYaml'] ?? '').split('---\n').map((d) => parse(d) as Record<string, unknown>);
    expect(docs[0]).toMatchObject({
      kind: 'Role',
      metadata: { namespace: 'team-a' },
      rules: [{ apiGroups: ['argoproj.io'], resources: ['workflows'], verbs: ['create'] }],
    });
    expect(docs[1]).toMatchObject({
      kind: 'RoleBinding',
      subjects: [{ kind: 'User', name: '0b1c2d3e-0000-4000-8000-000000000001' }],
    });
    expect(err.hint).toContain('kind: RoleBinding');
  });

  it('Azure RBAC hint is the role assignment with the namespace scope', () => {
    const err = explainForbidden({
      status: NS_MSG + AZ_SUFFIX,
      clusterResourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c',
    });
    expect(err.hint).toContain(
      'az role assignment create --role "Azure Kubernetes Service RBAC Writer" --assignee 0b1c2d3e-0000-4000-8000-000000000001 --scope /subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c/namespaces/team-a',
    );
    expect(err.details['azureRbac']).toBe('true');
    expect(err.hint).not.toContain('kind: RoleBinding');
  });
});

describe('explainNotFound', () => {
  it.each([
    [
      'namespace',
      { code: 404, message: 'namespaces "nope" not found', details: { name: 'nope', kind: 'namespaces' } },
      '/apis/argoproj.io/v1alpha1/namespaces/nope/workflows',
      'ERR_KUBE_NAMESPACE_NOT_FOUND',
    ],
    [
      'crd',
      { code: 404, message: 'the server could not find the requested resource' },
      '/apis/argoproj.io/v1alpha1/namespaces/ns/workflows',
      'ERR_ARGO_CRD_MISSING',
    ],
    [
      'template',
      {
        code: 404,
        message: 'workflowtemplates.argoproj.io "t" not found',
        details: { name: 't', kind: 'workflowtemplates' },
      },
      '/apis/argoproj.io/v1alpha1/namespaces/ns/workflowtemplates/t',
      'ERR_ARGO_TEMPLATE_NOT_FOUND',
    ],
    [
      'workflow',
      { code: 404, message: 'workflows.argoproj.io "w" not found', details: { name: 'w', kind: 'workflows' } },
      '/apis/argoproj.io/v1alpha1/namespaces/ns/workflows/w',
      'ERR_ARGO_WORKFLOW_NOT_FOUND',
    ],
    ['not a 404', { code: 409, message: 'conflict' }, '/x', undefined],
  ])('%s', (_n, status, path, code) => {
    expect(explainNotFound(status, path)?.code).toBe(code);
  });
});
