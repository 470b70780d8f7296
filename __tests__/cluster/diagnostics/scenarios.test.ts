/**
 * Issue 5: misconfiguration scenarios, each END TO END through a bundle (the action's dist/main, or the CLI's
 * dist/cli for doctor) against the Entra emulator and a real kube-apiserver (structured JWT auth trusting the
 * emulator's v1 issuer as AKS does, RBAC on, Argo CRDs). Each row asserts the error code, the exit code and that the
 * printed fix carries the specific value that fixes it. One cluster for the whole table, no workflow-controller
 * (nothing here needs a workflow to run). The CRD-missing row deletes the workflows CRD, so it runs last.
 * Every captured output is scanned for every token the emulators issued.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Cluster, startCluster } from '../../harness/cluster/cluster.js';
import { AKS_SERVER_APP_ID, type AppRegistration } from '../../harness/emulators/entra.js';
import { startIdentityWorld, TOKEN_EXCHANGE_AUDIENCE, type IdentityWorld } from '../../harness/emulators/world.js';
import { runBundle, type BundleRun } from '../../helpers/run-bundle.js';
import { emulatorSecrets, expectNoSecrets } from '../../helpers/secret-scan.js';
import { entraTrust } from '../../harness/cluster/entra-trust.js';

const LONG = 300_000;
const NS = 'team-a';
/** A resource app whose tokens are v2 (requestedAccessTokenVersion 2) that the v1-configured cluster also lists. */
const V2_APP_ID = '0c0ffee0-2222-4bbb-8ccc-000000000002';
const TEMPLATE = 'greet';

let world: IdentityWorld;
let cluster: Cluster;
const apps: Record<string, AppRegistration> = {};
const outputs: Array<{ name: string; text: string }> = [];
const runs: BundleRun[] = [];

async function admin(args: string[], input?: string): Promise<string> {
  const r = await cluster.kubectl(args, input !== undefined ? { input } : {});
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} -> ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** An app in the world's tenant whose FIC matches the GitHub run exactly (unless `fics` says otherwise). */
function app(name: string, fics?: Array<{ issuer: string; subject: string; audiences: string[] }>): AppRegistration {
  const created = world.entra.addApp(world.tenantId, {
    displayName: `diag-${name}`,
    federatedCredentials: fics ?? [
      { issuer: world.github.issuer, subject: world.github.subject(), audiences: [TOKEN_EXCHANGE_AUDIENCE] },
    ],
  });
  apps[name] = created;
  return created;
}

const WORKFLOW = JSON.stringify({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Workflow',
  metadata: { generateName: 'diag-' },
  spec: { entrypoint: 'main', templates: [{ name: 'main', suspend: { duration: '1' } }] },
});

