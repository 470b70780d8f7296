/**
 * The harness control plane itself: etcd + kube-apiserver + Argo CRDs + the real workflow-controller.
 * Needs `npm run harness:build` first (binaries.ts throws with that hint otherwise).
 */
import { type Cluster, startCluster } from './cluster.js';
import { sleep } from './processes.js';

const LONG = 180_000;
let cluster: Cluster | undefined;

function c(): Cluster {
  if (cluster === undefined) throw new Error('cluster did not start (see beforeAll)');
  return cluster;
}

async function kubectlOk(args: string[], input?: string): Promise<string> {
  const r = await c().kubectl(args, input !== undefined ? { input } : {});
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} -> ${r.code}: ${r.stderr}\n${c().dumpLogs()}`);
  return r.stdout;
}

beforeAll(async () => {
  cluster = await startCluster();
  process.stdout.write(
    `harness cluster up in ${Math.round(cluster.startMs)} ms (controller ${Math.round(cluster.controllerStartMs ?? 0)} ms) at ${cluster.server}\n`,
  );
}, LONG);

afterAll(async () => {
  await cluster?.stop();
}, 60_000);

test('apiserver is ready (admin client certificate)', async () => {
  const r = await c().request('/readyz');
  expect(r.status).toBe(200);
  expect(r.body).toBe('ok');
  const anon = await c().request('/api/v1/namespaces', { bearer: 'not-a-token' });
  expect(anon.status).toBe(401);
});

test('Argo CRDs are established', async () => {
  const list = JSON.parse(await kubectlOk(['get', 'crd', '-o', 'json'])) as {
    items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
  };
  const established = list.items
    .filter((i) => i.status?.conditions?.some((cd) => cd.type === 'Established' && cd.status === 'True'))
    .map((i) => i.metadata.name);
  for (const name of [
    'workflows',
    'workflowtemplates',
    'clusterworkflowtemplates',
    'cronworkflows',
    'workflowtaskresults',
  ]) {
    expect(established).toContain(`${name}.argoproj.io`);
  }
});

test(
  'the real workflow-controller runs a DAG of two suspend steps to Succeeded',
  async () => {
    const wf = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { generateName: 'harness-dag-', namespace: 'argo' },
      spec: {
        entrypoint: 'main',
        templates: [
          {
            name: 'main',
            dag: {
              tasks: [
                { name: 'a', template: 'pause' },
                { name: 'b', template: 'pause', dependencies: ['a'] },
              ],
            },
          },
          { name: 'pause', suspend: { duration: '1' } },
        ],
      },
    };
    const name = (await kubectlOk(['create', '-f', '-', '-o', 'name'], JSON.stringify(wf))).trim().split('/')[1];
    expect(name).toMatch(/^harness-dag-/);
    const deadline = Date.now() + 60_000;
    let status: { phase?: string; progress?: string; nodes?: Record<string, { phase: string; type: string }> } = {};
    while (Date.now() < deadline) {
      status =
        (
          JSON.parse(await kubectlOk(['-n', 'argo', 'get', 'workflow', name!, '-o', 'json'])) as {
            status?: typeof status;
          }
        ).status ?? {};
      if (['Succeeded', 'Failed', 'Error'].includes(status.phase ?? '')) break;
      await sleep(500);
    }
    if (status.phase !== 'Succeeded') {
      throw new Error(`workflow ${name} phase=${status.phase}: ${JSON.stringify(status)}\n${c().dumpLogs()}`);
    }
    expect(status.progress).toBe('2/2');
    const suspends = Object.values(status.nodes ?? {}).filter((n) => n.type === 'Suspend');
    expect(suspends.map((n) => n.phase)).toEqual(['Succeeded', 'Succeeded']);
  },
  LONG,
);

test(
  'restartApiserver() keeps the data',
  async () => {
    await kubectlOk(['-n', 'default', 'create', 'configmap', 'survives-restart', '--from-literal=k=v']);
    const t = Date.now();
    await c().restartApiserver();
    process.stdout.write(`apiserver restart took ${Date.now() - t} ms\n`);
    const cm = JSON.parse(await kubectlOk(['-n', 'default', 'get', 'configmap', 'survives-restart', '-o', 'json'])) as {
      data: Record<string, string>;
    };
    expect(cm.data).toEqual({ k: 'v' });
    // Argo CRDs and workflows are still served.
    expect(await kubectlOk(['-n', 'argo', 'get', 'workflows', '-o', 'name'])).toMatch(/harness-dag-/);
  },
  LONG,
);

test(
  'compactEtcd() makes a watch from an old resourceVersion fail with 410 Expired',
  async () => {
    const created = JSON.parse(
      await kubectlOk(['-n', 'default', 'create', 'configmap', 'compact-me', '--from-literal=n=0', '-o', 'json']),
    ) as { metadata: { resourceVersion: string } };
    const oldRv = created.metadata.resourceVersion;
    for (let i = 1; i <= 3; i++) {
      await kubectlOk([
        '-n',
        'default',
        'patch',
        'configmap',
        'compact-me',
        '-p',
        JSON.stringify({ data: { n: String(i) } }),
      ]);
    }
    const compactedAt = await c().compactEtcd();
    expect(compactedAt).toBeGreaterThan(Number(oldRv));

    const r = await c().request(
      `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${oldRv}&fieldSelector=metadata.name%3Dcompact-me`,
      { readForMs: 3000 },
    );
    // Either an HTTP 410, or (the usual case) 200 with one ERROR event carrying a 410 Status.
    const expired =
      r.status === 410 || /"type":"ERROR".*"code":410/s.test(r.body) || /"reason":"Expired".*"code":410/s.test(r.body);
    if (!expired) throw new Error(`expected 410 Expired, got ${r.status}: ${r.body.slice(0, 2000)}`);
    expect(r.body).toMatch(/too old resource version|Expired/);
  },
  LONG,
);
