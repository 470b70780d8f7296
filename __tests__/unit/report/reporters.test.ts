import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import * as core from '@actions/core';
import { WorkflowCommands } from '../../../src/report/github-commands.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArgoEntraError } from '../../../src/errors.js';
import {
  AzureDevOpsReporter,
  defuseAdoCommands,
  escapeAdoData,
  escapeAdoProperty,
} from '../../../src/report/azure-devops.js';
import { reportError } from '../../../src/report/format-error.js';
import { GitHubReporter } from '../../../src/report/github.js';
import { SecretMasker } from '../../../src/report/redact.js';
import type { Reporter } from '../../../src/report/reporter.js';
import { shellQuote, TerminalReporter, type TerminalJsonDocument } from '../../../src/report/terminal.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
const forbidden = new ArgoEntraError('ERR_KUBE_FORBIDDEN', `denied (token ${TOKEN})`, {
  hint: 'bind a role',
  details: { verb: 'create' },
});

/** Drive any reporter through every method with the token in each message. */
async function exercise(r: Reporter): Promise<void> {
  r.secret(TOKEN);
  r.info(`info ${TOKEN}`);
  r.warning(`warn ${TOKEN}`);
  r.error(`err ${TOKEN}`);
  r.debug(`debug ${TOKEN}`);
  await r.group(`group ${TOKEN}`, async () => r.info('inside'));
  r.setOutput('workflow-name', 'wf-1');
  r.exportVariable('KUBECONFIG', '/tmp/k 1');
  await r.summary(`## summary ${TOKEN}`);
  r.saveState('kubeconfig', '/tmp/k');
  reportError(r, forbidden);
  r.close?.(4);
}

describe('SecretMasker', () => {
  it.each([
    ['plain', ['s3cret'], 'a s3cret b', 'a *** b'],
    ['longest first', ['abc', 'abcdef'], 'abcdef abc', '*** ***'],
    ['multi-line secret masks each line', ['line-one\nline-two'], 'x line-two y', 'x *** y'],
    ['blank ignored', ['  '], 'a  b', 'a  b'],
  ])('%s', (_n, secrets, text, expected) => {
    const m = new SecretMasker();
    for (const s of secrets) m.add(s);
    expect(m.mask(text)).toBe(expected);
  });
});

describe('TerminalReporter', () => {
  function make(opts: Partial<ConstructorParameters<typeof TerminalReporter>[0]> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const r = new TerminalReporter({
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      stdoutIsTTY: false,
      stderrIsTTY: false,
      env: {},
      json: false,
      debug: true,
      ...opts,
    });
    return { r, out, err };
  }

  it('masks every registered secret everywhere, human mode', async () => {
    const { r, out, err } = make();
    await exercise(r);
    const all = [...out, ...err].join('');
    expect(all).not.toContain(TOKEN);
    expect(all).toContain('info ***');
    expect(out.join('')).toContain('workflow-name=wf-1\n');
    expect(out.join('')).toContain(`export KUBECONFIG='/tmp/k 1'\n`);
    expect(err.join('')).toContain('[ERR_KUBE_FORBIDDEN]');
    expect(err.join('')).toContain('Fix: bind a role');
  });

  it.each([
    ['TTY, NO_COLOR unset', true, {}, true],
    ['TTY, NO_COLOR=1', true, { NO_COLOR: '1' }, false],
    ['TTY, NO_COLOR empty', true, { NO_COLOR: '' }, true],
    ['not a TTY', false, {}, false],
  ])('colour: %s', (_n, tty, env, coloured) => {
    const { r, err } = make({ stderrIsTTY: tty, env });
    r.warning('careful');
    expect(err.join('').includes('\u001b[')).toBe(coloured);
  });

  it('json mode: one document on stdout, human lines on stderr, masked', async () => {
    const { r, out, err } = make({ json: true, stdoutIsTTY: true });
    r.secret('quote"and\\slash');
    await exercise(r);
    r.info('also "quote"and\\slash" here');
    r.close(4); // idempotent
    expect(out).toHaveLength(1);
    const doc = JSON.parse(out[0] ?? '') as TerminalJsonDocument;
    expect(doc.ok).toBe(false);
    expect(doc.exitCode).toBe(4);
    expect(doc.outputs).toEqual({ 'workflow-name': 'wf-1' });
    expect(doc.variables).toEqual({ KUBECONFIG: '/tmp/k 1' });
    expect(doc.errors.map((e) => e.code)).toEqual(['ERR_UNCODED', 'ERR_KUBE_FORBIDDEN']);
    expect(doc.errors[1]).toMatchObject({ exitCode: 4, hint: 'bind a role', details: { verb: 'create' } });
    expect(doc.summary).toBe('## summary ***');
    expect(out[0]).not.toContain(TOKEN);
    expect(out[0]).not.toContain('\u001b[');
    expect(err.join('')).not.toContain(TOKEN);
    expect(err.join('')).not.toContain('quote"and\\slash');
  });

  it('debug lines only with debug on', () => {
    const { r, err } = make({ debug: false });
    r.debug('hidden');
    expect(err).toEqual([]);
  });

  it.each([
    ['simple', `'simple'`],
    [`it's`, `'it'\\''s'`],
  ])('shellQuote(%j)', (v, q) => expect(shellQuote(v)).toBe(q));
});

