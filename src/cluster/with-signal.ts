import type { KubeClient } from './types.js';

/**
 * A view of `client` whose requests and watches stop when `signal` aborts, for calls whose APIs take no signal of
 * their own (access reviews). The client itself stays unbound: on-cancel must still reach the API server after the
 * job's cancel signal has fired.
 */
export function withSignal(client: KubeClient, signal: AbortSignal): KubeClient {
  const join = (own: AbortSignal | undefined): AbortSignal =>
    own === undefined ? signal : AbortSignal.any([own, signal]);
  return {
    server: client.server,
    request: (req) => client.request({ ...req, signal: join(req.signal) }),
    watch: (req, onEvent) => client.watch({ ...req, signal: join(req.signal) }, onEvent),
  };
}
