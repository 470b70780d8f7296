/**
 * A real, local control plane for tier-3 tests: etcd + kube-apiserver (RBAC, optional structured JWT authentication)
 * + Argo's CRDs + the real Argo workflow-controller. No kubelet, scheduler or kube-controller-manager: pods stay
 * Pending, namespaces are never finalized on delete, and no "default" ServiceAccount is created (ServiceAccount
 * admission is off so pods can still be created).
 *
 * Binaries come from `npm run harness:build` (see binaries.ts).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { harnessCacheRoot, type HarnessBinaries, loadBinaries } from './binaries.js';
import { request, type HttpResult, type TlsMaterial } from './http.js';
import { makePki } from './pki.js';
import { freePort, ManagedProcess, startWatchdog, tailFile, waitFor } from './processes.js';

export interface JwtIssuerConfig {
  /** Must equal the token's `iss` byte for byte (v1 Entra: https://sts.windows.net/{tid}/). */
  issuerUrl: string;
  /** Where the apiserver fetches the OIDC discovery document; its `issuer` must equal issuerUrl. */
  discoveryUrl?: string;
  /** PEM of the CA that signed the issuer's (or discovery URL's) TLS certificate. */
  caPem: string;
  audiences: string[];
  /** Default 'oid' (as AKS). */
  usernameClaim?: string;
  /** Default 'groups'. */
  groupsClaim?: string;
}

export interface ClusterOptions {
  jwt?: JwtIssuerConfig[];
  /** Default: a fresh folder under the OS temp dir. Removed by stop() unless ARGO_ENTRA_KEEP_CLUSTER=1. */
  workDir?: string;
  /** Start the Argo workflow-controller (default true). */
  startController?: boolean;
  /** Run the controller with --namespaced (it then watches only controllerManagedNamespace, default 'argo'). */
  controllerNamespaced?: boolean;
  /** With controllerNamespaced: the namespace it manages (created if missing). Default: its own namespace 'argo'. */
  controllerManagedNamespace?: string;
  /**
   * Before start (and restartController) resolves, prove the controller reconciles: a Workflow with a
   * `suspend: {duration: "0"}` step must reach Succeeded. Default true.
   */
  controllerProbe?: boolean;
  /** A fresh token that must be accepted (SelfSubjectReview 201) before start resolves (and after restartApiserver). */
  readinessToken?: () => Promise<string>;
  /**
   * Which Argo CRDs to install: 'full' (default; what a real install applies, with the OpenAPI schema, so unknown
   * fields are pruned as in production) or 'minimal' (no schema; faster to apply).
   */
  argoCrds?: 'full' | 'minimal';
  /**
   * kube-apiserver's watch cache (default false). With it on, the apiserver serves watches from memory and a watch
   * from an old resourceVersion keeps working after compactEtcd(); with it off every watch reads etcd, so
   * compaction gives 410 Expired at once (the apiserver also compacts etcd itself every 5 minutes).
   */
  watchCache?: boolean;
  /**
   * Start etcd from a saved data dir that already holds the Argo CRDs (default true; env
   * ARGO_ENTRA_CLUSTER_NO_SNAPSHOT=1 turns it off). The first cluster creates it under the harness cache; creating
   * the large CRDs takes ~10 s on 2 cores, loading them ~2 s.
   */
  etcdSnapshot?: boolean;
  /** Extra kube-apiserver flags (e.g. ['--v=4']). */
  extraApiserverArgs?: string[];
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Cluster {
  /** https://127.0.0.1:PORT */
  server: string;
  caPem: string;
  /** base64 of caPem (kubeconfig certificate-authority-data). */
  caData: string;
  adminKubeconfigPath: string;
  adminKubeconfig: string;
  /** CA + admin client certificate and key (PEM), for direct HTTPS calls. */
  adminTls: Required<TlsMaterial>;
  workDir: string;
  logsDir: string;
  /** http://127.0.0.1:PORT of etcd. */
  etcdUrl: string;
  binaries: HarnessBinaries;
  /** Namespace of the workflow-controller and its ConfigMap. */
  argoNamespace: string;
  /** Milliseconds from startCluster() until it resolved. */
  startMs: number;
  /** Milliseconds the last controller start took (until the probe workflow succeeded, if probing). */
  controllerStartMs: number | undefined;
  /** Milliseconds per start-up phase (pki, etcd, apiserver, jwtAfterReadyz, crds, controller), for benchmarks. */
  phases: Record<string, number>;
  kubectl(args: string[], opts?: { kubeconfig?: string; input?: string; timeoutMs?: number }): Promise<KubectlResult>;
  /** An HTTPS call to the apiserver as admin (client certificate), or with `bearer` instead. */
  request(
    apiPath: string,
    opts?: { method?: string; body?: unknown; bearer?: string; headers?: Record<string, string>; readForMs?: number },
  ): Promise<HttpResult>;
  /**
   * Stops kube-apiserver (SIGTERM, then SIGKILL after graceMs, default 1000: with open watches it would otherwise
   * linger) and starts it again on the same port and data; resolves when ready (and readinessToken is accepted).
   */
  restartApiserver(opts?: { graceMs?: number }): Promise<void>;
  /** Compacts etcd to its current revision: a watch or list from an older resourceVersion then gets 410 Expired. */
  compactEtcd(): Promise<number>;
  stopController(): Promise<void>;
  startController(): Promise<void>;
  stop(): Promise<void>;
  /** Tail of each log file, for failing tests. */
  dumpLogs(): string;
}

const ARGO_NAMESPACE = 'argo';
const CONTROLLER_CONFIGMAP = 'workflow-controller-configmap';

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const t0 = performance.now();
  const bins = loadBinaries();
  const workDir = opts.workDir ?? mkdtempSync(path.join(tmpdir(), 'argo-entra-cluster-'));
  const logsDir = path.join(workDir, 'logs');
  const pkiDir = path.join(workDir, 'pki');
  for (const d of [workDir, logsDir, pkiDir]) mkdirSync(d, { recursive: true });