beforeAll(async () => {
  world = await startIdentityWorld();
  world.entra.addResource(world.tenantId, {
    appId: V2_APP_ID,
    requestedAccessTokenVersion: 2,
    displayName: 'cluster (v2 tokens)',
  });
  cluster = await startCluster({
    ...entraTrust({
      entra: world.entra,
      tenantId: world.tenantId,
      caPem: world.pki.caPem,
      readinessClientId: world.app.clientId,
      audiences: [AKS_SERVER_APP_ID, V2_APP_ID],
    }),
    startController: false,
  });

  const good = app('good');
  const denied = app('denied');
  const adminApp = app('admin');
  const sloppy = app('sloppy');
  await admin(['create', 'namespace', NS]);
  // What `argo-entra rbac` prints for submit + wait with a template, plus list on templates (for "did you mean").
  await admin([
    'create',
    'role',
    'wf-submitter',
    '-n',
    NS,
    '--verb=create,get,list,watch,patch',
    '--resource=workflows.argoproj.io',
  ]);
  await admin([
    'create',
    'role',
    'wf-templates',
    '-n',
    NS,
    '--verb=get,list',
    '--resource=workflowtemplates.argoproj.io',
  ]);
  await admin([
    'create',
    'rolebinding',
    'wf-submitter',
    '-n',
    NS,
    '--role=wf-submitter',
    `--user=${good.servicePrincipalId}`,
  ]);
  await admin([
    'create',
    'rolebinding',
    'wf-templates',
    '-n',
    NS,
    '--role=wf-templates',
    `--user=${good.servicePrincipalId}`,
  ]);
  // Lets preflight tell a missing namespace from a missing grant (without it a typo reads as a 403).
  await admin(['create', 'clusterrole', 'namespace-reader', '--verb=get', '--resource=namespaces']);
  await admin([
    'create',
    'clusterrolebinding',
    'diag-namespace-reader',
    '--clusterrole=namespace-reader',
    `--user=${good.servicePrincipalId}`,
  ]);
  await admin(['create', 'clusterrole', 'secret-reader', '--verb=get,list', '--resource=secrets']);
  await admin([
    'create',
    'clusterrolebinding',
    'diag-sloppy',
    '--clusterrole=secret-reader',
    `--user=${sloppy.servicePrincipalId}`,
  ]);
  await admin([
    'create',
    'clusterrolebinding',
    'diag-admin',
    '--clusterrole=cluster-admin',
    `--user=${adminApp.servicePrincipalId}`,
  ]);
  await admin(
    ['apply', '-n', NS, '-f', '-'],
    JSON.stringify({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'WorkflowTemplate',
      metadata: { name: TEMPLATE, namespace: NS },
      spec: { entrypoint: 'main', templates: [{ name: 'main', suspend: { duration: '1' } }] },
    }),
  );
  void denied;
}, LONG);

afterAll(async () => {
  await cluster?.stop();
  await world?.stop();
}, 60_000);

// ---- running the bundles ------------------------------------------------------------------------------------

interface Run {
  readonly code: number | null;
  readonly text: string;
  readonly errorCode: string | undefined;
}

/** The job's GitHub env as the emulator describes it (OIDC request variables included); undefined = removed. */
function ghEnv(): Record<string, string | undefined> {
  return world.github.env();
}

function inputs(appName: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'client-id': apps[appName]?.clientId ?? '',
    'tenant-id': world.tenantId,
    'authority-host': world.entra.authorityHost,
    server: cluster.server,
    'certificate-authority-data': cluster.caData,
    namespace: NS,
    workflow: WORKFLOW,
    wait: 'false',
    ...extra,
  };
}

/** GitHub's workflow-command escaping, undone, so multi-line hints read as printed. */
const unescape = (s: string): string => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');

/** Everything a run printed or wrote (file commands included), minus the runner's mask registrations. */
function textOf(r: BundleRun): string {
  const printed = `${r.stdout}\n${r.stderr}`
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
  return unescape([printed, ...Object.values(r.files)].join('\n'));
}

async function action(
  name: string,
  inputValues: Record<string, string>,
  env: Record<string, string | undefined> = ghEnv(),
): Promise<Run> {
  const r = await runBundle('main', { inputs: inputValues, env, caPath: world.pki.caPath, timeoutMs: 120_000 });
  runs.push(r);
  const text = textOf(r);
  outputs.push({ name, text });
  return { code: r.code, text, errorCode: r.outputs['error-code'] };
}

async function cli(name: string, args: string[], env: Record<string, string | undefined>): Promise<Run> {
  const r = await runBundle('cli', { args, env, caPath: world.pki.caPath, timeoutMs: 120_000 });
  runs.push(r);
  const text = textOf(r);
  outputs.push({ name, text });
  return { code: r.code, text, errorCode: /\[(ERR_[A-Z_]+)\]/.exec(text)?.[1] };
}

function cliArgs(appName: string, extra: string[] = []): string[] {
  return [
    '--client-id',
    apps[appName]?.clientId ?? '',
    '--tenant-id',
    world.tenantId,
    '--authority-host',
    world.entra.authorityHost,
    '--server',
    cluster.server,
    '--certificate-authority-data',
    cluster.caData,
    '--namespace',
    NS,
    '--workflow-template',
    TEMPLATE,
    ...extra,
  ];
}

