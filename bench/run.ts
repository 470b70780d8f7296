/**
 * `npm run bench`: performance figures for argo-entra (design.md "Test tiers" 4; issues 2 and 4). Not a test: it
 * exits 0 whatever the figures are (a 2-core shared machine is noisy), and non-zero only if a measurement crashed.
 * Medians and p90 over N runs, a baseline where one helps, budgets with a verdict. Writes bench/results/latest.json
 * (and keeps the previous run's medians in it for comparison) and prints a Markdown table.
 *
 * Flags: --skip-cluster (only the process and bundle figures), --cluster-starts=N (default 3), --scale=F (multiply
 * every N, e.g. 0.4 for a quick look). Child processes run on node_modules/.bin/node (Node 24, the action's runtime).
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getTestPki } from '../__tests__/harness/pki.js';
import { bundleSizes } from './bundles.js';
import { benchCluster, type ClusterBenchResult } from './cluster.js';
import { benchColdStart, type ColdStartResult } from './cold-start.js';
import { benchCredential, type CredentialResult } from './credential.js';
import { machineInfo } from './lib/machine.js';
import { summarize, type Summary } from './lib/stats.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name: string): string | undefined =>
  args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`))?.split('=')[1] ??
  (args.includes(`--${name}`) ? '' : undefined);
const scale = Number(flag('scale') ?? '1') || 1;
const n = (base: number): number => Math.max(3, Math.round(base * scale));
const skipCluster = flag('skip-cluster') !== undefined;
const clusterStarts = Math.max(1, Number(flag('cluster-starts') ?? '3') || 3);

const nodeLink = path.join(repoRoot, 'node_modules', '.bin', 'node');
const nodePath = existsSync(nodeLink) ? realpathSync(nodeLink) : process.execPath;
const MiB = 1024 * 1024;

type Verdict = 'pass' | 'FAIL' | 'info' | 'error';

interface Metric {
  readonly id: string;
  readonly label: string;
  readonly unit: string;
  readonly summary: Summary | undefined;
  /** shown instead of median/p90 for single values */
  readonly value?: number;
  readonly budget: string;
  readonly verdict: Verdict;
  readonly note?: string;
  readonly samples?: number[];
}

const metrics: Metric[] = [];
const errors: Record<string, string> = {};
const extra: Record<string, unknown> = {};
const progress = (line: string): void => void process.stderr.write(`${line}\n`);

function timed(
  id: string,
  label: string,
  values: number[],
  budget: number | undefined,
  opts: { unit?: string; note?: string; by?: 'median' | 'max'; keepSamples?: boolean } = {},
): void {
  const s = summarize(values);
  const by = opts.by ?? 'median';
  const judged = by === 'max' ? s.max : s.median;
  metrics.push({
    id,
    label,
    unit: opts.unit ?? 'ms',
    summary: s,
    budget: budget === undefined ? '-' : `${by} <= ${budget} ${opts.unit ?? 'ms'}`,
    verdict: budget === undefined ? 'info' : judged <= budget ? 'pass' : 'FAIL',
    ...(opts.note ? { note: opts.note } : {}),
    ...(opts.keepSamples === false ? {} : { samples: values.map((v) => Number(v.toFixed(1))) }),
  });
}

async function section(name: string, fn: () => Promise<void> | void): Promise<void> {
  progress(`[bench] ${name}...`);
  try {
    await fn();
  } catch (error) {
    errors[name] = error instanceof Error ? (error.stack ?? error.message) : String(error);
    progress(`[bench] ${name} crashed: ${errors[name]}`);
    metrics.push({
      id: name,
      label: name,
      unit: '',
      summary: undefined,
      budget: '-',
      verdict: 'error',
      note: String((error as Error).message ?? error).slice(0, 200),
    });
  }
}

