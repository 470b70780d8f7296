/**
 * The harness helpers themselves: a scan that could not find a leak, or a file-command parser that dropped values,
 * would make every bundle test pass vacuously.
 */
import { parseFileCommand } from '../../helpers/run-bundle.js';
import { emulatorSecrets, scanForSecrets } from '../../helpers/secret-scan.js';

const JWT =
  'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm8vcjpyZWY6cmVmcy9oZWFkcy9tYWluIn0.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU';
const [, PAYLOAD, SIGNATURE] = JWT.split('.');

describe('parseFileCommand', () => {
  it('reads @actions/core heredocs (multi-line values) and name=value lines; last write wins', () => {
    const text = [
      'kubeconfig<<ghadelimiter_1',
      '/tmp/x/kubeconfig',
      'ghadelimiter_1',
      'message<<ghadelimiter_2',
      'line one',
      'line two',
      'ghadelimiter_2',
      'plain=a=b',
      'kubeconfig<<ghadelimiter_3',
      '/tmp/y/kubeconfig',
      'ghadelimiter_3',
      '',
    ].join('\n');
    expect(parseFileCommand(text)).toEqual({
      kubeconfig: '/tmp/y/kubeconfig',
      message: 'line one\nline two',
      plain: 'a=b',
    });
  });

  it('an unterminated heredoc is an error, not a silent drop', () => {
    expect(() => parseFileCommand('x<<ghadelimiter_9\nvalue\n')).toThrow(/no closing/);
  });
});

describe('scanForSecrets', () => {
  const run = (over: Partial<{ stdout: string; stderr: string; files: Record<string, string> }>) => ({
    entry: 'main',
    stdout: '',
    stderr: '',
    files: {},
    ...over,
  });

  it('finds a whole token, or only its payload or signature, in any stream or file', () => {
    const findings = scanForSecrets(
      [
        run({ stdout: `token ${JWT}` }),
        run({ stderr: `claims ${PAYLOAD ?? ''}` }),
        run({ files: { GITHUB_OUTPUT: `token<<d\n${SIGNATURE ?? ''}\nd\n` } }),
        run({ files: { GITHUB_STEP_SUMMARY: 'ghs_requesttoken_123456' } }),
      ],
      [JWT, 'ghs_requesttoken_123456'],
    );
    expect(findings.map((f) => f.where)).toEqual([
      'main#0 stdout line 1',
      'main#1 stderr line 1',
      'main#2 GITHUB_OUTPUT line 2',
      'main#3 GITHUB_STEP_SUMMARY line 1',
    ]);
  });

  it("exempts only the hosts' mask registrations on stdout", () => {
    const ok = run({
      stdout: `::add-mask::${JWT}\n##vso[task.setvariable variable=ARGO_ENTRA_SECRET_1;issecret=true]${JWT}`,
    });
    expect(scanForSecrets([ok], [JWT])).toEqual([]);
    expect(scanForSecrets([run({ stderr: `::add-mask::${JWT}` })], [JWT])).toHaveLength(1);
    expect(
      scanForSecrets([run({ stdout: `##vso[task.setvariable variable=x;isOutput=true]${JWT}` })], [JWT]),
    ).toHaveLength(1);
  });

  it('collects minted tokens and request tokens from emulator-shaped objects', () => {
    expect(
      emulatorSecrets(
        { issued: ['a1'] },
        { issuerCore: { minted: ['b1'] }, requestToken: 'r1' },
        { core: { minted: ['c1'] } },
        { accessToken: 'd1' },
        'e1',
      ).sort(),
    ).toEqual(['a1', 'b1', 'c1', 'd1', 'e1', 'r1']);
  });
});
