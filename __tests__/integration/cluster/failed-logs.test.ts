/**
 * Logs of failed steps through the real Kubernetes client over HTTPS against a scripted stand-in (kube-server.ts,
 * which, unlike helpers/kube-stand-in.ts, can answer text/plain as kube-apiserver's pods/log does): the text body is
 * printed in one group per pod through a masking reporter; a JSON-looking log line stays text; 403 is one note.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { printFailedStepLogs } from '../../../src/argo/logs.js';
import type { Workflow } from '../../../src/argo/types.js';
import { createKubeClient, type ClosableKubeClient } from '../../../src/cluster/kube-client.js';
import { TerminalReporter } from '../../../src/report/terminal.js';
import { createTestPki, type TestPki } from '../../harness/pki.js';
import { json, startKubeServer, status, type KubeServer } from './kube-server.js';

const SECRET = 's3cr3t-value-from-the-pod';
let pki: TestPki;
let server: KubeServer;
let client: ClosableKubeClient;
let out: string[];
let reporter: TerminalReporter;

const wf: Workflow = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Workflow',
  metadata: { name: 'build-x7k2p', namespace: 'ci' },
  spec: { entrypoint: 'main', templates: [] },
  status: {
    phase: 'Failed',
    nodes: {
      'build-x7k2p': { id: 'build-x7k2p', name: 'build-x7k2p', type: 'Steps', phase: 'Failed' },
      'build-x7k2p-1': {
        id: 'build-x7k2p-1',
        name: 'build-x7k2p[0].compile',
        displayName: 'compile',
        type: 'Pod',
        phase: 'Failed',
        templateName: 'compile',
        message: 'Error (exit code 2)',
      },
    },
  },
};

beforeAll(async () => {
  pki = createTestPki();
  server = await startKubeServer(pki.issueServerCert());
});
afterAll(async () => {
  await server.close();
  pki.dispose();
});
beforeEach(() => {
  server.seen.length = 0;
  out = [];
  reporter = new TerminalReporter({
    stdout: (t) => out.push(t),
    stderr: (t) => out.push(t),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: {},
    json: false,
    debug: false,
  });
  reporter.secret(SECRET);
  client = createKubeClient({
    server: server.url,
    caData: Buffer.from(pki.caPem).toString('base64'),
    insecureSkipTlsVerify: false,
    tokenProvider: { getToken: async () => ({ token: 'tok', expiresOnMs: Date.now() + 3_600_000 }) },
    sleep: async () => {},
  });
});
afterEach(() => client.close());

describe('logs of failed steps over HTTPS', () => {
  it('prints the text/plain log tail in a group per pod, secrets masked, JSON-looking lines kept as text', async () => {
    server.handle((req, res) => {
      if (!req.url.startsWith('/api/v1/namespaces/ci/pods/')) return json(res, 404, status(404, 'NotFound', 'x'));
      const text = `compiling\n{"level":"error","msg":"token ${SECRET} rejected"}\nmake: *** [all] Error 2\n`;
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    });
    await printFailedStepLogs(client, wf, reporter);
    const pod = server.seen[0]?.url ?? '';
    const podName = /pods\/([^/?]+)\/log/.exec(pod)?.[1] ?? '';
    expect(podName).toMatch(/^build-x7k2p-compile-\d+$/);
    expect(new URL(pod, 'https://x').searchParams.toString()).toBe('container=main&tailLines=50&limitBytes=65536');
    expect(server.seen[0]?.headers['accept']).toBe('application/json, */*');
    expect(out.join('')).toBe(
      [
        `== Logs of failed step compile (pod ${podName})`,
        'Step message: Error (exit code 2)',
        '| compiling',
        '| {"level":"error","msg":"token *** rejected"}',
        '| make: *** [all] Error 2',
        '',
      ].join('\n'),
    );
    expect(out.join('')).not.toContain(SECRET);
  });

  it('403 from the API server: one note naming pods/log and argo-entra rbac --logs; nothing thrown', async () => {
    server.handle((_req, res) =>
      json(
        res,
        403,
        status(
          403,
          'Forbidden',
          'pods "x" is forbidden: User "u" cannot get resource "pods/log" in API group "" in the namespace "ci"',
        ),
      ),
    );
    await expect(printFailedStepLogs(client, wf, reporter)).resolves.toBeUndefined();
    const notes = out.filter((l) => l.startsWith('Note'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('kubectl auth can-i get pods/log');
    expect(notes[0]).toContain('argo-entra rbac --logs');
    expect(server.seen).toHaveLength(1);
  });

  it('400 from the API server (pod never started): the Status message in the note', async () => {
    server.handle((_req, res) =>
      json(res, 400, status(400, 'BadRequest', 'container "main" in pod "x" is waiting to start: ContainerCreating')),
    );
    await printFailedStepLogs(client, wf, reporter);
    expect(out.filter((l) => l.startsWith('Note'))).toEqual([
      expect.stringContaining('is waiting to start: ContainerCreating'),
    ]);
  });
});
