import type { X509Certificate } from 'node:crypto';
import type { ClosableKubeClient } from '../cluster/kube-client.js';
import type { KubeClient, KubeStatus } from '../cluster/types.js';
import { ArgoEntraError, isArgoEntraError } from '../errors.js';
import type { Clock } from '../util/time.js';
import { decodeAccessTokenClaims } from './claims.js';
import { type ClusterExpectations, explainForbidden, explainNotFound, explainUnauthorized } from './kube-errors.js';
import { explainTlsError } from './tls.js';
import { probeServerCertificates } from './tls-probe.js';

/**
 * Every Kubernetes call the run makes goes through this decorator, so a 401, 403, 404 or TLS failure from any call
 * (preflight, submit, wait, stop...) comes out explained: 401 with the decoded claims of the token we sent, 403 with
 * the RoleBinding that would allow it (for the principal's object id), 404 as a missing namespace / CRD / template /
 * workflow, TLS by comparing ca-data with the chain the server presents. Errors that are already explained, and
 * every other error, pass through unchanged (same object), so callers that switch on `code` keep working.
 */

export interface KubeExplainContext {
  readonly server: string;
  readonly caData: string | undefined;
  /** the access token last sent (read lazily: the provider refreshes it); decoded, never printed */
  readonly accessToken: () => string | undefined;
  /** the principal's Entra object id, for RoleBinding / Azure role assignment hints */
  readonly objectId?: string | undefined;
  readonly expected?: ClusterExpectations | undefined;
  readonly clock: Clock;
  /** fetches the server's chain without trusting it (default: probeServerCertificates) */
  readonly probe?: (server: string) => Promise<X509Certificate[]>;
  /** extra facts for a 401 whose likely cause is the clock (expired / not yet valid), e.g. a measured skew */
  readonly clockNote?: () => Promise<string | undefined>;
}

/** Errors this module produced (or looked at and could not improve), so a second pass leaves them alone. */
const explained = new WeakSet<object>();

export function isExplained(error: unknown): boolean {
  return isArgoEntraError(error) && (explained.has(error) || error.details['likelyCause'] !== undefined);
}

function mark(error: ArgoEntraError): ArgoEntraError {
  explained.add(error);
  return error;
}

function statusOf(error: ArgoEntraError): KubeStatus {
  const d = error.details;
  const details: { name?: string; kind?: string } = {};
  if (d['kind'] !== undefined) details.kind = d['kind'];
  if (d['name'] !== undefined) details.name = d['name'];
  return {
    kind: 'Status',
    code: Number(d['status']),
    ...(d['message'] === undefined ? {} : { message: d['message'] }),
    ...(d['reason'] === undefined ? {} : { reason: d['reason'] }),
    details,
  };
}

/** Keeps the facts mapHttpError recorded (method, path, server) next to the diagnosis. */
function withRequestFacts(result: ArgoEntraError, raw: ArgoEntraError): ArgoEntraError {
  const facts: Record<string, string> = {};
  for (const key of ['server', 'method', 'path']) {
    const v = raw.details[key];
    if (v !== undefined && result.details[key] === undefined) facts[key] = v;
  }
  return mark(
    new ArgoEntraError(result.code, result.message, {
      cause: raw,
      ...(result.hint === undefined ? {} : { hint: result.hint }),
      details: { ...result.details, ...facts },
    }),
  );
}

/** The explained form of one error from a Kubernetes call; anything it cannot improve is returned as is. */
export async function explainKubeError(error: unknown, ctx: KubeExplainContext, path?: string): Promise<unknown> {
  if (!isArgoEntraError(error) || isExplained(error)) return error;
  switch (error.code) {
    case 'ERR_KUBE_UNAUTHORIZED': {
      const token = ctx.accessToken();
      const unauthorized = explainUnauthorized({
        claims: token === undefined ? undefined : decodeAccessTokenClaims(token),
        expected: ctx.expected,
        nowMs: ctx.clock.now(),
        cause: error,
      });
      const cause = unauthorized.details['likelyCause'];
      if ((cause === 'expired' || cause === 'not-yet-valid') && ctx.clockNote !== undefined) {
        const note = await ctx.clockNote().catch(() => undefined);
        if (note !== undefined) {
          return withRequestFacts(
            new ArgoEntraError(unauthorized.code, `${unauthorized.message} ${note}`, {
              ...(unauthorized.hint === undefined ? {} : { hint: unauthorized.hint }),
              details: { ...unauthorized.details, clock: note },
            }),
            error,
          );
        }
      }
      return withRequestFacts(unauthorized, error);
    }
    case 'ERR_KUBE_FORBIDDEN': {
      const message = error.details['message'];
      if (message === undefined) return mark(error);
      return withRequestFacts(explainForbidden({ status: message, objectId: ctx.objectId, cause: error }), error);
    }
    case 'ERR_KUBE_TLS': {
      let chain: X509Certificate[] | undefined;
      try {
        chain = await (ctx.probe ?? probeServerCertificates)(ctx.server);
      } catch {
        chain = undefined;
      }
      const tls = explainTlsError(error, {
        server: ctx.server,
        caData: ctx.caData,
        peerChain: chain,
        nowMs: ctx.clock.now(),
      });
      return tls === undefined ? mark(error) : withRequestFacts(tls, error);
    }
    case 'ERR_KUBE_REQUEST': {
      if (error.details['status'] !== '404') return error;
      const notFound = explainNotFound(statusOf(error), path ?? error.details['path'] ?? '', error);
      return notFound === undefined ? error : withRequestFacts(notFound, error);
    }
    default:
      return error;
  }
}

/** A client whose failures come out explained (see the module comment). */
export function explainingClient<C extends KubeClient>(
  client: C,
  ctx: KubeExplainContext,
): C & Partial<ClosableKubeClient> {
  // One probe per run is enough: the chain does not change between calls.
  let probed: Promise<X509Certificate[]> | undefined;
  const probe = (server: string): Promise<X509Certificate[]> =>
    (probed ??= (ctx.probe ?? probeServerCertificates)(server));
  const context: KubeExplainContext = { ...ctx, probe };
  const wrapped: KubeClient & { close?: () => void } = {
    server: client.server,
    async request(req) {
      try {
        return await client.request(req);
      } catch (error) {
        throw await explainKubeError(error, context, req.path);
      }
    },
    async watch(req, onEvent) {
      try {
        await client.watch(req, onEvent);
      } catch (error) {
        throw await explainKubeError(error, context, req.path);
      }
    },
  };
  const closable = client as Partial<ClosableKubeClient>;
  if (typeof closable.close === 'function') wrapped.close = () => closable.close?.();
  return wrapped as C & Partial<ClosableKubeClient>;
}