/** The final error's fix: "Fix: ..." on the line after "[CODE] message", up to "Details:" (the last such block). */
function fixOf(text: string, code: string): string {
  const re = new RegExp(`\\[${code}\\][^\\n]*\\n(Fix: [\\s\\S]*?)(?=\\nDetails:|\\n::|$)`, 'g');
  const all = [...text.matchAll(re)];
  return all.at(-1)?.[1] ?? '';
}

// ---- the table -----------------------------------------------------------------------------------------------

interface Scenario {
  readonly name: string;
  readonly code: string;
  readonly exit: number;
  /** run it; returns the run */
  readonly run: () => Promise<Run>;
  /** values the printed fix must contain (computed after beforeAll) */
  readonly fix: () => Array<string | RegExp>;
  /** more assertions on the whole output */
  readonly also?: (text: string) => void;
}

const subject = (): string => world.github.subject();

const scenarios: Scenario[] = [
  {
    name: 'job without `permissions: id-token: write`',
    code: 'ERR_CI_TOKEN_NOT_FOUND',
    exit: 3,
    run: () => {
      return action('no-id-token', inputs('good'), {
        ...ghEnv(),
        ACTIONS_ID_TOKEN_REQUEST_URL: undefined,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined,
      });
    },
    fix: () => ['id-token: write'],
  },
  {
    name: 'FIC subject for another branch (AADSTS700213)',
    code: 'ERR_ENTRA_SUBJECT_MISMATCH',
    exit: 3,
    run: () => {
      app('other-branch', [
        {
          issuer: world.github.issuer,
          subject: 'repo:octo-org/octo-repo:ref:refs/heads/release',
          audiences: [TOKEN_EXCHANGE_AUDIENCE],
        },
      ]);
      return action('subject', inputs('other-branch'));
    },
    fix: () => [
      `subject '${subject()}'`,
      'az ad app federated-credential create',
      `"subject":"${subject()}"`,
      `--id ${apps['other-branch']?.clientId ?? '?'}`,
    ],
  },
  {
    name: 'FIC subject differs only in case (AADSTS7002138)',
    code: 'ERR_ENTRA_SUBJECT_CASE',
    exit: 3,
    run: () => {
      app('case', [
        {
          issuer: world.github.issuer,
          subject: subject().replace('octo-repo', 'Octo-Repo'),
          audiences: [TOKEN_EXCHANGE_AUDIENCE],
        },
      ]);
      return action('subject-case', inputs('case'));
    },
    fix: () => [`"subject":"${subject()}"`, 'case-sensitive'],
  },
  {
    name: 'FIC issuer is github.com while the token comes from another issuer (AADSTS700211)',
    code: 'ERR_ENTRA_ISSUER_MISMATCH',
    exit: 3,
    run: () => {
      app('issuer', [
        {
          issuer: 'https://token.actions.githubusercontent.com',
          subject: subject(),
          audiences: [TOKEN_EXCHANGE_AUDIENCE],
        },
      ]);
      return action('issuer', inputs('issuer'));
    },
    fix: () => [`issuer '${world.github.issuer}'`, `"issuer":"${world.github.issuer}"`],
  },
  {
    name: 'CI token audience differs from the FIC audience (AADSTS700212)',
    code: 'ERR_ENTRA_AUDIENCE_MISMATCH',
    exit: 3,
    run: () => action('audience', inputs('good', { audience: 'api://argo-entra-ci' })),
    fix: () => ["audience 'api://argo-entra-ci'", 'api://AzureADTokenExchange'],
  },
  {
    name: 'app has no federated credential at all (AADSTS70025)',
    code: 'ERR_ENTRA_NO_FIC',
    exit: 3,
    run: () => {
      app('no-fic', []);
      return action('no-fic', inputs('no-fic'));
    },
    fix: () => ['az ad app federated-credential create', `"subject":"${subject()}"`],
  },
  {
    name: 'FIC created a moment ago, not propagated (AADSTS70021)',
    code: 'ERR_ENTRA_NO_MATCHING_FIC',
    exit: 3,
    run: () => {
      const fresh = app('fresh', []);
      world.entra.addFederatedCredential(
        world.tenantId,
        fresh.clientId,
        { issuer: world.github.issuer, subject: subject(), audiences: [TOKEN_EXCHANGE_AUDIENCE] },
        { propagationDelayMs: 600_000 },
      );
      return action('propagation', inputs('fresh'));
    },
    fix: () => [/propagated/, /wait 1-5 minutes/, `subject '${subject()}'`],
  },
  {
    name: 'unknown tenant (AADSTS90002)',
    code: 'ERR_ENTRA_TENANT_NOT_FOUND',
    exit: 3,
    run: () => action('tenant', inputs('good', { 'tenant-id': '00000000-dead-4bad-8bad-000000000000' })),
    fix: () => ['tenant-id', 'az account show --query tenantId'],
  },
  {
    name: 'unknown client id (AADSTS700016)',
    code: 'ERR_ENTRA_APP_NOT_FOUND',
    exit: 3,
    run: () => action('client', { ...inputs('good'), 'client-id': '11111111-2222-4333-8444-555555555555' }),
    fix: () => ['11111111-2222-4333-8444-555555555555', 'az ad app show --id 11111111-2222-4333-8444-555555555555'],
  },
  {
    name: "the runner's clock is 20 min behind Entra: the CI token is already expired there (AADSTS700024, skew shown)",
    code: 'ERR_ENTRA_ASSERTION_TIME',
    exit: 3,
    run: async () => {
      world.entra.setClockOffsetMs(20 * 60_000);
      try {
        return await action('clock', inputs('good'));
      } finally {
        world.entra.setClockOffsetMs(0);
      }
    },
    fix: () => [/1[12]\d\d s behind Entra/, /NTP/],
  },
  {
    name: 'wrong scope (an ARM token): cluster 401, audience',
    code: 'ERR_KUBE_UNAUTHORIZED',
    exit: 4,
    run: () => action('scope', inputs('good', { scope: 'https://management.azure.com/.default' })),
    fix: () => [`${AKS_SERVER_APP_ID}/.default`],
    also: (text) => expect(text).toContain('Azure Resource Manager'),
  },
  {
    name: 'v2 token on a cluster that trusts the v1 issuer: cluster 401, issuer version',
    code: 'ERR_KUBE_UNAUTHORIZED',
    exit: 4,
    run: () => action('v2', inputs('good', { scope: `${V2_APP_ID}/.default` })),
    fix: () => [
      'requestedAccessTokenVersion',
      `az ad app update --id ${V2_APP_ID}`,
      `https://sts.windows.net/${world.tenantId}/`,
    ],
  },
  {
    name: 'no RoleBinding: preflight 403 with the Role YAML for the oid and the verb',
    code: 'ERR_KUBE_FORBIDDEN',
    exit: 4,
    run: () => action('rbac', inputs('denied')),
    fix: () => [
      'kind: RoleBinding',
      `name: ${apps['denied']?.servicePrincipalId ?? '?'}`,
      /- create/,
      `namespace: ${NS}`,
    ],
  },
  {
    name: 'no RoleBinding, preflight off: the 403 of the real call is explained the same way',
    code: 'ERR_KUBE_FORBIDDEN',
    exit: 4,
    run: () => action('rbac-no-preflight', inputs('denied', { preflight: 'false' })),
    fix: () => ['kind: RoleBinding', `name: ${apps['denied']?.servicePrincipalId ?? '?'}`, /- (list|create)/],
  },
  {
    name: 'namespace does not exist',
    code: 'ERR_KUBE_NAMESPACE_NOT_FOUND',
    exit: 4,
    run: () => action('namespace', inputs('good', { namespace: 'team-zz' })),
    fix: () => ['kubectl create namespace team-zz'],
  },
  {
    name: 'WorkflowTemplate does not exist',
    code: 'ERR_ARGO_TEMPLATE_NOT_FOUND',
    exit: 2,
    run: () => action('template', { ...inputs('good', { 'workflow-template': 'greeet' }), workflow: '' }),
    fix: () => ['"greeet"', `Existing WorkflowTemplates in "${NS}": ${TEMPLATE}`],
  },
  {
    name: 'ca-data of another cluster: TLS names the mismatch',
    code: 'ERR_KUBE_TLS',
    exit: 4,
    run: () =>
      action('tls', inputs('good', { 'certificate-authority-data': Buffer.from(world.pki.caPem).toString('base64') })),
    fix: () => ['another cluster', "copy certificate-authority-data from this cluster's current kubeconfig"],
    also: (text) => {
      expect(text).toMatch(/likelyCause: ca-mismatch/);
      expect(text).toMatch(/serverCertificateIssuer: /);
    },
  },
  {
    name: 'cluster-admin binding with least-privilege: enforce',
    code: 'ERR_LEAST_PRIVILEGE',
    exit: 4,
    run: () => action('least-privilege', inputs('admin', { 'least-privilege': 'enforce' })),
    fix: () => [apps['admin']?.servicePrincipalId ?? '?', 'kind: Role'],
  },
];

