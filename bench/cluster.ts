/**
 * 4-6. Against the local emulators and a real control plane (etcd + kube-apiserver with structured JWT auth trusting
 * the Entra emulator + Argo CRDs + the workflow-controller, harness/cluster).
 *
 * 6. Control-plane start: `startCluster()` N times (cluster.startMs and its phases); the last one is kept for 4 and 5.
 *    The controller runs --namespaced for the "argo" namespace only, so the bench namespace is one it ignores.
 * 4. Submit path, in-process through the product modules, fresh everything per run: CI token source + Entra provider
 *    (GitHub emulator token request, Entra discovery + client-assertion exchange), private dir, token cache and
 *    exec-mode kubeconfig written, a new KubeClient (new TLS connection), buildWorkflow + submitWorkflow (the
 *    idempotency LIST, then the POST). One untimed warm-up first (it pays the lazy @azure/identity import once).
 * 5. Completion: a workflow the controller ignores; waitForWorkflow starts (GET + watch); once the watch's response
 *    headers are in, the bench writes the terminal state itself as admin, a JSON merge patch exactly as the
 *    controller does it (no status subresource in Argo's CRD): status.phase=Succeeded, finishedAt, progress and the
 *    workflows.argoproj.io/completed=true + phase labels. Latency = PATCH response -> waitForWorkflow resolved
 *    (also reported from PATCH sent). Requests the product makes are counted through node:diagnostics_channel
 *    (http.client.request.start, User-Agent argo-entra): per wait, watch requests and plain GETs.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Cluster, startCluster } from '../__tests__/harness/cluster/cluster.js';
import { type IdentityWorld, startIdentityWorld } from '../__tests__/harness/emulators/world.js';
import { buildWorkflow, type BuildSettings } from '../src/argo/build.js';
import { auditStamp } from '../src/argo/stamp.js';
import { submitWorkflow } from '../src/argo/submit.js';
import { waitForWorkflow } from '../src/argo/wait.js';
import { createKubeClient } from '../src/cluster/kube-client.js';
import { makePrivateDir, writeKubeconfig } from '../src/cluster/kubeconfig.js';
import { createCiTokenSource } from '../src/identity/ci/index.js';
import { createEntraTokenProvider } from '../src/identity/entra.js';
import { writeTokenCache } from '../src/identity/token-cache.js';
import { credentialExecUser } from '../src/settings/credential.js';
import type { ClusterSettings, RunContext } from '../src/settings/types.js';
import { entraTrust } from '../__tests__/harness/cluster/entra-trust.js';

const NS = 'bench';
const isWatch = (p: string): boolean => /[?&]watch=(1|true)(&|$)/.test(p);

export interface ClusterStart {
  readonly startMs: number;
  readonly phases: Record<string, number>;
}

export interface SubmitRun {
  readonly totalMs: number;
  readonly tokenMs: number;
  readonly filesMs: number;
  readonly createMs: number;
  /** requests the emulators saw during this run (proves the exchange happened every time) */
  readonly githubRequests: number;
  readonly entraRequests: number;
  readonly kubeRequests: number;
}

export interface CompletionRun {
  readonly fromPatchResponseMs: number;
  readonly fromPatchSentMs: number;
  readonly patchRoundTripMs: number;
  readonly watches: number;
  readonly gets: number;
  readonly otherRequests: number;
  readonly phase: string;
}

export interface ClusterBenchResult {
  readonly starts: ClusterStart[];
  readonly submitWarmupMs: number;
  readonly submits: SubmitRun[];
  readonly completions: CompletionRun[];
}

interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly at: number;
}

