/**
 * Issue 4, the action as the runner runs it: `node dist/main/index.js` (and dist/post) as child processes with
 * INPUT_* and GITHUB_* env and file commands, against a real kube-apiserver that trusts the Entra emulator (v1
 * issuer, AKS audience, oid usernames) and the real Argo workflow-controller. Controller-only workflows (suspend
 * templates) reach real phases; a pod step stays Pending (no kubelet).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Cluster, startCluster } from '../../harness/cluster/cluster.js';
import type { AppRegistration } from '../../harness/emulators/entra.js';
import { startIdentityWorld, TOKEN_EXCHANGE_AUDIENCE, type IdentityWorld } from '../../harness/emulators/world.js';
import type { Workflow } from '../../../src/argo/types.js';
import {
  decodeCommand,
  runBundle,
  runPostAfter,
  type BundleRun,
  type RunBundleOptions,
  type SignalPlan,
} from '../../helpers/run-bundle.js';
import { emulatorSecrets, expectNoSecrets } from '../../helpers/secret-scan.js';
import { entraTrust } from '../../harness/cluster/entra-trust.js';

const NS = 'team-a';
const LONG = 240_000;
let world: IdentityWorld;
let cluster: Cluster;
let reader: AppRegistration;
let noPatch: AppRegistration;
let withLogs: AppRegistration;
const runs: BundleRun[] = [];
let runSeq = 0;

async function admin(args: string[], input?: string): Promise<string> {
  const r = await cluster.kubectl(args, input !== undefined ? { input } : {});
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} -> ${r.code}: ${r.stderr}`);
  return r.stdout;
}

const getWf = async (name: string): Promise<Workflow> =>
  JSON.parse(await admin(['get', 'wf', '-n', NS, name, '-o', 'json'])) as Workflow;
const listWf = async (selector: string): Promise<Workflow[]> =>
  (JSON.parse(await admin(['get', 'wf', '-n', NS, '-l', selector, '-o', 'json'])) as { items: Workflow[] }).items;

async function until(name: string, test: (wf: Workflow) => boolean, what: string, ms = 60_000): Promise<Workflow> {
  const end = Date.now() + ms;
  for (;;) {
    const wf = await getWf(name);
    if (test(wf)) return wf;
    if (Date.now() > end) throw new Error(`workflow ${name} never ${what}: ${JSON.stringify(wf.status ?? {})}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
const suspendRunning = (wf: Workflow): boolean =>
  Object.values(wf.status?.nodes ?? {}).some((n) => n.type === 'Suspend' && n.phase === 'Running');
const completed = (wf: Workflow): boolean => wf.metadata.labels?.['workflows.argoproj.io/completed'] === 'true';

beforeAll(async () => {
  world = await startIdentityWorld();
  reader = world.entra.addApp(world.tenantId, {
    displayName: 'argo-entra-reader',
    federatedCredentials: [
      { issuer: world.github.issuer, subject: world.github.subject(), audiences: [TOKEN_EXCHANGE_AUDIENCE] },
    ],
  });
  noPatch = world.entra.addApp(world.tenantId, {
    displayName: 'argo-entra-submit-only',
    federatedCredentials: [
      { issuer: world.github.issuer, subject: world.github.subject(), audiences: [TOKEN_EXCHANGE_AUDIENCE] },
    ],
  });
  withLogs = world.entra.addApp(world.tenantId, {
    displayName: 'argo-entra-with-logs',
    federatedCredentials: [
      { issuer: world.github.issuer, subject: world.github.subject(), audiences: [TOKEN_EXCHANGE_AUDIENCE] },
    ],
  });
  cluster = await startCluster({
    ...entraTrust({
      entra: world.entra,
      tenantId: world.tenantId,
      caPem: world.pki.caPem,
      readinessClientId: world.app.clientId,
    }),
  });
  console.log(`action suite: cluster up in ${Math.round(cluster.startMs)} ms`);
  await admin(['create', 'namespace', NS]);
  // What `argo-entra rbac` recommends for submit/wait/operate, bound to the app's object id (the cluster username).
  await admin(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'argo-entra', namespace: NS },
      rules: [
        {
          apiGroups: ['argoproj.io'],
          resources: ['workflows'],
          verbs: ['create', 'get', 'list', 'watch', 'patch', 'update'],
        },
        { apiGroups: ['argoproj.io'], resources: ['workflowtemplates'], verbs: ['get'] },
      ],
    }),
  );
  await admin([
    'create',
    'rolebinding',
    'argo-entra',
    '-n',
    NS,
    '--role=argo-entra',
    `--user=${world.app.servicePrincipalId}`,
  ]);
  // What `argo-entra rbac --logs` adds: pods and pods/log get, so the logs of failed steps can be read.
  await admin(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'argo-entra-logs', namespace: NS },
      rules: [
        { apiGroups: ['argoproj.io'], resources: ['workflows'], verbs: ['create', 'get', 'list', 'watch', 'patch'] },
        { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get'] },
      ],
    }),
  );
  await admin([
    'create',
    'rolebinding',
    'argo-entra-logs',
    '-n',
    NS,
    '--role=argo-entra-logs',
    `--user=${withLogs.servicePrincipalId}`,
  ]);
  await admin(['create', 'role', 'wf-reader', '-n', NS, '--verb=get', '--resource=workflows.argoproj.io']);
  // Everything submit + wait needs, but no patch: on-cancel cannot take effect.
  await admin([
    'create',
    'role',
    'wf-submit-only',
    '-n',
    NS,
    '--verb=create,get,list,watch',
    '--resource=workflows.argoproj.io',
  ]);
  await admin([
    'create',
    'rolebinding',
    'wf-submit-only',
    '-n',
    NS,
    '--role=wf-submit-only',
    `--user=${noPatch.servicePrincipalId}`,
  ]);
  await admin([
    'create',
    'rolebinding',
    'wf-reader',
    '-n',
    NS,
    '--role=wf-reader',
    `--user=${reader.servicePrincipalId}`,
  ]);
  await admin(
    ['apply', '-n', NS, '-f', '-'],
    JSON.stringify({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'WorkflowTemplate',
      metadata: { name: 'greet', namespace: NS },
      spec: {
        entrypoint: 'main',
        arguments: { parameters: [{ name: 'who', value: 'world' }] },
        templates: [
          {
            name: 'main',
            inputs: { parameters: [{ name: 'who' }] },
            dag: {
              tasks: [
                {
                  name: 'pause',
                  template: 'pause',
                  arguments: { parameters: [{ name: 'who', value: '{{inputs.parameters.who}}' }] },
                },
              ],
            },
          },
          {
            name: 'pause',
            inputs: { parameters: [{ name: 'who' }] },
            suspend: { duration: '1' },
            // globalName exports it to status.outputs (what the `outputs` output carries); the default is what an
            // expired suspend yields.
            outputs: {
              parameters: [
                {
                  name: 'greeting',
                  globalName: 'greeting',
                  valueFrom: { default: 'hello {{inputs.parameters.who}}', supplied: {} },
                },
              ],
            },
          },
        ],
      },
    }),
  );
}, LONG);

afterAll(async () => {
  await cluster?.stop();
  await world?.stop();
}, 60_000);

/**
 * The GitHub context of one step (over run-bundle's defaults, which match the GitHub emulator's run): a fresh run id
 * per call unless the test pins one, or idempotency would attach steps of different tests to one workflow.
 */
function stepEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { GITHUB_RUN_ID: String(90_000 + ++runSeq), ...extra };
}

function inputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'client-id': world.app.clientId,
    'tenant-id': world.tenantId,
    'authority-host': world.entra.authorityHost,
    server: cluster.server,
    'certificate-authority-data': cluster.caData,
    namespace: NS,
    ...extra,
  };
}

/** The main step of a job with `id-token: write`. */
async function runMain(
  o: { inputs: Record<string, string>; env: Record<string, string> },
  extra: Partial<RunBundleOptions> = {},
): Promise<BundleRun> {
  const r = await runBundle('main', {
    inputs: o.inputs,
    github: o.env,
    oidc: world.github,
    caPath: world.pki.caPath,
    timeoutMs: 120_000,
    ...extra,
  });
  runs.push(r);
  return r;
}

/** The post step of the same job (main's state as STATE_*); `oidc: false` = without the OIDC request variables. */
async function runPost(main: BundleRun, o: { oidc?: boolean } = {}): Promise<BundleRun> {
  const r = await runPostAfter(main, {
    caPath: world.pki.caPath,
    ...(o.oidc === false ? {} : { oidc: world.github }),
  });
  runs.push(r);
  return r;
}

/**
 * A signal plan that fires once main is inside its wait, has printed the suspend step running, and the cluster
 * agrees: the signal lands mid-wait, not during submit or before the wait's first observation.
 */
