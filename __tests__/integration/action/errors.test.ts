/**
 * Every failure the action can meet before a workflow exists, through dist/main as the runner runs it: the
 * `error-code` output, one `::error` annotation titled with the code and carrying the fix, the documented exit
 * code, and never a stack trace. Identity errors come from the real emulators (real AADSTS replies through the
 * real @azure/identity); the few kube errors use a local HTTPS stand-in.
 */
import { randomUUID } from 'node:crypto';
import { createTestPki, type TestPki } from '../../harness/pki.js';
import { startKubeStandIn, type KubeStandIn } from '../../helpers/kube-stand-in.js';
import { errorAnnotations, runBundle, stackTraceLines, type OidcRequest } from '../../helpers/run-bundle.js';
import { kubeconfigInputs, RunLog, startIdentityWorld, type IdentityWorld } from './fixture.js';

let world: IdentityWorld;
let kube: KubeStandIn;
let otherPki: TestPki;
const log = new RunLog();

beforeAll(async () => {
  world = await startIdentityWorld();
  kube = await startKubeStandIn(world.pki, 'unauthorized');
  otherPki = createTestPki();
});
afterAll(async () => {
  log.expectClean(world);
  otherPki?.dispose();
  await kube?.stop();
  await world?.stop();
});

const SUBJECT = 'repo:octo-org/octo-repo:ref:refs/heads/main';
const AUD = 'api://AzureADTokenExchange';

interface Case {
  readonly name: string;
  /** inputs on top of a working kubeconfig step; computed when the world exists */
  readonly inputs?: () => Record<string, string>;
  /** the job's OIDC request variables: default the emulator's, 'none' = no id-token permission */
  readonly oidc?: 'none' | (() => OidcRequest);
  readonly env?: () => Record<string, string>;
  readonly before?: () => void;
  readonly after?: () => void;
  readonly code: string;
  readonly exit: number;
  /** must appear in the annotation (message + fix) */
  readonly says?: ReadonlyArray<string | RegExp>;
}

const guidApp = (fics: Array<{ issuer: string; subject: string }>) =>
  world.entra.addApp(world.tenantId, { federatedCredentials: fics.map((f) => ({ ...f, audiences: [AUD] })) }).clientId;