const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}x` : '-');

const machine = machineInfo(nodePath);
const startedAt = new Date();
const pki = getTestPki();

await section('cold-start', async () => {
  const r: ColdStartResult = await benchColdStart({ pki, nodePath, repoRoot, n: n(15) });
  const main = summarize(r.mainMs);
  const https = summarize(r.baselineHttpsMs);
  const empty = summarize(r.baselineEmptyMs);
  timed('main.coldStartToFirstRequest', 'dist/main spawn -> first request', r.mainMs, 150, {
    note: `first request: ${r.firstPaths.join(', ')}; ${ratio(main.median, https.median)} of the https baseline, ${ratio(main.median, empty.median)} of node -e ""`,
  });
  extra['mainLoadedBeforeFirstRequest'] = r.loadedBeforeFirstRequest;
  const chunkNote = r.loadedBeforeFirstRequest
    .map((f) => `${path.basename(f.file)} ${(f.bytes / 1024).toFixed(0)} KiB @${f.ms} ms`)
    .join(', ');
  metrics.push({
    id: 'bundle.mainBeforeFirstRequest',
    label: 'dist/main chunks loaded before the first request',
    unit: 'KiB',
    summary: undefined,
    value: Number((r.loadedBeforeFirstRequest.reduce((a, f) => a + f.bytes, 0) / 1024).toFixed(0)),
    budget: '-',
    verdict: 'info',
    note: `${chunkNote}; the child starts its first request @${r.childFirstRequestMs ?? '?'} ms (one traced run, ms since process start)`,
  });
  timed(
    'baseline.httpsGetToFirstRequest',
    'baseline: node -e https.get -> first request',
    r.baselineHttpsMs,
    undefined,
  );
  timed('baseline.nodeEmpty', 'baseline: node -e "" spawn -> exit', r.baselineEmptyMs, undefined);
});

let credential: CredentialResult | undefined;
await section('credential', async () => {
  credential = await benchCredential({ nodePath, repoRoot, n: n(25) });
  const r = credential;
  const wall = summarize(r.wallMs);
  const base = summarize(r.baselineMs);
  timed('credential.cachedWall', 'credential plugin, cached: spawn -> exit', r.wallMs, 80, {
    note: `${ratio(wall.median, base.median)} of node -e "" (+${(wall.median - base.median).toFixed(1)} ms)`,
  });
  timed('credential.cachedPeakRss', 'credential plugin, cached: peak RSS', r.rssMb, 70, {
    unit: 'MB',
    by: 'max',
    note: `${r.rssMethod}; cross-check VmHWM ${r.crossCheck?.vmHwmMb ?? '?'} MB, ru_maxrss ${r.crossCheck?.maxRssMb ?? '?'} MB (with preload)`,
  });
  timed('baseline.nodeEmptyWall', 'baseline: node -e "" spawn -> exit', r.baselineMs, undefined);
  timed('baseline.nodeEmptyPeakRss', 'baseline: node -e "" peak RSS', r.baselineRssMb, undefined, { unit: 'MB' });
  extra['credentialCachedPathFiles'] = r.loadedFiles;
});

await section('bundles', () => {
  const sizes = bundleSizes(repoRoot);
  for (const b of sizes) {
    const mib = b.bytes / MiB;
    metrics.push({
      id: `bundle.${b.entry}`,
      label: `dist/${b.entry} size (${b.files} .js files)`,
      unit: 'MiB',
      summary: undefined,
      value: Number(mib.toFixed(2)),
      budget: '<= 3 MiB',
      verdict: mib <= 3 ? 'pass' : 'FAIL',
    });
  }
  extra['distBuiltAt'] = Object.fromEntries(sizes.map((b) => [b.entry, b.builtAt]));
  if (credential) {
    const bytes = credential.loadedFiles.reduce((a, f) => a + f.bytes, 0);
    metrics.push({
      id: 'bundle.credentialCachedPath',
      label: 'dist/credential cached-path chunk(s) loaded',
      unit: 'KiB',
      summary: undefined,
      value: Number((bytes / 1024).toFixed(1)),
      budget: '-',
      verdict: 'info',
      note: credential.loadedFiles.map((f) => path.basename(f.file)).join(', '),
    });
  }
});

if (!skipCluster) {
  await section('cluster', async () => {
    const r: ClusterBenchResult = await benchCluster({
      starts: clusterStarts,
      submitN: n(15),
      completionN: n(15),
      log: progress,
    });
    timed(
      'submit.total',
      'submit path: CI token + Entra exchange + kubeconfig + create',
      r.submits.map((s) => s.totalMs),
      300,
      {
        note: `in-process, fresh provider + client per run; warm-up run (lazy imports) ${Math.round(r.submitWarmupMs)} ms`,
      },
    );
    timed(
      'submit.token',
      '  of which CI token + Entra exchange',
      r.submits.map((s) => s.tokenMs),
      undefined,
    );
    timed(
      'submit.files',
      '  of which private dir + token cache + kubeconfig',
      r.submits.map((s) => s.filesMs),
      undefined,
    );
    timed(
      'submit.create',
      '  of which client + idempotency LIST + POST',
      r.submits.map((s) => s.createMs),
      undefined,
    );
    const per = r.submits[0];
    if (per)
      extra['submitRequestsPerRun'] = {
        githubEmulator: per.githubRequests,
        entraEmulator: per.entraRequests,
        kubeApi: per.kubeRequests,
      };
    timed(
      'completion.fromPatchResponse',
      'completion observed: PATCH response -> wait resolved',
      r.completions.map((c) => c.fromPatchResponseMs),
      100,
      {
        note: `phase ${[...new Set(r.completions.map((c) => c.phase))].join('/')}`,
      },
    );
    timed(
      'completion.fromPatchSent',
      '  completion: PATCH sent -> wait resolved',
      r.completions.map((c) => c.fromPatchSentMs),
      undefined,
    );
    const watches = r.completions.map((c) => c.watches);
    const gets = r.completions.map((c) => c.gets);
    const others = r.completions.map((c) => c.otherRequests);
    metrics.push({
      id: 'completion.watchesPerWait',
      label: 'watch requests per wait',
      unit: '',
      summary: summarize(watches, 0),
      budget: '= 1',
      verdict: watches.every((w) => w === 1) ? 'pass' : 'FAIL',
    });
    metrics.push({
      id: 'completion.getsPerWait',
      label: 'plain GETs per wait (polling check)',
      unit: '',
      summary: summarize(gets, 0),
      budget: '= 1 (initial GET only)',
      verdict: gets.every((g) => g === 1) && others.every((o) => o === 0) ? 'pass' : 'FAIL',
      note: `other requests per wait: ${Math.max(...others)}`,
    });
    timed(
      'cluster.startMs',
      `control-plane start (startCluster, x${r.starts.length})`,
      r.starts.map((s) => s.startMs),
      undefined,
      {
        note: 'JWT auth + namespaced controller, etcd snapshot reused',
      },
    );
    const phaseNames = [...new Set(r.starts.flatMap((s) => Object.keys(s.phases)))];
    for (const p of phaseNames) {
      timed(
        `cluster.phase.${p}`,
        `  phase ${p}`,
        r.starts.map((s) => s.phases[p] ?? 0),
        undefined,
      );
    }
  });
}

// ---- output
const resultsDir = path.join(repoRoot, 'bench', 'results');
const latestPath = path.join(resultsDir, 'latest.json');
let previous: { date?: string; medians?: Record<string, number> } | undefined;
try {
  const old = JSON.parse(readFileSync(latestPath, 'utf8')) as {
    date?: string;
    metrics?: Array<{ id: string; median?: number; value?: number }>;
  };
  previous = {
    ...(old.date ? { date: old.date } : {}),
    medians: Object.fromEntries((old.metrics ?? []).map((m) => [m.id, m.median ?? m.value ?? Number.NaN])),
  };
} catch {
  // first run
}

const fmt = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '-' : String(x));
const lines: string[] = [];
lines.push(`## argo-entra bench, ${startedAt.toISOString()}`);
lines.push('');
lines.push(
  `Node ${machine.node} (${machine.nodePath}), ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB, load avg (1 min) at start ${machine.loadavg1}, commit ${machine.commit}${machine.dirty ? ' + uncommitted src/dist changes' : ''}`,
);
lines.push('');
lines.push(`| metric | median | p90 | budget | verdict | prev median | note |`);
lines.push(`|---|---:|---:|---|---|---:|---|`);
for (const m of metrics) {
  const unit = m.unit ? ` ${m.unit}` : '';
  const med = m.summary ? `${fmt(m.summary.median)}${unit}` : m.value !== undefined ? `${m.value}${unit}` : '-';
  const p90 = m.summary ? `${fmt(m.summary.p90)}${unit}` : '-';
  const prev = previous?.medians?.[m.id];
  lines.push(
    `| ${m.label}${m.summary ? ` (n=${m.summary.n})` : ''} | ${med} | ${p90} | ${m.budget} | ${m.verdict} | ${prev === undefined ? '-' : `${fmt(prev)}${unit}`} | ${m.note ?? ''} |`,
  );
}
if (Object.keys(errors).length > 0) {
  lines.push('');
  lines.push(`Crashed sections: ${Object.keys(errors).join(', ')} (see stderr).`);
}
console.log(lines.join('\n'));