describe('misconfiguration scenarios, end to end through the bundles', () => {
  it.each(scenarios.map((s) => [s.name, s] as const))(
    '%s',
    async (_name, s) => {
      const r = await s.run();
      const context = `--- output ---\n${r.text}`;
      expect({
        errorCode: r.errorCode,
        exit: r.code,
        context: r.errorCode === s.code && r.code === s.exit ? '' : context,
      }).toEqual({
        errorCode: s.code,
        exit: s.exit,
        context: '',
      });
      const fix = fixOf(r.text, s.code);
      for (const want of s.fix()) {
        if (typeof want === 'string') expect(fix).toContain(want);
        else expect(fix).toMatch(want);
      }
      s.also?.(r.text);
    },
    LONG,
  );

  it(
    'doctor on a healthy setup: exit 0, one ok line per check',
    async () => {
      const r = await cli('doctor-healthy', ['doctor', ...cliArgs('good')], ghEnv());
      expect({ exit: r.code, text: r.code === 0 ? '' : r.text }).toEqual({ exit: 0, text: '' });
      for (const check of [
        'settings',
        'ci-token',
        'entra',
        'clock',
        'tls',
        'authentication',
        'access',
        'least-privilege',
      ]) {
        expect(r.text).toMatch(new RegExp(`^ok +${check} `, 'm'));
      }
      expect(r.text).not.toMatch(/^FAIL /m);
      expect(r.text).toContain(`sub=${subject()}`);
      expect(r.text).toContain(`iss=${world.github.issuer}`);
      expect(r.text).toContain(`username "${apps['good']?.servicePrincipalId ?? '?'}"`);
      expect(r.text).toMatch(/nothing was submitted/);
    },
    LONG,
  );

  it(
    'doctor on a broken setup: every failure listed, later checks still run, exit = the first problem',
    async () => {
      // Entra 3 min behind this machine: its tokens are still accepted (nbf in the past, CI token inside its window),
      // but the clock check must fail. The identity reads secrets cluster-wide yet may not create workflows: the RBAC
      // denial must not stop the over-privilege check.
      world.entra.setClockOffsetMs(-180_000);
      let r: Run;
      try {
        r = await cli('doctor-broken', ['doctor', ...cliArgs('sloppy', ['--least-privilege', 'enforce'])], ghEnv());
      } finally {
        world.entra.setClockOffsetMs(0);
      }
      expect(r.text).toMatch(/^FAIL +clock +\[ERR_CLOCK_SKEW\] .*1[78]\d s ahead of Entra/m);
      expect(r.text).toMatch(/^ok +entra /m);
      expect(r.text).toMatch(/^ok +tls /m);
      expect(r.text).toMatch(/^ok +authentication /m);
      expect(r.text).toMatch(/^FAIL +access +\[ERR_KUBE_FORBIDDEN\]/m);
      expect(r.text).toMatch(/^FAIL +access +create workflows/m);
      expect(r.text).toMatch(/^FAIL +least-privilege +\[ERR_LEAST_PRIVILEGE\].*secrets/m);
      expect(r.text).toMatch(/doctor: \d+ ok, \d+ failed/);
      // the later problems' fixes are printed under their lines: the RoleBinding for the oid
      expect(r.text).toContain(`name: ${apps['sloppy']?.servicePrincipalId ?? '?'}`);
      expect(r.errorCode).toBe('ERR_CLOCK_SKEW');
      expect(r.code).toBe(3);
    },
    LONG,
  );

  it(
    'diagnose-only in the action: report, nothing submitted, exit 4 with the RBAC fix',
    async () => {
      const before = await admin(['get', 'workflows', '-n', NS, '-o', 'name']);
      const r = await action('diagnose-only', inputs('denied', { 'diagnose-only': 'true' }));
      expect(r.errorCode).toBe('ERR_KUBE_FORBIDDEN');
      expect(r.code).toBe(4);
      expect(r.text).toMatch(/^ok +entra /m);
      expect(r.text).toMatch(/^FAIL +access +create workflows/m);
      expect(fixOf(r.text, 'ERR_KUBE_FORBIDDEN')).toContain(`name: ${apps['denied']?.servicePrincipalId ?? '?'}`);
      expect(await admin(['get', 'workflows', '-n', NS, '-o', 'name'])).toBe(before);
    },
    LONG,
  );

  // Last: it removes the workflows CRD from the shared cluster.
  it(
    'Argo CRDs not installed (workflows CRD deleted): ERR_ARGO_CRD_MISSING',
    async () => {
      await admin(['delete', 'crd', 'workflows.argoproj.io', '--wait=true', '--timeout=60s']);
      // Discovery drops the resource a moment after the CRD is gone.
      for (let i = 0; i < 100; i++) {
        const d = await cluster.request('/apis/argoproj.io/v1alpha1');
        if (!/"name":"workflows"/.test(d.body)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const r = await action('crd', inputs('good'));
      expect({
        errorCode: r.errorCode,
        exit: r.code,
        context: r.errorCode === 'ERR_ARGO_CRD_MISSING' ? '' : r.text,
      }).toEqual({ errorCode: 'ERR_ARGO_CRD_MISSING', exit: 4, context: '' });
      expect(fixOf(r.text, 'ERR_ARGO_CRD_MISSING')).toContain('Install Argo Workflows');
      const doctor = await cli('doctor-crd', ['doctor', ...cliArgs('good')], ghEnv());
      expect(doctor.text).toMatch(/^FAIL +argo-crds +\[ERR_ARGO_CRD_MISSING\]/m);
      expect(doctor.code).toBe(4);
    },
    LONG,
  );

  it('no token issued by the emulators appears in any captured output', () => {
    // ARGO_ENTRA_DIAG_DUMP=<dir>: keep every scenario's output for reading.
    const dump = process.env['ARGO_ENTRA_DIAG_DUMP'];
    if (dump) for (const o of outputs) writeFileSync(path.join(dump, `${o.name}.txt`), o.text);
    expect(runs.length).toBeGreaterThanOrEqual(scenarios.length + 4);
    expect(world.entra.issued.length).toBeGreaterThan(5);
    expect(world.github.issuerCore.minted.length).toBeGreaterThan(10);
    expectNoSecrets(runs, emulatorSecrets(world.entra, world.github));
  });
});