function onceSuspended(
  signal: SignalPlan['signal'],
  then?: SignalPlan['then'],
): { plan: SignalPlan; name: () => string } {
  let name = '';
  let ready = false;
  const plan: SignalPlan = {
    signal,
    ...(then === undefined ? {} : { then }),
    when: ({ stdout }) => {
      const m = /Created workflow team-a\/(\S+)/.exec(stdout);
      if (m && name === '') {
        name = m[1] ?? '';
        until(name, suspendRunning, 'reached its suspend step').then(
          () => (ready = true),
          () => undefined,
        );
      }
      // the wait itself has seen the suspend step running (its progress line), not just started
      return ready && /::group::Waiting for workflow[\s\S]*\(Suspend\)[^\n]*-> Running/.test(stdout);
    },
  };
  return { plan, name: () => name };
}

/** Workflow commands escape newlines in messages (`%0A`); read them back as a person sees them in the log. */
const logText = (r: BundleRun): string => decodeCommand(`${r.stdout}\n${r.stderr}`);

const manifest = (spec: Record<string, unknown>, generateName = 'act-'): string =>
  JSON.stringify({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { generateName }, spec });
const forever = {
  entrypoint: 'main',
  templates: [
    { name: 'main', steps: [[{ name: 'hold', template: 'hold' }]] },
    { name: 'hold', suspend: {} },
  ],
};

function expectExit(r: BundleRun, code: number): void {
  if (r.code !== code) throw new Error(`expected exit ${code}, got ${r.code} (signal ${r.signal}):\n${logText(r)}`);
}