  const procs: ManagedProcess[] = [];
  const pidFile = path.join(workDir, 'pids');
  const writePids = (): void => {
    const pids = procs.map((p) => p.pid).filter((p): p is number => p !== undefined);
    writeFileSync(pidFile, pids.join('\n') + (pids.length ? '\n' : ''));
  };
  writePids();
  // After a crash keep logs and certificates for a post-mortem, but not etcd's data (tens of MB per cluster).
  const keep = process.env['ARGO_ENTRA_KEEP_CLUSTER'] === '1';
  const stopWatchdog = startWatchdog(pidFile, logsDir, keep ? undefined : path.join(workDir, 'etcd-data'));
  const managed = (name: string, command: string, args: string[], env?: NodeJS.ProcessEnv): ManagedProcess => {
    const p = new ManagedProcess({ name, command, args, ...(env ? { env } : {}) }, logsDir, writePids);
    procs.push(p);
    return p;
  };

  const dumpLogs = (): string => {
    if (!existsSync(logsDir)) return '(no logs)';
    return readdirSync(logsDir)
      .filter((f) => f.endsWith('.log'))
      .map((f) => `----- ${f} (tail) -----\n${tailFile(path.join(logsDir, f), 6000)}`)
      .join('\n');
  };

  let stopped = false;
  const stopAll = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // Controller first (it talks to the apiserver), then the apiserver, then etcd.
    for (const p of [...procs].reverse()) await p.stop(5000);
    stopWatchdog();
    if (!keep) rmSync(workDir, { recursive: true, force: true });
  };

  const phases: Record<string, number> = {};
  let mark = performance.now();
  const phase = (name: string): void => {
    const now = performance.now();
    phases[name] = Math.round(now - mark);
    mark = now;
  };

  try {
    const [pki, etcdClientPort, etcdPeerPort, apiPort] = await Promise.all([
      makePki(pkiDir),
      freePort(),
      freePort(),
      freePort(),
    ]);
    phase('pki');
    const server = `https://127.0.0.1:${apiPort}`;
    const etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    const adminTls = { ca: pki.caPem, cert: pki.adminCertPem, key: pki.adminKeyPem };
    const caData = Buffer.from(pki.caPem).toString('base64');

    // ---- etcd
    const etcdData = path.join(workDir, 'etcd-data');
    const etcd = managed('etcd', bins.etcd, [
      '--name=harness',
      `--data-dir=${etcdData}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=harness=http://127.0.0.1:${etcdPeerPort}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    // A saved etcd data dir with the Argo CRDs already stored skips ~10 s of CRD creation (see snapshotDir).
    const crdVariant = opts.argoCrds ?? 'full';
    const crdsDir =
      crdVariant === 'minimal'
        ? (bins.argoCrdsMinimalDir ?? fail('minimal Argo CRDs were not found by harness:build'))
        : bins.argoCrdsDir;
    const snapshot =
      opts.etcdSnapshot !== false && process.env['ARGO_ENTRA_CLUSTER_NO_SNAPSHOT'] !== '1'
        ? snapshotDir(bins, crdVariant)
        : undefined;
    const fromSnapshot = snapshot !== undefined && existsSync(path.join(snapshot, 'member'));
    if (fromSnapshot) cpSync(snapshot, etcdData, { recursive: true });
    const startEtcd = async (): Promise<void> => {
      etcd.start();
      await waitFor(
        'etcd /health',
        30_000,
        async () => {
          const r = await request(`${etcdUrl}/health`, { timeoutMs: 2000 });
          return r.status === 200 && r.body.includes('"true"') ? true : undefined;
        },
        { abortIf: () => exitedMsg(etcd) },
      );
    };
    await startEtcd();
    phase('etcd');

    // ---- kube-apiserver
    const apiArgs = [
      '--advertise-address=127.0.0.1',
      '--bind-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--etcd-servers=${etcdUrl}`,
      `--cert-dir=${path.join(workDir, 'apiserver-certs')}`,
      `--tls-cert-file=${pki.servingCert}`,
      `--tls-private-key-file=${pki.servingKey}`,
      `--client-ca-file=${pki.caCert}`,
      '--authorization-mode=Node,RBAC',
      `--service-account-issuer=${server}`,
      `--service-account-key-file=${pki.saPublicKey}`,
      `--service-account-signing-key-file=${pki.saPrivateKey}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--allow-privileged=true',
      // No kube-controller-manager creates "default" ServiceAccounts, so this plugin would reject every pod.
      '--disable-admission-plugins=ServiceAccount',
      '--endpoint-reconciler-type=none',
      '--profiling=false',
      `--watch-cache=${opts.watchCache === true}`,
      ...(opts.extraApiserverArgs ?? []),
    ];
    if (opts.jwt !== undefined && opts.jwt.length > 0) {
      const authConfigPath = path.join(workDir, 'authentication-config.yaml');
      writeFileSync(authConfigPath, authenticationConfigYaml(opts.jwt));
      apiArgs.push(`--authentication-config=${authConfigPath}`);
    }
    const apiserver = managed('kube-apiserver', bins.kubeApiserver, apiArgs);

    const adminKubeconfig = kubeconfigYaml({
      server,
      caData,
      user: { 'client-certificate-data': b64(pki.adminCertPem), 'client-key-data': b64(pki.adminKeyPem) },
      namespace: 'default',
    });
    const adminKubeconfigPath = path.join(workDir, 'admin.kubeconfig');
    writeFileSync(adminKubeconfigPath, adminKubeconfig, { mode: 0o600 });

    const apiRequest: Cluster['request'] = (apiPath, o = {}) =>
      request(`${server}${apiPath}`, {
        method: o.method ?? 'GET',
        ...(o.body !== undefined ? { body: typeof o.body === 'string' ? o.body : JSON.stringify(o.body) } : {}),
        ...(o.headers ? { headers: o.headers } : {}),
        ...(o.readForMs !== undefined ? { readForMs: o.readForMs } : {}),
        ...(o.bearer !== undefined ? { bearer: o.bearer, tls: { ca: pki.caPem } } : { tls: adminTls }),
      });

    const startApiserver = async (): Promise<void> => {
      apiserver.start();
      await waitFor(
        'kube-apiserver /readyz',
        90_000,
        async () => {
          const r = await apiRequest('/readyz');
          return r.status === 200 ? true : undefined;
        },
        { intervalMs: 200, abortIf: () => exitedMsg(apiserver) },
      );
      if (opts.readinessToken !== undefined) {
        const getToken = opts.readinessToken;
        const j0 = performance.now();
        let last = '';
        await waitFor(
          'the JWT authenticator to accept readinessToken (SelfSubjectReview 201)',
          30_000,
          async () => {
            const r = await apiRequest('/apis/authentication.k8s.io/v1/selfsubjectreviews', {
              method: 'POST',
              bearer: await getToken(),
              body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
            });
            last = `${r.status} ${r.body.slice(0, 300)}`;
            if (r.status === 201) return true;
            throw new Error(last);
          },
          { intervalMs: 250, abortIf: () => exitedMsg(apiserver) },
        );
        phases['jwtAfterReadyz'] = Math.round(performance.now() - j0);
      }
    };
    await startApiserver();
    phase('apiserver');

    const kubectl: Cluster['kubectl'] = (args, o = {}) =>
      runKubectl(bins.kubectl, ['--kubeconfig', o.kubeconfig ?? adminKubeconfigPath, ...args], o.input, o.timeoutMs);
    const mustKubectl = async (args: string[], input?: string): Promise<string> => {
      const r = await kubectl(args, input !== undefined ? { input } : {});
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr || r.stdout}`);
      return r.stdout;
    };

    // ---- Argo CRDs, namespace, controller ConfigMap
    if (!fromSnapshot) {
      await mustKubectl(['apply', '--server-side', '--force-conflicts', '-f', crdsDir]);
    }
    const crdNames = readdirSync(crdsDir)
      .map((f) => /^argoproj\.io_(.+)\.yaml$/.exec(f)?.[1])
      .filter((n): n is string => n !== undefined)
      .map((plural) => `${plural}.argoproj.io`);
    const waitCrdsEstablished = (): Promise<true> =>
      waitFor('Argo CRDs to be Established', 60_000, async () => {
        const r = await apiRequest('/apis/apiextensions.k8s.io/v1/customresourcedefinitions');
        if (r.status !== 200) throw new Error(`${r.status} ${r.body.slice(0, 200)}`);
        const items = (JSON.parse(r.body) as { items: CrdItem[] }).items;
        const established = new Set(
          items
            .filter((i) => i.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'))
            .map((i) => i.metadata.name),
        );
        return crdNames.every((n) => established.has(n)) ? true : undefined;
      });
    await waitCrdsEstablished();
    if (!fromSnapshot && snapshot !== undefined) {
      // Save etcd's data for the next clusters: stop cleanly, copy, publish atomically, start again.
      await apiserver.stop(1000);
      await etcd.stop(10_000);
      mkdirSync(path.dirname(snapshot), { recursive: true });
      const tmp = mkdtempSync(`${snapshot}.tmp-`);
      cpSync(etcdData, tmp, { recursive: true });
      try {
        renameSync(tmp, snapshot);
      } catch {
        rmSync(tmp, { recursive: true, force: true }); // another worker published it first
      }
      await startEtcd();
      await startApiserver();
      await waitCrdsEstablished();
    }
    const managedNs = opts.controllerNamespaced ? (opts.controllerManagedNamespace ?? ARGO_NAMESPACE) : undefined;
    const namespaces = [
      ARGO_NAMESPACE,
      ...(managedNs !== undefined && managedNs !== ARGO_NAMESPACE ? [managedNs] : []),
    ];
    const createIfMissing = async (apiPath: string, body: unknown): Promise<void> => {
      const r = await apiRequest(apiPath, { method: 'POST', body });
      if (r.status !== 201 && r.status !== 409) throw new Error(`POST ${apiPath}: ${r.status} ${r.body}`);
    };
    for (const name of namespaces) {
      await createIfMissing('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
    await createIfMissing(`/api/v1/namespaces/${ARGO_NAMESPACE}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: CONTROLLER_CONFIGMAP, namespace: ARGO_NAMESPACE },
      // Metrics/telemetry servers bind fixed ports (9090) and panic on conflict: off, so clusters can run in parallel.
      data: { config: 'metricsConfig:\n  enabled: false\ntelemetryConfig:\n  enabled: false\n' },
    });
    phase('crds');

    const controllerArgs = [
      `--kubeconfig=${adminKubeconfigPath}`,
      `--namespace=${ARGO_NAMESPACE}`,
      `--configmap=${CONTROLLER_CONFIGMAP}`,
      '--loglevel=info',
      ...(managedNs !== undefined ? ['--namespaced', `--managed-namespace=${managedNs}`] : []),
    ];
    const controller = managed('workflow-controller', bins.workflowController, controllerArgs, {
      ...process.env,
      LEADER_ELECTION_DISABLE: 'true',
    });
    let probeSeq = 0;
    const cluster: Cluster = {
      server,
      caPem: pki.caPem,
      caData,
      adminKubeconfigPath,
      adminKubeconfig,
      adminTls,
      workDir,
      logsDir,
      etcdUrl,
      binaries: bins,
      argoNamespace: ARGO_NAMESPACE,
      startMs: 0,
      controllerStartMs: undefined,
      phases,
      kubectl,
      request: apiRequest,
      async restartApiserver(o = {}) {
        await apiserver.stop(o.graceMs ?? 1000);
        await startApiserver();
      },
      async compactEtcd() {
        const st = await request(`${etcdUrl}/v3/maintenance/status`, { method: 'POST', body: '{}' });
        const rev = Number((JSON.parse(st.body) as { header?: { revision?: string } }).header?.revision);
        if (!Number.isFinite(rev) || rev <= 0) throw new Error(`etcd status gave no revision: ${st.body}`);
        const r = await request(`${etcdUrl}/v3/kv/compaction`, {
          method: 'POST',
          body: JSON.stringify({ revision: String(rev), physical: true }),
        });
        if (r.status !== 200 && !r.body.includes('compacted'))
          throw new Error(`etcd compaction failed: ${r.status} ${r.body}`);
        return rev;
      },
      async stopController() {
        await controller.stop(5000);
      },
      async startController() {
        const c0 = performance.now();
        controller.start();
        if (opts.controllerProbe !== false) {
          const ns = managedNs ?? ARGO_NAMESPACE;
          const name = `harness-probe-${process.pid}-${++probeSeq}`;
          const wfPath = `/apis/argoproj.io/v1alpha1/namespaces/${ns}/workflows`;
          const created = await apiRequest(wfPath, {
            method: 'POST',
            body: {
              apiVersion: 'argoproj.io/v1alpha1',
              kind: 'Workflow',
              metadata: { name },
              spec: { entrypoint: 'main', templates: [{ name: 'main', suspend: { duration: '0' } }] },
            },
          });
          if (created.status !== 201) throw new Error(`creating probe workflow: ${created.status} ${created.body}`);
          await waitFor(
            'workflow-controller to reconcile a probe workflow to Succeeded',
            60_000,
            async () => {
              const r = await apiRequest(`${wfPath}/${name}`);
              const phase = (JSON.parse(r.body) as { status?: { phase?: string } }).status?.phase;
              if (phase === 'Failed' || phase === 'Error') throw new Error(`probe workflow ended ${phase}: ${r.body}`);
              return phase === 'Succeeded' ? true : undefined;
            },
            { intervalMs: 100, abortIf: () => exitedMsg(controller) },
          );
          await apiRequest(`${wfPath}/${name}`, { method: 'DELETE' });
        } else {
          await waitFor(
            'workflow-controller to start',
            30_000,
            async () =>
              tailFile(controller.logPath, 100_000).includes('Starting Workflow Controller') ? true : undefined,
            { abortIf: () => exitedMsg(controller) },
          );
        }
        cluster.controllerStartMs = performance.now() - c0;
      },
      stop: stopAll,
      dumpLogs,
    };
    if (opts.startController !== false) {
      await cluster.startController();
      phase('controller');
    }
    cluster.startMs = performance.now() - t0;
    return cluster;
  } catch (err) {
    const logs = dumpLogs();
    await stopAll().catch(() => undefined);
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`startCluster failed: ${msg}\n${logs}`, { cause: err });
  }
}

const SNAPSHOT_FORMAT = '1';

/** <cache root>/etcd-snapshots/<hash of binaries + CRD variant>: an etcd data dir with the Argo CRDs stored. */
function snapshotDir(bins: HarnessBinaries, crdVariant: string): string {
  const key = createHash('sha256')
    .update(JSON.stringify([SNAPSHOT_FORMAT, bins.etcd, bins.kubeApiserver, bins.argoCrdsDir, crdVariant]))
    .digest('hex')
    .slice(0, 16);
  return path.join(harnessCacheRoot(), 'etcd-snapshots', `${crdVariant}-${key}`);
}

interface CrdItem {
  metadata: { name: string };
  status?: { conditions?: { type: string; status: string }[] };
}

function fail(msg: string): never {
  throw new Error(msg);
}

function exitedMsg(p: ManagedProcess): string | undefined {
  const s = p.exitStatus;
  return s === undefined ? undefined : `${p.spec.name} exited (code ${s}); see ${p.logPath}`;
}

function b64(s: string): string {
  return Buffer.from(s).toString('base64');
}

export function authenticationConfigYaml(jwt: JwtIssuerConfig[]): string {
  return stringify({
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'AuthenticationConfiguration',
    jwt: jwt.map((j) => ({
      issuer: {
        url: j.issuerUrl,
        ...(j.discoveryUrl !== undefined ? { discoveryURL: j.discoveryUrl } : {}),
        certificateAuthority: j.caPem,
        audiences: j.audiences,
        audienceMatchPolicy: 'MatchAny',
      },
      claimMappings: {
        username: { claim: j.usernameClaim ?? 'oid', prefix: '' },
        groups: { claim: j.groupsClaim ?? 'groups', prefix: '' },
      },
    })),
  });
}

/** A one-context kubeconfig (YAML). `user` is the kubeconfig `users[].user` object (token, exec, client cert...). */
export function kubeconfigYaml(o: {
  server: string;
  caData: string;
  user: Record<string, unknown>;
  namespace?: string;
  name?: string;
}): string {
  const name = o.name ?? 'harness';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: o.server, 'certificate-authority-data': o.caData } }],
    users: [{ name, user: o.user }],
    contexts: [{ name, context: { cluster: name, user: name, ...(o.namespace ? { namespace: o.namespace } : {}) } }],
    'current-context': name,
  });
}

function runKubectl(command: string, args: string[], input?: string, timeoutMs = 120_000): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const errb: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => errb.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(errb).toString('utf8') + (signal ? `\n(kubectl killed by ${signal})` : ''),
      });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}
