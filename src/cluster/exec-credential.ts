/**
 * The ExecCredential document kubectl (client-go) reads from a credential plugin's stdout. Import-free: it sits on
 * the plugin's cached path.
 */
export const EXEC_CREDENTIAL_API_VERSION = 'client.authentication.k8s.io/v1';

/**
 * `expirationMs` is when client-go must call the plugin again. The plugin passes its refresh point (a few minutes
 * before the token's real expiry) so a long-running kubectl never sends a token that expires in flight.
 */
export function formatExecCredential(token: string, expirationMs: number): string {
  return JSON.stringify({
    apiVersion: EXEC_CREDENTIAL_API_VERSION,
    kind: 'ExecCredential',
    status: { token, expirationTimestamp: toRfc3339Seconds(expirationMs) },
  });
}

/** RFC 3339 in UTC, whole seconds (rounded down, so the instant is never later than asked). */
export function toRfc3339Seconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
