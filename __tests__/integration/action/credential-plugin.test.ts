/**
 * The credential plugin bundle (dist/credential) as kubectl runs it: from the exec block of the kubeconfig that
 * dist/main wrote, with the job step's environment. Output is exactly one ExecCredential; a fresh cache makes no
 * network call; an expired cache refreshes through the emulators; short Entra token lifetimes keep producing valid,
 * different tokens; parallel invocations share one exchange.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  execBlockOf,
  jwtExpiryMs,
  readKubeconfig,
  runExecPlugin,
  type ExecBlock,
  type PluginRun,
} from '../../helpers/kubeconfig.js';
import { runBundle, stackTraceLines } from '../../helpers/run-bundle.js';
import { emulatorSecrets, expectNoSecrets } from '../../helpers/secret-scan.js';
import { kubeconfigInputs, startIdentityWorld, type IdentityWorld } from './fixture.js';

const EXEC_CREDENTIAL_LINE =
  /^\{"apiVersion":"client\.authentication\.k8s\.io\/v1","kind":"ExecCredential","status":\{"token":"[A-Za-z0-9_.-]+","expirationTimestamp":"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"\}\}\n$/;

interface Job {
  world: IdentityWorld;
  exec: ExecBlock;
  cachePath: string;
  /** the environment of a later step in the same job: kubectl inherits it */
  stepEnv: Record<string, string>;
}

const pluginRuns: PluginRun[] = [];
const scanPluginRuns = (world: IdentityWorld): void => {
  // The plugin's stdout is the one place a token belongs (kubectl reads it); stderr must never hold one.
  expectNoSecrets(
    pluginRuns.map((r) => ({ entry: 'credential', stdout: '', stderr: r.stderr })),
    emulatorSecrets(world.entra, world.github),
  );
};

async function startJob(world: IdentityWorld): Promise<Job> {
  const main = await runBundle('main', {
    inputs: kubeconfigInputs(world),
    oidc: world.github,
    caPath: world.pki.caPath,
  });
  expect(main.code).toBe(0);
  expectNoSecrets([main], emulatorSecrets(world.entra, world.github));
  const file = main.outputs['kubeconfig'] ?? '';
  const exec = execBlockOf(readKubeconfig(file));
  return {
    world,
    exec,
    cachePath: path.join(path.dirname(file), 'token-cache.json'),
    stepEnv: {
      ACTIONS_ID_TOKEN_REQUEST_URL: world.github.requestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: world.github.requestToken,
      NODE_EXTRA_CA_CERTS: world.pki.caPath,
      KUBECONFIG: file,
    },
  };
}

async function plugin(job: Job, env: Record<string, string> = job.stepEnv): Promise<PluginRun> {
  const run = await runExecPlugin(job.exec, env);
  pluginRuns.push(run);
  return run;
}

function expectOneCredential(run: PluginRun): { token: string; expirationMs: number } {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(EXEC_CREDENTIAL_LINE);
  const status = run.credential?.status;
  return { token: status?.token ?? '', expirationMs: Date.parse(status?.expirationTimestamp ?? '') };
}

function expireCache(cachePath: string): void {
  const entry = JSON.parse(readFileSync(cachePath, 'utf8')) as { token: string };
  writeFileSync(
    cachePath,
    JSON.stringify({ token: entry.token, expiresOnMs: Date.now() - 1000, obtainedOnMs: Date.now() - 3_600_000 }),
    { mode: 0o600 },
  );
}