describe('the action bundle on the real control plane', () => {
  it(
    'submit from a WorkflowTemplate with parameters + wait: exit 0, outputs, audit stamp',
    async () => {
      const env = stepEnv();
      const r = await runMain({
        inputs: inputs({
          'workflow-template': 'greet',
          parameters: 'who=argo-entra',
          'argo-ui-url': 'https://argo.example',
        }),
        env,
      });
      expectExit(r, 0);
      const name = r.outputs['workflow-name'] ?? '';
      expect(name).toMatch(/^greet-/);
      expect(r.outputs).toMatchObject({
        phase: 'Succeeded',
        namespace: NS,
        url: `https://argo.example/workflows/${NS}/${name}`,
      });
      expect(Number(r.outputs['duration'])).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(r.outputs['outputs'] ?? 'null')).toEqual([
        expect.objectContaining({ name: 'greeting', value: 'hello argo-entra' }),
      ]);
      expect(r.outputs['error-code']).toBeUndefined();
      expect(r.summary).toContain(name);

      const wf = await getWf(name);
      expect(r.outputs['workflow-uid']).toBe(wf.metadata.uid);
      expect(wf.spec.arguments?.parameters).toEqual([{ name: 'who', value: 'argo-entra' }]);
      expect(wf.metadata.labels).toMatchObject({
        'workflows.argoproj.io/workflow-template': 'greet',
        'argo-entra.io/ci': 'github',
        'argo-entra.io/repository': 'octo-org.octo-repo',
        'argo-entra.io/run-id': env['GITHUB_RUN_ID'],
      });
      expect(wf.metadata.labels?.['argo-entra.io/submission']).toMatch(/^[0-9a-f]{40}$/);
      expect(wf.metadata.annotations).toMatchObject({
        'argo-entra.io/ci-subject': world.github.subject(),
        'argo-entra.io/entra-oid': world.app.servicePrincipalId,
        'argo-entra.io/entra-appid': world.app.clientId,
        'argo-entra.io/entra-tid': world.tenantId,
        'argo-entra.io/run-id': env['GITHUB_RUN_ID'],
        'argo-entra.io/run-attempt': '1',
        'argo-entra.io/sha': 'a'.repeat(40),
        'argo-entra.io/run-url': `https://github.com/octo-org/octo-repo/actions/runs/${env['GITHUB_RUN_ID']}/attempts/1`,
      });
      const post = await runPost(r);
      expectExit(post, 0);
      expect(existsSync(path.dirname(r.outputs['kubeconfig'] ?? '/nonexistent/x'))).toBe(false);
    },
    LONG,
  );

  it(
    'a workflow that fails (activeDeadlineSeconds): exit 1, phase Failed',
    async () => {
      const r = await runMain({
        inputs: inputs({ workflow: manifest({ ...forever, activeDeadlineSeconds: 2 }) }),
        env: stepEnv(),
      });
      expectExit(r, 1);
      expect(r.outputs['phase']).toBe('Failed');
      expect(r.outputs['error-code']).toBe('ERR_ARGO_WORKFLOW_FAILED');
    },
    LONG,
  );

  it(
    'a failed pod step (never scheduled, activeDeadlineSeconds): exit 1, its log section notes the pod is gone',
    async () => {
      const pod = {
        entrypoint: 'main',
        activeDeadlineSeconds: 3,
        templates: [{ name: 'main', container: { image: 'busybox', command: ['true'] } }],
      };
      const r = await runMain({
        inputs: inputs({ 'client-id': withLogs.clientId, workflow: manifest(pod, 'logs-') }),
        env: stepEnv(),
      });
      expectExit(r, 1);
      expect(r.outputs['phase']).toBe('Failed');
      expect(r.outputs['error-code']).toBe('ERR_ARGO_WORKFLOW_FAILED');
      const name = r.outputs['workflow-name'] ?? '';
      const log = logText(r);
      // The single node is a Pod node (v2 pod name of a one-node workflow: the workflow's own name). The controller
      // created its pod, which never got a node; at the deadline it deletes that pending pod. Depending on which comes
      // first, the real API server answers the log request 200 with an empty body (a pod with no node has no log
      // stream) or 404 (pod deleted): either way the section carries the step's message and one note, and exit is 1.
      const title = `::group::Logs of failed step ${name} (pod ${name})`;
      expect(log).toContain(title);
      const section = log.slice(log.indexOf(title));
      const body = section.slice(0, section.indexOf('::endgroup::'));
      expect(body).toContain('Step message: Step exceeded its deadline');
      expect(body).toMatch(
        new RegExp(`Note: (no log for pod ${name}: the pod is gone|the container wrote no log output)`),
      );
      expect(body).not.toContain('kubectl auth can-i');
      const end = Date.now() + 30_000;
      let gone = await cluster.kubectl(['get', 'pod', '-n', NS, name]);
      while (!gone.stderr.includes('NotFound') && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 250));
        gone = await cluster.kubectl(['get', 'pod', '-n', NS, name]);
      }
      expect(gone.stderr).toContain('NotFound');
    },
    LONG,
  );

  it(
    'a retried step attaches to its workflow; a new run attempt creates a new one',
    async () => {
      const env = stepEnv();
      const step = {
        inputs: inputs({ workflow: manifest({ ...forever, activeDeadlineSeconds: 30 }, 'idem-'), wait: 'false' }),
        env,
      };
      const first = await runMain(step);
      expectExit(first, 0);
      const again = await runMain(step);
      expectExit(again, 0);
      expect(again.outputs['workflow-name']).toBe(first.outputs['workflow-name']);
      expect(logText(again)).toContain('Attached');
      const key =
        (await getWf(first.outputs['workflow-name'] ?? '')).metadata.labels?.['argo-entra.io/submission'] ?? '';
      expect(await listWf(`argo-entra.io/submission=${key}`)).toHaveLength(1);

      const attempt2 = await runMain({ ...step, env: { ...env, GITHUB_RUN_ATTEMPT: '2' } });
      expectExit(attempt2, 0);
      expect(attempt2.outputs['workflow-name']).not.toBe(first.outputs['workflow-name']);
      expect(await listWf(`argo-entra.io/run-id=${env['GITHUB_RUN_ID']}`)).toHaveLength(2);
      for (const r of [first, attempt2])
        await admin([
          'patch',
          'wf',
          '-n',
          NS,
          r.outputs['workflow-name'] ?? '',
          '--type=merge',
          '-p',
          '{"spec":{"shutdown":"Terminate"}}',
        ]);
    },
    LONG,
  );

  it(
    'timeout on a pod step that stays Pending: exit 5, on-timeout terminate applied',
    async () => {
      const pod = {
        entrypoint: 'main',
        templates: [{ name: 'main', container: { image: 'busybox', command: ['true'] } }],
      };
      const r = await runMain({
        inputs: inputs({ workflow: manifest(pod, 'pending-'), timeout: '3s', 'on-timeout': 'terminate' }),
        env: stepEnv(),
      });
      expectExit(r, 5);
      expect(r.outputs['error-code']).toBe('ERR_ARGO_TIMEOUT');
      const name = r.outputs['workflow-name'] ?? '';
      const wf = await getWf(name);
      expect(wf.spec.shutdown).toBe('Terminate');
      // later steps (if: failure()) still learn which workflow and the last phase seen; a timeout is never "Failed"
      expect(r.outputs['workflow-uid']).toBe(wf.metadata.uid);
      // read right after on-timeout was applied: the controller may already have ended it
      expect(['Pending', 'Running', 'Failed']).toContain(r.outputs['phase']);
      // the job summary is written on a timeout too: the workflow and the timeout error
      expect(r.summary).toContain(name);
      expect(r.summary).toContain('ERR_ARGO_TIMEOUT');
      const done = await until(name, completed, 'completed after terminate');
      expect(done.status?.phase).toBe('Failed');
      expect(done.status?.message).toContain("Stopped with strategy 'Terminate'");
    },
    LONG,
  );

  it.each([
    ['SIGTERM', undefined],
    // what the runner does on cancel: SIGINT, then SIGTERM 7.5 s later if the step is still running
    ['SIGINT (then SIGTERM after 7.5 s)', { signal: 'SIGTERM', afterMs: 7_500 }],
  ] as const)(
    '%s mid-wait: on-cancel stop applied, exit 6 ERR_CANCELLED; post removes the kubeconfig dir',
    async (label, then) => {
      const cancel = onceSuspended(label === 'SIGTERM' ? 'SIGTERM' : 'SIGINT', then);
      const r = await runMain(
        { inputs: inputs({ workflow: manifest(forever, 'cancel-') }), env: stepEnv() },
        { signal: cancel.plan },
      );
      const name = cancel.name();
      expect(r.signalledAtMs).toBeDefined();
      expectExit(r, 6);
      expect(r.outputs['error-code']).toBe('ERR_CANCELLED');
      expect(r.outputs['phase']).toBe('Running');
      expect((await getWf(name)).spec.shutdown).toBe('Stop');
      const done = await until(name, completed, 'completed after stop');
      expect(done.status?.message).toContain("Stopped with strategy 'Stop'");

      const dir = r.state['argo-entra-dir'] ?? '';
      expect(existsSync(dir)).toBe(true);
      const post = await runPost(r);
      expectExit(post, 0);
      expect(existsSync(dir)).toBe(false);
      // main had already applied on-cancel: post has nothing left to do to the workflow
      expect(logText(post)).not.toContain('applied on-cancel');
    },
    LONG,
  );

  it(
    'main SIGKILLed mid-wait: post applies on-cancel with the cached token and removes the dir',
    async () => {
      const kill = onceSuspended('SIGKILL');
      const r = await runMain(
        { inputs: inputs({ workflow: manifest(forever, 'killed-'), 'on-cancel': 'terminate' }), env: stepEnv() },
        { signal: kill.plan },
      );
      const name = kill.name();
      expect(r.signal).toBe('SIGKILL');
      expect(r.state['argo-entra-done']).toBeUndefined();
      const dir = r.state['argo-entra-dir'] ?? '';
      const exchanges = world.entra.tokenRequests.length;

      // no OIDC request variables: the post step must use the cached token, not a new exchange
      const post = await runPost(r, { oidc: false });
      expectExit(post, 0);
      expect(logText(post)).toContain('applied on-cancel (terminate)');
      expect(world.entra.tokenRequests.length).toBe(exchanges);
      expect(existsSync(dir)).toBe(false);
      expect((await getWf(name)).spec.shutdown).toBe('Terminate');
      expect((await until(name, completed, 'completed after terminate')).status?.phase).toBe('Failed');
    },
    LONG,
  );

  it(
    'on-cancel that fails in main (no patch) is left for the post step to retry, not marked done',
    async () => {
      const cancel = onceSuspended('SIGTERM');
      const r = await runMain(
        {
          // preflight off: this is about what happens when on-cancel cannot take effect, not about preflight's list
          inputs: inputs({
            'client-id': noPatch.clientId,
            preflight: 'false',
            workflow: manifest(forever, 'nopatch-'),
          }),
          env: stepEnv(),
        },
        { signal: cancel.plan },
      );
      expectExit(r, 6);
      expect(logText(r)).toContain(`on-cancel: could not stop workflow ${NS}/${cancel.name()}`);
      expect(r.state['argo-entra-done']).toBeUndefined();
      const post = await runPost(r);
      expectExit(post, 0);
      expect(logText(post)).toContain(`Could not apply on-cancel (stop) to ${NS}/${cancel.name()}`);
      expect(existsSync(r.state['argo-entra-dir'] ?? '')).toBe(false);
      await admin(['patch', 'wf', '-n', NS, cancel.name(), '--type=merge', '-p', '{"spec":{"shutdown":"Terminate"}}']);
    },
    LONG,
  );

  it(
    'resume of an indefinite suspend: exit 0, Succeeded',
    async () => {
      const submitted = await runMain({
        inputs: inputs({ workflow: manifest(forever, 'resume-'), wait: 'false' }),
        env: stepEnv(),
      });
      expectExit(submitted, 0);
      const name = submitted.outputs['workflow-name'] ?? '';
      await until(name, suspendRunning, 'reached its suspend step');
      const r = await runMain({ inputs: inputs({ operation: 'resume', 'workflow-name': name }), env: stepEnv() });
      expectExit(r, 0);
      expect(r.outputs).toMatchObject({ 'workflow-name': name, phase: 'Succeeded' });
    },
    LONG,
  );

  it.each([
    ['stop', 'Stop'],
    ['terminate', 'Terminate'],
  ])(
    '%s mid-run through the bundle: exit 0, the workflow ends Failed with the strategy',
    async (operation, strategy) => {
      const submitted = await runMain({
        inputs: inputs({ workflow: manifest(forever, `${operation}-`), wait: 'false' }),
        env: stepEnv(),
      });
      expectExit(submitted, 0);
      const name = submitted.outputs['workflow-name'] ?? '';
      await until(name, suspendRunning, 'reached its suspend step');
      const r = await runMain({ inputs: inputs({ operation, 'workflow-name': name }), env: stepEnv() });
      expectExit(r, 0);
      expect(r.outputs['phase']).toBe('Failed');
      expect(r.outputs['message']).toContain(`Stopped with strategy '${strategy}'`);
    },
    LONG,
  );

  it(
    'preflight denial (identity may only get): exit 4, ERR_KUBE_FORBIDDEN, a least-privilege Role naming the verbs and the oid',
    async () => {
      const env = stepEnv();
      const r = await runMain({
        inputs: inputs({ 'client-id': reader.clientId, workflow: manifest(forever, 'denied-') }),
        env,
      });
      expectExit(r, 4);
      expect(r.outputs['error-code']).toBe('ERR_KUBE_FORBIDDEN');
      const log = logText(r);
      expect(log).toContain(reader.servicePrincipalId);
      expect(log).toMatch(/kind: Role\b/);
      expect(log).toMatch(/kind: RoleBinding\b/);
      const yaml = log.slice(log.indexOf('kind: Role'));
      for (const verb of ['create', 'list', 'watch']) expect(yaml).toContain(verb);
      expect(log).toMatch(new RegExp(`name: "?${reader.servicePrincipalId}"?`));
      expect(await listWf(`argo-entra.io/run-id=${env['GITHUB_RUN_ID']}`)).toHaveLength(0);
    },
    LONG,
  );

  it('no token minted by the emulators appears in any output or file of any run', () => {
    expect(runs.length).toBeGreaterThan(10);
    const secrets = emulatorSecrets(world.entra, world.github);
    expect(secrets.length).toBeGreaterThan(5);
    expectNoSecrets(runs, secrets);
  });
});
