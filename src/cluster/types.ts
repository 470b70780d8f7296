/**
 * The thin Kubernetes client the product uses (about ten REST calls; the full @kubernetes/client-node is kept out
 * of the runtime bundle, see design.md). Errors are coded ArgoEntraErrors: 401 ERR_KUBE_UNAUTHORIZED,
 * 403 ERR_KUBE_FORBIDDEN, TLS ERR_KUBE_TLS, connect failures ERR_KUBE_UNREACHABLE, other statuses ERR_KUBE_REQUEST
 * (with `status` and the Status `reason` in details) unless the caller accepts that status.
 */

/** Kubernetes `Status` object as the API server returns it on errors. */
export interface KubeStatus {
  readonly kind?: 'Status';
  readonly status?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: { readonly name?: string; readonly group?: string; readonly kind?: string };
}

export interface KubeRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** absolute API path, e.g. /apis/argoproj.io/v1alpha1/namespaces/ns/workflows */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** defaults to application/json; PATCH callers pass application/merge-patch+json etc. */
  readonly contentType?: string;
  /** statuses the caller handles itself (no throw), e.g. [404, 409] */
  readonly accept?: readonly number[];
  /**
   * A POST is assumed to create something and is re-sent only when the server cannot have seen it (connect
   * failure, 429). Set true for side-effect-free POSTs such as access reviews so they retry like a GET.
   */
  readonly idempotent?: boolean;
  /**
   * 'json' (default): the body is parsed JSON. 'text': a 2xx body is returned as the raw string (e.g. pods/log,
   * which is text/plain); error statuses are still mapped from their JSON Status.
   */
  readonly responseType?: 'json' | 'text';
  readonly signal?: AbortSignal;
}

export interface KubeResponse<T> {
  readonly status: number;
  readonly body: T;
  /** the server's Date header, for clock-skew checks */
  readonly date: string | undefined;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T> {
  readonly type: WatchEventType;
  /** for ERROR events this is a KubeStatus (410 Gone = resourceVersion too old) */
  readonly object: T;
}

export interface WatchRequest {
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

export interface KubeClient {
  readonly server: string;
  request<T>(req: KubeRequest): Promise<KubeResponse<T>>;
  /**
   * Streams watch events until the server closes the stream (resolves), the signal aborts (resolves), or the
   * connection fails (rejects with a coded error). One `onEvent` call per line of the response.
   */
  watch<T>(req: WatchRequest, onEvent: (event: WatchEvent<T>) => void): Promise<void>;
}