describe('default token lifetime (1 h)', () => {
  let world: IdentityWorld;
  let job: Job;
  beforeAll(async () => {
    world = await startIdentityWorld();
    job = await startJob(world);
  }, 60_000);
  afterAll(async () => {
    scanPluginRuns(world);
    await world?.stop();
  });

  it('fresh cache: exactly one ExecCredential with the token main obtained, and no network call', async () => {
    const entra = world.entra.requests.length;
    const github = world.github.requests.length;
    // Not even the CI variables: the cached path must not need them.
    const run = await plugin(job, { NODE_EXTRA_CA_CERTS: world.pki.caPath });
    const { token, expirationMs } = expectOneCredential(run);
    expect(token).toBe(world.entra.issued.at(-1));
    expect(expirationMs).toBeLessThan(jwtExpiryMs(token));
    expect(expirationMs).toBeGreaterThan(Date.now());
    expect(world.entra.requests.length).toBe(entra);
    expect(world.github.requests.length).toBe(github);
  }, 30_000);

  it('expired cache: one CI token, one Entra exchange, a new token, the cache rewritten 0600', async () => {
    const old = (JSON.parse(readFileSync(job.cachePath, 'utf8')) as { token: string }).token;
    expireCache(job.cachePath);
    const entra = world.entra.tokenRequests.length;
    const github = world.github.tokenRequests.length;
    const { token } = expectOneCredential(await plugin(job));
    expect(token).not.toBe(old);
    expect(world.entra.issued).toContain(token);
    expect(world.entra.tokenRequests.length - entra).toBe(1);
    expect(world.github.tokenRequests.length - github).toBe(1);
    expect(statSync(job.cachePath).mode & 0o777).toBe(0o600);
    expect((JSON.parse(readFileSync(job.cachePath, 'utf8')) as { token: string }).token).toBe(token);

    // and the next kubectl command is served from that cache
    const again = expectOneCredential(await plugin(job));
    expect(again.token).toBe(token);
    expect(world.entra.tokenRequests.length - entra).toBe(1);
  }, 30_000);

  it('kubectl-style parallel invocations on an expired cache share one exchange', async () => {
    expireCache(job.cachePath);
    const entra = world.entra.tokenRequests.length;
    const github = world.github.tokenRequests.length;
    const runs = await Promise.all(Array.from({ length: 6 }, () => plugin(job)));
    const tokens = runs.map((r) => expectOneCredential(r).token);
    expect(new Set(tokens).size).toBe(1);
    expect(world.entra.tokenRequests.length - entra).toBe(1);
    expect(world.github.tokenRequests.length - github).toBe(1);
    expect(readFileSync(path.dirname(job.cachePath) + '/token-cache.json', 'utf8')).toContain(tokens[0]);
  }, 60_000);

  it('expired cache in a step without id-token permission: exit 3, one line naming the fix, nothing on stdout', async () => {
    expireCache(job.cachePath);
    const run = await plugin(job, { NODE_EXTRA_CA_CERTS: world.pki.caPath });
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    const lines = run.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^argo-entra credential: ERR_CI_TOKEN_NOT_FOUND: .*id-token: write/);
    expect(stackTraceLines(run.stderr)).toEqual([]);
  }, 30_000);

  it('an Entra rejection on refresh: exit 3, one line with the AADSTS code, no stack', async () => {
    expireCache(job.cachePath);
    const stranger = world.entra.addApp(world.tenantId, {
      federatedCredentials: [
        {
          issuer: world.github.issuer,
          subject: 'repo:octo-org/other:ref:refs/heads/main',
          audiences: ['api://AzureADTokenExchange'],
        },
      ],
    });
    const exec = { ...job.exec, args: job.exec.args.map((a) => (a === world.app.clientId ? stranger.clientId : a)) };
    const run = await runExecPlugin(exec, job.stepEnv);
    pluginRuns.push(run);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^argo-entra credential: ERR_ENTRA_SUBJECT_MISMATCH: .*AADSTS700213/);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  }, 30_000);
});

describe('short Entra token lifetimes (6 s): refresh margin min(5 min, lifetime/2) = 3 s', () => {
  const LIFETIME_S = 6;
  let world: IdentityWorld;
  let job: Job;
  beforeAll(async () => {
    world = await startIdentityWorld({ accessTokenLifetimeS: LIFETIME_S });
    job = await startJob(world);
  }, 60_000);
  afterAll(async () => {
    scanPluginRuns(world);
    await world?.stop();
  });

  it('keeps producing valid tokens across several lifetimes, each different once refreshed, cache reused in between', async () => {
    const seen: Array<{ token: string; at: number; expirationMs: number }> = [];
    const entraBefore = world.entra.tokenRequests.length;
    // main's own token: the plugin's first call reuses it (main records obtainedOnMs, so the margin scales).
    const issuedByMain = new Set(world.entra.issued);
    const until = Date.now() + 3.2 * LIFETIME_S * 1000;
    while (Date.now() < until) {
      const run = await plugin(job);
      const now = Date.now();
      const { token, expirationMs } = expectOneCredential(run);
      // Valid when handed to kubectl, and kubectl is told to come back before it expires.
      expect(jwtExpiryMs(token)).toBeGreaterThan(now);
      expect(expirationMs).toBeLessThanOrEqual(jwtExpiryMs(token));
      expect(world.entra.issued).toContain(token);
      seen.push({ token, at: now, expirationMs });
      await new Promise((r) => setTimeout(r, 700));
    }
    const distinct = [...new Set(seen.map((s) => s.token))];
    // ~19 s of 6 s tokens refreshed every ~3 s: at least 4 different tokens, each fetched once.
    expect(distinct.length).toBeGreaterThanOrEqual(4);
    const refreshed = distinct.filter((t) => !issuedByMain.has(t));
    expect(world.entra.tokenRequests.length - entraBefore).toBe(refreshed.length);
    // the cache served the calls in between
    expect(seen.length).toBeGreaterThan(distinct.length);
    // a token is never handed out again once replaced
    const lastIndex = new Map(seen.map((s, i) => [s.token, i]));
    const firstIndex = new Map([...seen].reverse().map((s, i) => [s.token, seen.length - 1 - i]));
    const spans = distinct
      .map((t) => [firstIndex.get(t) ?? 0, lastIndex.get(t) ?? 0] as const)
      .sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]?.[0]).toBeGreaterThan(spans[i - 1]?.[1] ?? 0);
  }, 90_000);
});