const CASES: readonly Case[] = [
  // ---- settings: exit 2 ----------------------------------------------------------------------------------------
  {
    name: 'client-id not a GUID',
    inputs: () => ({ 'client-id': 'my-app' }),
    code: 'ERR_SETTINGS_INVALID',
    exit: 2,
    says: ['client-id', 'my-app', /GUID/],
  },
  {
    name: 'namespace missing',
    inputs: () => ({ namespace: '' }),
    code: 'ERR_SETTINGS_MISSING',
    exit: 2,
    says: ['namespace'],
  },
  {
    name: 'namespace not a DNS-1123 label',
    inputs: () => ({ namespace: 'Team_A' }),
    code: 'ERR_SETTINGS_INVALID',
    exit: 2,
    says: ['namespace', 'Team_A'],
  },
  {
    name: 'authority-host over http',
    inputs: () => ({ 'authority-host': 'http://login.microsoftonline.com' }),
    code: 'ERR_SETTINGS_INVALID',
    exit: 2,
    says: ['authority-host', /https/],
  },
  {
    name: 'server over http',
    inputs: () => ({ server: 'http://10.0.0.1:6443' }),
    code: 'ERR_SETTINGS_INVALID',
    exit: 2,
    says: ['server'],
  },
  {
    name: 'certificate-authority-data not base64 PEM',
    inputs: () => ({ 'certificate-authority-data': 'not-a-ca' }),
    code: 'ERR_SETTINGS_INVALID',
    exit: 2,
    says: ['certificate-authority-data'],
  },
  {
    name: 'CA data and CA file together',
    inputs: () => ({ 'certificate-authority': '/etc/ssl/certs/ca.pem' }),
    code: 'ERR_SETTINGS_CONFLICT',
    exit: 2,
  },
  {
    name: 'scope without /.default',
    inputs: () => ({ scope: 'https://management.azure.com' }),
    code: 'ERR_SETTINGS_INVALID',
    exit: 2,
    says: ['scope', '/.default'],
  },
  {
    name: 'unknown operation',
    inputs: () => ({ operation: 'deploy' }),
    code: 'ERR_SETTINGS_INVALID',
    exit: 2,
    says: ['operation', 'deploy'],
  },
  {
    name: 'submit without a workflow',
    inputs: () => ({ operation: 'submit' }),
    code: 'ERR_SETTINGS_MISSING',
    exit: 2,
    says: ['workflow'],
  },

  // ---- CI token: exit 3 -----------------------------------------------------------------------------------------
  {
    name: 'no id-token permission',
    oidc: 'none',
    code: 'ERR_CI_TOKEN_NOT_FOUND',
    exit: 3,
    says: ['permissions:\n  id-token: write'],
  },
  {
    name: 'request token rejected by the token service',
    oidc: () => ({ requestUrl: world.github.requestUrl, requestToken: 'ghs_expired_request_token_0000000000' }),
    code: 'ERR_CI_TOKEN_REQUEST',
    exit: 3,
    says: ['HTTP 401', 'id-token: write'],
  },

  // ---- Entra (real AADSTS replies): exit 3 -----------------------------------------------------------------------
  {
    name: 'AADSTS700213 subject mismatch (hint names the presented subject)',
    inputs: () => ({
      'client-id': guidApp([{ issuer: world.github.issuer, subject: 'repo:octo-org/octo-repo:environment:prod' }]),
    }),
    code: 'ERR_ENTRA_SUBJECT_MISMATCH',
    exit: 3,
    says: ['AADSTS700213', SUBJECT, 'az ad app federated-credential create'],
  },
  {
    name: 'AADSTS7002138 subject differs only in case',
    inputs: () => ({
      'client-id': guidApp([{ issuer: world.github.issuer, subject: SUBJECT.replace('octo-repo', 'Octo-Repo') }]),
    }),
    code: 'ERR_ENTRA_SUBJECT_CASE',
    exit: 3,
    says: [SUBJECT],
  },
  {
    name: 'AADSTS700211 issuer mismatch',
    inputs: () => ({
      'client-id': guidApp([{ issuer: 'https://token.actions.githubusercontent.com', subject: SUBJECT }]),
    }),
    code: 'ERR_ENTRA_ISSUER_MISMATCH',
    exit: 3,
    says: ['AADSTS700211'],
  },
  {
    name: 'AADSTS700212 audience mismatch',
    inputs: () => ({ audience: 'api://SomethingElse' }),
    code: 'ERR_ENTRA_AUDIENCE_MISMATCH',
    exit: 3,
    says: ['AADSTS700212', 'api://SomethingElse'],
  },
  {
    name: 'AADSTS70025 app without federated credentials',
    inputs: () => ({ 'client-id': guidApp([]) }),
    code: 'ERR_ENTRA_NO_FIC',
    exit: 3,
    says: ['AADSTS70025'],
  },
  {
    name: 'AADSTS700016 unknown app',
    inputs: () => ({ 'client-id': randomUUID() }),
    code: 'ERR_ENTRA_APP_NOT_FOUND',
    exit: 3,
    says: ['AADSTS700016'],
  },
  {
    name: 'AADSTS90002 unknown tenant',
    inputs: () => ({ 'tenant-id': randomUUID() }),
    code: 'ERR_ENTRA_TENANT_NOT_FOUND',
    exit: 3,
    says: [/90002/],
  },
  {
    name: 'AADSTS500011 resource not in the tenant',
    inputs: () => ({ scope: 'api://no-such-resource/.default' }),
    code: 'ERR_ENTRA_EXCHANGE',
    exit: 3,
    says: ['AADSTS500011'],
  },
  {
    name: 'AADSTS700024 CI token outside its valid time (issuer clock an hour behind)',
    before: () => {
      world.github.clockOffsetS = -3600;
    },
    after: () => {
      world.github.clockOffsetS = 0;
    },
    code: 'ERR_ENTRA_ASSERTION_TIME',
    exit: 3,
    says: ['AADSTS700024'],
  },
  {
    name: 'Entra unreachable (nothing listens at the authority host)',
    inputs: () => ({ 'authority-host': 'https://127.0.0.1:1' }),
    code: 'ERR_ENTRA_UNREACHABLE',
    exit: 3,
    says: ['https://127.0.0.1:1'],
  },

  // ---- cluster: exit 4 ------------------------------------------------------------------------------------------
  {
    name: 'kubeconfig cannot be written (RUNNER_TEMP missing)',
    env: () => ({ RUNNER_TEMP: '/nonexistent/argo-entra-runner-temp' }),
    code: 'ERR_KUBECONFIG_WRITE',
    exit: 4,
    says: ['/nonexistent/argo-entra-runner-temp'],
  },
  {
    name: 'preflight: API server answers 401',
    inputs: () => ({ server: kube.url, 'certificate-authority-data': kube.caData, preflight: 'true' }),
    code: 'ERR_KUBE_UNAUTHORIZED',
    exit: 4,
    says: ['401'],
  },
  {
    name: 'preflight: API server certificate from another CA',
    inputs: () => ({
      server: kube.url,
      'certificate-authority-data': Buffer.from(otherPki.caPem).toString('base64'),
      preflight: 'true',
    }),
    code: 'ERR_KUBE_TLS',
    exit: 4,
  },
];

describe.each(CASES)('$name', (c) => {
  it(`-> ${c.code}, exit ${c.exit}`, async () => {
    c.before?.();
    try {
      const oidc = c.oidc === 'none' ? undefined : c.oidc ? c.oidc() : world.github;
      const run = log.add(
        await runBundle('main', {
          inputs: kubeconfigInputs(world, c.inputs?.() ?? {}),
          ...(oidc ? { oidc } : {}),
          caPath: world.pki.caPath,
          ...(c.env ? { env: c.env() } : {}),
          timeoutMs: 45_000,
        }),
      );
      const context = `\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`;
      expect({ exit: run.code, code: run.outputs['error-code'] }).toEqual({ exit: c.exit, code: c.code });
      const annotations = errorAnnotations(run.stdout);
      expect(annotations).toHaveLength(1);
      const [annotation] = annotations;
      expect(annotation?.properties).toBe(`title=argo-entra ${c.code}`);
      expect(annotation?.message.startsWith(`[${c.code}] `)).toBe(true);
      expect(annotation?.message).toMatch(/\nFix: \S/);
      for (const want of c.says ?? []) {
        if (typeof want === 'string') expect(annotation?.message).toContain(want);
        else expect(annotation?.message).toMatch(want);
      }
      if (stackTraceLines(run.stdout + run.stderr).length > 0) throw new Error(`stack trace printed${context}`);
      // failures write no kubeconfig output and export nothing
      if (c.exit !== 4) {
        expect(run.outputs['kubeconfig']).toBeUndefined();
        expect(run.env).toEqual({});
      }
    } finally {
      c.after?.();
    }
  }, 60_000);
});