describe('AzureDevOpsReporter', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ado-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['data', escapeAdoData('50% a\r\nb;c]'), '50%AZP25 a%0D%0Ab;c]'],
    ['property', escapeAdoProperty('a;b]c%'), 'a%3Bb%5Dc%AZP25'],
    [
      'defuse',
      defuseAdoCommands('x ##vso[task.setvariable variable=A]1\n##[group]y'),
      'x ##vso [task.setvariable variable=A]1\n## [group]y',
    ],
  ])('escaping: %s', (_n, actual, expected) => expect(actual).toBe(expected));

  it('writes the logging commands, secrets via issecret, masked messages', async () => {
    const out: string[] = [];
    const r = new AzureDevOpsReporter({ stdout: (t) => out.push(t), tempDir: dir });
    await exercise(r);
    r.setOutput('phase', 'Failed;\nx');
    const lines = out.join('').split('\n');
    expect(lines).toContain(`##vso[task.setvariable variable=ARGO_ENTRA_SECRET_1;issecret=true]${TOKEN}`);
    expect(lines).toContain('info ***');
    expect(lines).toContain('##vso[task.logissue type=warning]warn ***');
    expect(lines).toContain('##vso[task.logissue type=error]err ***');
    expect(lines).toContain('##vso[task.debug]debug ***');
    expect(lines).toContain('##[group]group ***');
    expect(lines).toContain('##[endgroup]');
    expect(lines).toContain('##vso[task.setvariable variable=workflow-name;isOutput=true]wf-1');
    expect(lines).toContain('##vso[task.setvariable variable=KUBECONFIG]/tmp/k 1');
    expect(lines).toContain('##vso[task.setvariable variable=phase;isOutput=true]Failed;%0Ax');
    expect(lines.find((l) => l.startsWith('##vso[task.logissue type=error;code=ERR_KUBE_FORBIDDEN]'))).toContain(
      'Fix: bind a role',
    );
    const upload = lines.find((l) => l.startsWith('##vso[task.uploadsummary]'));
    const path = upload?.slice('##vso[task.uploadsummary]'.length) ?? '';
    expect(readFileSync(path, 'utf8')).toBe('## summary ***');
    // only the registration line carries the secret
    expect(lines.filter((l) => l.includes(TOKEN))).toHaveLength(1);
  });

  it('a summary that cannot be written becomes a warning, not a failure', async () => {
    const out: string[] = [];
    const r = new AzureDevOpsReporter({ stdout: (t) => out.push(t), tempDir: join(dir, 'missing') });
    await r.summary('x');
    expect(out.join('')).toMatch(/^##vso\[task.logissue type=warning\]Could not write the run summary/);
  });
});

/** @actions/core with the one method it lacks, so the reporter can run over the toolkit itself. */
const realCore = {
  ...core,
  appendSummary: async (markdown: string): Promise<void> => {
    // The toolkit's summary singleton caches the first GITHUB_STEP_SUMMARY path it saw and keeps unwritten text
    // after a failed write; each test has its own file.
    (core.summary as unknown as { _filePath: string | undefined })._filePath = undefined;
    await core.summary.emptyBuffer().addRaw(markdown, true).write();
  },
};