mkdirSync(resultsDir, { recursive: true });
const out = {
  date: startedAt.toISOString(),
  durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
  machine: { ...machine, loadavg1AtEnd: Number((await import('node:os')).loadavg()[0]?.toFixed(2)) },
  metrics: metrics.map((m) => ({
    id: m.id,
    unit: m.unit,
    ...(m.summary
      ? { n: m.summary.n, median: m.summary.median, p90: m.summary.p90, min: m.summary.min, max: m.summary.max }
      : {}),
    ...(m.value !== undefined ? { value: m.value } : {}),
    budget: m.budget,
    verdict: m.verdict,
    ...(m.note ? { note: m.note } : {}),
    ...(m.samples && m.samples.length <= 25 && m.id.split('.').length === 2 && !m.id.startsWith('cluster.phase')
      ? { samples: m.samples }
      : {}),
  })),
  ...extra,
  ...(previous ? { previous } : {}),
  ...(Object.keys(errors).length > 0
    ? { errors: Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, v.split('\n')[0]])) }
    : {}),
};
let json = JSON.stringify(out, null, 2) + '\n';
try {
  // Formatted as the repo's `prettier --check .` expects, so a committed results file passes format:check.
  const prettier = await import('prettier');
  json = await prettier.format(json, { ...((await prettier.resolveConfig(latestPath)) ?? {}), parser: 'json' });
} catch {
  // prettier missing: plain JSON is still valid
}
writeFileSync(latestPath, json);
progress(`[bench] wrote ${path.relative(process.cwd(), latestPath)}`);
process.exit(Object.keys(errors).length > 0 ? 1 : 0);
