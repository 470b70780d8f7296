/**
 * The kubectl exec credential plugin as kubectl runs it: a child process with args from the kubeconfig and the
 * step's environment, one ExecCredential on stdout. Until the bundle exists this runs the TypeScript entry through
 * tsx; set ARGO_ENTRA_CREDENTIAL_PLUGIN=dist to run dist/credential/index.js instead.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { credentialArgs } from '../../../src/settings/credential.js';
import { writeTokenCache } from '../../../src/identity/token-cache.js';
import type { IdentitySettings } from '../../../src/settings/types.js';
import { startIdentityWorld, type IdentityWorld } from '../../harness/emulators/world.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const USE_DIST = process.env['ARGO_ENTRA_CREDENTIAL_PLUGIN'] === 'dist';
const PLUGIN = USE_DIST
  ? [path.join(ROOT, 'dist/credential/index.js')]
  : ['--import', 'tsx', path.join(ROOT, 'src/entry/credential.ts')];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Only what kubectl would pass on: PATH and HOME plus the variables a test adds (no CI secrets by default). */
function runPlugin(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...PLUGIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const OFFLINE_IDENTITY: IdentitySettings = {
  clientId: '11111111-2222-3333-4444-555555555555',
  tenantId: '99999999-8888-7777-6666-555555555555',
  // Nothing listens there: a cached run that touched the network would fail.
  authorityHost: 'https://127.0.0.1:1',
  audience: 'api://AzureADTokenExchange',
  scope: '6dae42f8-4368-4678-94ff-3960e28e3630/.default',
  ciSource: { kind: 'github', requestUrl: 'https://127.0.0.1:1/token?api-version=2.0', requestToken: 'unused' },
};

let dir: string;
let cache: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'plugin-test-'));
  cache = path.join(dir, 'token-cache.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function expectOneErrorLine(run: Run, code: string, exit: number): void {
  expect(run.code).toBe(exit);
  expect(run.stdout).toBe('');
  const lines = run.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^argo-entra credential: ${code}: `));
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe('cached path (no network, no CI variables)', () => {
  it('prints exactly one ExecCredential from a fresh cache', async () => {
    const expiresOnMs = Date.now() + 60 * 60_000;
    await writeTokenCache(cache, { token: 'cached-access-token', expiresOnMs, obtainedOnMs: Date.now() });
    const run = await runPlugin(credentialArgs(OFFLINE_IDENTITY, cache));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const expiry = new Date(Math.floor((expiresOnMs - 5 * 60_000) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    expect(run.stdout).toBe(
      `{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"cached-access-token","expirationTimestamp":"${expiry}"}}\n`,
    );
  }, 30_000);

  it('bad args -> exit 2, one line on stderr', async () => {
    expectOneErrorLine(await runPlugin(['--cache', 'relative.json']), 'ERR_SETTINGS_INVALID', 2);
  }, 30_000);

  it('expired cache without the CI variables -> exit 3 ERR_CI_TOKEN_NOT_FOUND with a hint', async () => {
    await writeTokenCache(cache, { token: 'old', expiresOnMs: Date.now() - 1000 });
    const run = await runPlugin(credentialArgs(OFFLINE_IDENTITY, cache));
    expectOneErrorLine(run, 'ERR_CI_TOKEN_NOT_FOUND', 3);
    expect(run.stderr).toContain('id-token: write');
  }, 30_000);
});

describe('refresh path (GitHub OIDC + Entra emulators)', () => {
  let world: IdentityWorld;
  beforeAll(async () => {
    world = await startIdentityWorld();
  });
  afterAll(async () => {
    await world.stop();
  });

  const ciEnv = (): Record<string, string> => ({
    ACTIONS_ID_TOKEN_REQUEST_URL: world.github.requestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: world.github.requestToken,
    NODE_EXTRA_CA_CERTS: world.pki.caPath,
  });

  it('expired cache: exchanges once, rewrites the cache 0600, the next run uses it', async () => {
    await writeTokenCache(cache, { token: 'old', expiresOnMs: Date.now() - 1000 });
    const before = world.entra.tokenRequests.length;
    const first = await runPlugin(credentialArgs(world.identity, cache), ciEnv());
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const credential = JSON.parse(first.stdout) as { status: { token: string; expirationTimestamp: string } };
    expect(world.entra.issued).toContain(credential.status.token);
    expect(world.entra.tokenRequests.length - before).toBe(1);

    const stored = JSON.parse(await readFile(cache, 'utf8')) as { token: string };
    expect(stored.token).toBe(credential.status.token);
    expect((await stat(cache)).mode & 0o777).toBe(0o600);

    const second = await runPlugin(credentialArgs(world.identity, cache), ciEnv());
    expect(JSON.parse(second.stdout)).toEqual(credential);
    expect(world.entra.tokenRequests.length - before).toBe(1);
  }, 60_000);

  it('parallel kubectl invocations on an empty cache make one exchange', async () => {
    const before = world.entra.tokenRequests.length;
    const runs = await Promise.all(
      Array.from({ length: 4 }, () => runPlugin(credentialArgs(world.identity, cache), ciEnv())),
    );
    for (const run of runs) expect(run.code).toBe(0);
    expect(new Set(runs.map((r) => r.stdout)).size).toBe(1);
    expect(world.entra.tokenRequests.length - before).toBe(1);
  }, 60_000);

  it('an Entra rejection -> exit 3, one line naming the AADSTS problem', async () => {
    const wrongApp = world.entra.addApp(world.tenantId, {
      federatedCredentials: [
        {
          issuer: world.github.issuer,
          subject: 'repo:someone/else:ref:refs/heads/main',
          audiences: ['api://AzureADTokenExchange'],
        },
      ],
    });
    const run = await runPlugin(credentialArgs({ ...world.identity, clientId: wrongApp.clientId }, cache), ciEnv());
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^argo-entra credential: ERR_ENTRA_[A-Z_]+: /);
    expect(run.stderr).not.toContain(world.github.requestToken);
  }, 60_000);
});