describe('GitHubReporter over the real @actions/core', () => {
  let dir: string;
  let written: string[];
  const saved = { ...process.env };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gh-'));
    for (const f of ['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY']) {
      const p = join(dir, f);
      writeFileSync(p, '');
      process.env[f] = p;
    }
    written = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  it('emits workflow commands and files, masks, titles the error annotation with the code', async () => {
    await exercise(new GitHubReporter(realCore));
    const log = written.join('');
    expect(log).toContain(`::add-mask::${TOKEN}`);
    expect(log.split(TOKEN)).toHaveLength(2); // only in add-mask
    expect(log).toContain('::warning::warn ***');
    expect(log).toContain('::error::err ***');
    expect(log).toContain('::debug::debug ***');
    expect(log).toContain('::group::group ***');
    expect(log).toContain('::endgroup::');
    expect(log).toMatch(
      /::error title=argo-entra ERR_KUBE_FORBIDDEN::\[ERR_KUBE_FORBIDDEN\] denied \(token \*\*\*\)%0AFix: bind a role/,
    );
    expect(readFileSync(join(dir, 'GITHUB_OUTPUT'), 'utf8')).toMatch(/workflow-name<<ghadelimiter_[\w-]+\nwf-1\n/);
    expect(readFileSync(join(dir, 'GITHUB_ENV'), 'utf8')).toContain('KUBECONFIG<<');
    expect(readFileSync(join(dir, 'GITHUB_STATE'), 'utf8')).toContain('kubeconfig<<');
    expect(readFileSync(join(dir, 'GITHUB_STEP_SUMMARY'), 'utf8')).toBe('## summary ***\n');
  });

  it('a missing GITHUB_STEP_SUMMARY is a warning, not a failure', async () => {
    delete process.env['GITHUB_STEP_SUMMARY'];
    await new GitHubReporter(realCore).summary('x');
    expect(written.join('')).toContain('::warning::Could not write the job summary');
  });
});

describe('WorkflowCommands writes exactly what @actions/core writes', () => {
  const FILES = ['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY'] as const;
  const saved = { ...process.env };
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...saved };
  });

  /** Runs the same reporter calls over one command writer; returns stdout and the four files, delimiters normalised. */
  async function capture(make: () => ConstructorParameters<typeof GitHubReporter>[0]): Promise<Record<string, string>> {
    const dir = mkdtempSync(join(tmpdir(), 'gh-eq-'));
    for (const f of FILES) {
      writeFileSync(join(dir, f), '');
      process.env[f] = join(dir, f);
    }
    const out: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      out.push(String(chunk));
      return true;
    });
    await exercise(new GitHubReporter(make()));
    jest.restoreAllMocks();
    const normalise = (text: string): string => text.replace(/ghadelimiter_[0-9a-f-]+/g, 'DELIM');
    const result: Record<string, string> = { stdout: normalise(out.join('')) };
    for (const f of FILES) result[f] = normalise(readFileSync(join(dir, f), 'utf8'));
    rmSync(dir, { recursive: true, force: true });
    return result;
  }

  it('same stdout commands and the same file commands, byte for byte', async () => {
    const ours = await capture(() => new WorkflowCommands({ write: (t) => process.stdout.write(t), env: process.env }));
    const toolkit = await capture(() => realCore);
    expect(ours).toEqual(toolkit);
    expect(ours['stdout']).toContain('::add-mask::');
    expect(ours['GITHUB_OUTPUT']).toContain('workflow-name<<DELIM\nwf-1\nDELIM\n');
  });

  it.each([
    ['percent, CR, LF in data', 'a%b\r\nc'],
    ['colon and comma in an annotation title', 'x:y,z'],
  ])('escaping: %s', async (_name, text) => {
    const lines = (make: () => { error(m: string, p?: { title?: string }): void }): string => {
      const out: string[] = [];
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
        out.push(String(chunk));
        return true;
      });
      make().error(text, { title: text });
      jest.restoreAllMocks();
      return out.join('');
    };
    expect(lines(() => new WorkflowCommands({ write: (t) => process.stdout.write(t), env: process.env }))).toBe(
      lines(() => core),
    );
  });
});
