import { formatExecCredential, toRfc3339Seconds } from '../../../src/cluster/exec-credential.js';

describe('formatExecCredential', () => {
  it('is exactly the client.authentication.k8s.io/v1 ExecCredential', () => {
    expect(formatExecCredential('tok', Date.parse('2026-11-29T12:34:56.789Z'))).toBe(
      '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"tok","expirationTimestamp":"2026-11-29T12:34:56Z"}}',
    );
  });
  it.each([
    { ms: 0, s: '1970-01-01T00:00:00Z' },
    { ms: 999, s: '1970-01-01T00:00:00Z' },
    { ms: Date.parse('2027-01-01T00:00:00Z'), s: '2027-01-01T00:00:00Z' },
  ])('toRfc3339Seconds($ms) = $s', ({ ms, s }) => {
    expect(toRfc3339Seconds(ms)).toBe(s);
  });
});