/** Requests the product's KubeClient sends (User-Agent argo-entra), seen through node:diagnostics_channel. */
class KubeRequestLog {
  readonly requests: SeenRequest[] = [];
  private readonly responseWaiters: Array<{ test: (p: string) => boolean; resolve: () => void }> = [];
  private readonly onStart = (msg: unknown): void => {
    const req = (msg as { request: ClientRequest }).request;
    if (req.getHeader('user-agent') !== 'argo-entra') return;
    this.requests.push({ method: req.method, path: req.path, at: performance.now() });
  };
  private readonly onResponse = (msg: unknown): void => {
    const { request: req } = msg as { request: ClientRequest; response: IncomingMessage };
    if (req.getHeader('user-agent') !== 'argo-entra') return;
    for (const w of [...this.responseWaiters]) {
      if (w.test(req.path)) {
        this.responseWaiters.splice(this.responseWaiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };

  constructor() {
    subscribe('http.client.request.start', this.onStart);
    subscribe('http.client.response.finish', this.onResponse);
  }

  /** Resolves when response headers arrive for a request whose path passes `test`. */
  responseFor(test: (p: string) => boolean): Promise<void> {
    return new Promise((resolve) => this.responseWaiters.push({ test, resolve }));
  }

  close(): void {
    unsubscribe('http.client.request.start', this.onStart);
    unsubscribe('http.client.response.finish', this.onResponse);
  }
}

const runContext = (step: string): RunContext => ({
  ci: 'github',
  repository: 'octo-org/octo-repo',
  runId: '42',
  runAttempt: '1',
  sha: 'abc',
  ref: 'refs/heads/main',
  actor: 'mona',
  workflowRef: 'octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main',
  runUrl: 'https://github.com/octo-org/octo-repo/actions/runs/42',
  stepId: step,
  jobId: 'bench',
});

const manifest: BuildSettings = {
  source: {
    kind: 'manifest',
    text: JSON.stringify({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { generateName: 'bench-' },
      spec: { entrypoint: 'main', templates: [{ name: 'main', suspend: {} }] },
    }),
    origin: 'bench',
  },
  entrypoint: undefined,
  parameters: [],
  labels: {},
  annotations: {},
  name: undefined,
  generateName: undefined,
  serviceAccount: undefined,
};

async function mustKubectl(cluster: Cluster, args: string[], input?: string): Promise<string> {
  const r = await cluster.kubectl(args, input !== undefined ? { input } : {});
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} -> ${r.code}: ${r.stderr}`);
  return r.stdout;
}

export async function benchCluster(opts: {
  starts: number;
  submitN: number;
  completionN: number;
  log: (line: string) => void;
}): Promise<ClusterBenchResult> {
  const world: IdentityWorld = await startIdentityWorld();
  const { entra, github, tenantId, app } = world;
  const clusterOptions = {
    ...entraTrust({ entra: entra, tenantId: tenantId, caPem: world.pki.caPem, readinessClientId: app.clientId }),
    controllerNamespaced: true,
  };
  const starts: ClusterStart[] = [];
  let cluster: Cluster | undefined;
  const log = new KubeRequestLog();
  const tmp = mkdtempSync(path.join(tmpdir(), 'argo-entra-bench-submit-'));
  try {
    for (let i = 0; i < opts.starts; i++) {
      const c = await startCluster(clusterOptions);
      starts.push({ startMs: Math.round(c.startMs), phases: { ...c.phases } });
      opts.log(`  cluster start ${i + 1}/${opts.starts}: ${Math.round(c.startMs)} ms ${JSON.stringify(c.phases)}`);
      if (i < opts.starts - 1) await c.stop();
      else cluster = c;
    }
    if (cluster === undefined) throw new Error('no cluster');
    const c = cluster;

    await mustKubectl(c, ['create', 'namespace', NS]);
    await mustKubectl(
      c,
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'argo-entra-submitter', namespace: NS },
        rules: [
          { apiGroups: ['argoproj.io'], resources: ['workflows'], verbs: ['create', 'get', 'list', 'watch', 'patch'] },
          { apiGroups: ['argoproj.io'], resources: ['workflowtemplates'], verbs: ['get'] },
        ],
      }),
    );
    await mustKubectl(c, [
      'create',
      'rolebinding',
      'submitter',
      '-n',
      NS,
      '--role=argo-entra-submitter',
      `--user=${app.servicePrincipalId}`,
    ]);

    const clusterSettings: ClusterSettings = {
      server: c.server,
      aks: undefined,
      caData: c.caData,
      insecureSkipTlsVerify: false,
      namespace: NS,
      kubeconfigMode: 'exec',
      exportKubeconfig: false,
      tempDir: tmp,
    };

    // ---- 4. submit path
    let seq = 0;
    const submitOnce = async (): Promise<SubmitRun> => {
      const gh0 = github.requests.length;
      const en0 = entra.requests.length;
      const kr0 = log.requests.length;
      const t0 = performance.now();
      const tokens = createEntraTokenProvider(world.identity, createCiTokenSource(world.identity.ciSource));
      const token = await tokens.getToken();
      const t1 = performance.now();
      const dir = await makePrivateDir(tmp);
      const cachePath = path.join(dir, 'token-cache.json');
      await writeTokenCache(cachePath, token);
      await writeKubeconfig({
        dir,
        cluster: clusterSettings,
        user: credentialExecUser(world.identity, {
          command: process.execPath,
          script: '/bench/dist/credential/index.js',
          cachePath,
        }),
      });
      const t2 = performance.now();
      const client = createKubeClient({
        server: c.server,
        caData: c.caData,
        insecureSkipTlsVerify: false,
        tokenProvider: tokens,
      });
      const ci = tokens.lastAssertionClaims();
      const wf = buildWorkflow(manifest, NS, {
        stamp: auditStamp(
          runContext(`bench-${process.pid}-${++seq}`),
          { ciSubject: ci?.sub ?? '', oid: app.servicePrincipalId },
          NS,
        ),
      });
      const res = await submitWorkflow(client, NS, wf, { dryRun: 'none' });
      const t3 = performance.now();
      client.close();
      if (res.kind !== 'created') throw new Error(`submit gave ${res.kind}`);
      return {
        totalMs: t3 - t0,
        tokenMs: t1 - t0,
        filesMs: t2 - t1,
        createMs: t3 - t2,
        githubRequests: github.requests.length - gh0,
        entraRequests: entra.requests.length - en0,
        kubeRequests: log.requests.length - kr0,
      };
    };
    const warm = await submitOnce();
    opts.log(`  submit warm-up (lazy imports): ${Math.round(warm.totalMs)} ms`);
    const submits: SubmitRun[] = [];
    for (let i = 0; i < opts.submitN; i++) submits.push(await submitOnce());

    // ---- 5. completion observed
    const tokens = createEntraTokenProvider(world.identity, createCiTokenSource(world.identity.ciSource));
    await tokens.getToken();
    const client = createKubeClient({
      server: c.server,
      caData: c.caData,
      insecureSkipTlsVerify: false,
      tokenProvider: tokens,
    });
    const completions: CompletionRun[] = [];
    try {
      for (let i = 0; i < opts.completionN; i++) {
        const created = await c.request(`/apis/argoproj.io/v1alpha1/namespaces/${NS}/workflows`, {
          method: 'POST',
          body: {
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'Workflow',
            metadata: { generateName: 'done-' },
            spec: { entrypoint: 'main', templates: [{ name: 'main', suspend: {} }] },
          },
        });
        if (created.status !== 201) throw new Error(`create: ${created.status} ${created.body.slice(0, 300)}`);
        const name = (JSON.parse(created.body) as { metadata: { name: string } }).metadata.name;
        const startedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');

        const r0 = log.requests.length;
        const watchOpen = log.responseFor((p) => isWatch(p) && p.includes(encodeURIComponent(`metadata.name=${name}`)));
        let resolvedAt = Number.NaN;
        const waiting = waitForWorkflow(client, NS, name, { timeoutMs: 30_000, noStatusWarningMs: 0 }).then((wf) => {
          resolvedAt = performance.now();
          return wf;
        });
        await Promise.race([
          watchOpen,
          waiting.then(() => Promise.reject(new Error('wait ended before the terminal patch'))),
        ]);
        await new Promise((r) => setTimeout(r, 150)); // let the apiserver register the watch fully
        const finishedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        const sentAt = performance.now();
        const patched = await c.request(`/apis/argoproj.io/v1alpha1/namespaces/${NS}/workflows/${name}`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/merge-patch+json' },
          body: {
            metadata: {
              labels: { 'workflows.argoproj.io/completed': 'true', 'workflows.argoproj.io/phase': 'Succeeded' },
            },
            status: { phase: 'Succeeded', startedAt, finishedAt, progress: '1/1' },
          },
        });
        const respAt = performance.now();
        if (patched.status !== 200) throw new Error(`patch: ${patched.status} ${patched.body.slice(0, 300)}`);
        const done = await waiting;
        // Let any trailing request (there should be none) show up before counting.
        await new Promise((r) => setTimeout(r, 50));
        const mine = log.requests.slice(r0).filter((r) => r.path.includes(name));
        const watches = mine.filter((r) => r.method === 'GET' && isWatch(r.path)).length;
        const gets = mine.filter((r) => r.method === 'GET' && !isWatch(r.path)).length;
        completions.push({
          fromPatchResponseMs: resolvedAt - respAt,
          fromPatchSentMs: resolvedAt - sentAt,
          patchRoundTripMs: respAt - sentAt,
          watches,
          gets,
          otherRequests: mine.length - watches - gets,
          phase: done.status?.phase ?? '',
        });
      }
    } finally {
      client.close();
    }
    return { starts, submitWarmupMs: warm.totalMs, submits, completions };
  } finally {
    log.close();
    await cluster?.stop();
    await world.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}
