/**
 * The launcher's structured JWT authentication wiring, with a tiny in-test OIDC issuer that serves the Entra v1
 * issuer string (https://sts.windows.net/{tid}/) from a loopback discovery URL. The full Entra emulator lives
 * elsewhere; this only proves kube-apiserver trusts what startCluster({ jwt }) configures.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { type Cluster, kubeconfigYaml, startCluster } from './cluster.js';
import { makeServerTls } from './pki.js';

const TID = '11111111-2222-3333-4444-555555555555';
const ISSUER = `https://sts.windows.net/${TID}/`;
const AUDIENCE = 'api://argo-entra-harness';
const OID = 'aaaaaaaa-0000-0000-0000-000000000001';

let cluster: Cluster | undefined;
let issuer: Server | undefined;
let dir = '';
let mint: (claims?: Record<string, unknown>) => Promise<string>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'argo-entra-issuer-'));
  const tls = await makeServerTls(dir);
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', use: 'sig', alg: 'RS256' };
  let port = 0;
  issuer = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    const base = `https://127.0.0.1:${port}`;
    res.setHeader('content-type', 'application/json');
    if (req.url === `/${TID}/.well-known/openid-configuration`) {
      res.end(
        JSON.stringify({
          issuer: ISSUER,
          jwks_uri: `${base}/${TID}/discovery/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
        }),
      );
    } else if (req.url === `/${TID}/discovery/keys`) {
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((r) => issuer!.listen(0, '127.0.0.1', r));
  port = (issuer.address() as { port: number }).port;
  mint = (claims = {}) =>
    new SignJWT({ aud: AUDIENCE, oid: OID, tid: TID, groups: ['g-platform'], ver: '1.0', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);

  cluster = await startCluster({
    jwt: [
      {
        issuerUrl: ISSUER,
        discoveryUrl: `https://127.0.0.1:${port}/${TID}/.well-known/openid-configuration`,
        caPem: tls.caPem,
        audiences: [AUDIENCE],
      },
    ],
    startController: false,
    readinessToken: () => mint(),
  });
  process.stdout.write(`jwt cluster up in ${Math.round(cluster.startMs)} ms\n`);
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
  issuer?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

test('a token from the trusted issuer maps oid -> username and groups -> groups', async () => {
  const r = await cluster!.request('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    method: 'POST',
    bearer: await mint(),
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  });
  expect(r.status).toBe(201);
  const info = (JSON.parse(r.body) as { status: { userInfo: { username: string; groups: string[] } } }).status.userInfo;
  expect(info.username).toBe(OID);
  expect(info.groups).toEqual(expect.arrayContaining(['g-platform', 'system:authenticated']));
});

test('wrong audience is 401; RBAC gives 403 until a RoleBinding allows it', async () => {
  const bad = await cluster!.request('/api/v1/namespaces/argo/configmaps', { bearer: await mint({ aud: 'other' }) });
  expect(bad.status).toBe(401);

  const kubeconfig = path.join(cluster!.workDir, 'user.kubeconfig');
  writeFileSync(
    kubeconfig,
    kubeconfigYaml({
      server: cluster!.server,
      caData: cluster!.caData,
      user: { token: await mint() },
      namespace: 'argo',
    }),
  );
  const denied = await cluster!.kubectl(['get', 'workflows'], { kubeconfig });
  expect(denied.code).not.toBe(0);
  expect(denied.stderr).toContain(`User "${OID}" cannot list resource "workflows"`);

  const grant = await cluster!.kubectl([
    '-n',
    'argo',
    'create',
    'rolebinding',
    'wf-view',
    '--clusterrole=view',
    `--user=${OID}`,
  ]);
  expect(grant.code).toBe(0);
  // view does not cover argoproj.io; a Role for workflows does.
  await cluster!.kubectl([
    '-n',
    'argo',
    'create',
    'role',
    'wf',
    '--verb=get,list,watch,create',
    '--resource=workflows.argoproj.io',
  ]);
  await cluster!.kubectl(['-n', 'argo', 'create', 'rolebinding', 'wf', '--role=wf', `--user=${OID}`]);
  const allowed = await cluster!.kubectl(['get', 'workflows'], { kubeconfig });
  expect(allowed.stderr).not.toContain('Forbidden');
  expect(allowed.code).toBe(0);
}, 60_000);
