/**
 * An in-memory stand-in for the API server, behind the KubeClient interface (the interface is the cluster
 * colleague's; this double serves only argo unit tests). It keeps resourceVersions, an event history for watch
 * resumption, compaction (410), 409 on stale writes, and lets a test close, break or silence streams.
 */
import { ArgoEntraError } from '../../../src/errors.js';
import type { KubeClient, KubeRequest, KubeResponse, WatchEvent, WatchRequest } from '../../../src/cluster/types.js';
import type { Workflow } from '../../../src/argo/types.js';

type Json = Record<string, unknown>;

interface Watcher {
  readonly ns: string;
  readonly name: string;
  readonly emit: (e: WatchEvent<unknown>) => void;
  readonly close: () => void;
  readonly fail: (error: unknown) => void;
  silent: boolean;
}

export type RequestHook = (
  req: KubeRequest,
) => KubeResponse<unknown> | 'pass' | Promise<KubeResponse<unknown> | 'pass'>;
export type WatchHook = (
  req: WatchRequest,
) => 'pass' | Error | 'gone-event' | 'close' | Promise<'pass' | Error | 'gone-event' | 'close'>;

export function httpError(status: number, reason = 'InternalError'): ArgoEntraError {
  return new ArgoEntraError(
    status === 401 ? 'ERR_KUBE_UNAUTHORIZED' : status === 403 ? 'ERR_KUBE_FORBIDDEN' : 'ERR_KUBE_REQUEST',
    `HTTP ${status}`,
    {
      details: { status: String(status), reason },
    },
  );
}

export function unreachable(): ArgoEntraError {
  return new ArgoEntraError('ERR_KUBE_UNREACHABLE', 'connect ECONNREFUSED', { details: { errno: 'ECONNREFUSED' } });
}

export class FakeKube implements KubeClient {
  readonly server = 'https://fake.invalid';
  rv = 100;
  compactedBelow = 0;
  readonly workflows = new Map<string, Workflow>();
  readonly templates = new Map<string, Json>();
  readonly history: Array<{ rv: number; key: string; event: WatchEvent<unknown> }> = [];
  readonly requests: KubeRequest[] = [];
  readonly watchRequests: WatchRequest[] = [];
  readonly deletedPods: string[] = [];
  readonly watchers = new Set<Watcher>();
  requestHooks: RequestHook[] = [];
  watchHooks: WatchHook[] = [];
  crdInstalled = true;
  namespaces = new Set(['ns']);
  private seq = 0;

  key(ns: string, name: string): string {
    return `${ns}/${name}`;
  }

  put(wf: Workflow): Workflow {
    const ns = wf.metadata.namespace ?? 'ns';
    const name = wf.metadata.name ?? '';
    const k = this.key(ns, name);
    const existed = this.workflows.has(k);
    const stored: Workflow = structuredClone(wf);
    stored.metadata.namespace = ns;
    stored.metadata.uid ??= `uid-${name}`;
    stored.metadata.creationTimestamp ??= new Date(1_700_000_000_000 + this.seq++ * 1000).toISOString();
    this.rv += 1;
    stored.metadata.resourceVersion = String(this.rv);
    this.workflows.set(k, stored);
    this.publish(k, { type: existed ? 'MODIFIED' : 'ADDED', object: structuredClone(stored) });
    return stored;
  }

  /** Controller-style write: mutate and bump the resourceVersion. */
  update(ns: string, name: string, fn: (wf: Workflow) => void): Workflow {
    const current = this.workflows.get(this.key(ns, name));
    if (!current) throw new Error(`no workflow ${name}`);
    const next = structuredClone(current);
    fn(next);
    return this.put(next);
  }

  remove(ns: string, name: string): void {
    const k = this.key(ns, name);
    const wf = this.workflows.get(k);
    if (!wf) return;
    this.workflows.delete(k);
    this.rv += 1;
    this.publish(k, {
      type: 'DELETED',
      object: { ...structuredClone(wf), metadata: { ...wf.metadata, resourceVersion: String(this.rv) } },
    });
  }

  bookmark(): void {
    this.rv += 1;
    for (const w of this.watchers)
      if (!w.silent)
        w.emit({
          type: 'BOOKMARK',
          object: {
            kind: 'Workflow',
            apiVersion: 'argoproj.io/v1alpha1',
            metadata: { resourceVersion: String(this.rv) },
          },
        });
  }

  compact(): void {
    this.compactedBelow = this.rv;
  }

  closeStreams(): void {
    for (const w of [...this.watchers]) w.close();
  }

  breakStreams(error: unknown = unreachable()): void {
    for (const w of [...this.watchers]) w.fail(error);
  }

  silenceStreams(): void {
    for (const w of this.watchers) w.silent = true;
  }

  sendError(status: { code: number; reason?: string; message?: string }): void {
    for (const w of this.watchers) w.emit({ type: 'ERROR', object: { kind: 'Status', status: 'Failure', ...status } });
  }

  private publish(k: string, event: WatchEvent<unknown>): void {
    this.history.push({ rv: this.rv, key: k, event });
    for (const w of this.watchers) if (!w.silent && this.key(w.ns, w.name) === k) w.emit(structuredClone(event));
  }

  private status<T>(req: KubeRequest, code: number, body: Json): KubeResponse<T> {
    if (req.accept?.includes(code)) return { status: code, body: body as T, date: undefined };
    throw httpError(code, String(body['reason'] ?? ''));
  }

  private notFound<T>(req: KubeRequest, kind: string, name: string): KubeResponse<T> {
    return this.status<T>(req, 404, {
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
      message: `${kind}.argoproj.io "${name}" not found`,
      details: { name, group: 'argoproj.io', kind },
    });
  }

  async request<T>(req: KubeRequest): Promise<KubeResponse<T>> {
    const { signal: _s, ...logged } = req;
    this.requests.push(structuredClone(logged));
    if (req.signal?.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
    for (const hook of this.requestHooks) {
      const r = await hook(req);
      if (r !== 'pass') {
        if (r.status >= 300 && !req.accept?.includes(r.status)) throw httpError(r.status);
        return r as KubeResponse<T>;
      }
    }
    const m = /^\/apis\/argoproj\.io\/v1alpha1\/(?:namespaces\/([^/]+)\/)?([a-z]+)(?:\/([^/]+))?$/.exec(req.path);
    const pod = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(req.path);
    if (pod && req.method === 'DELETE') {
      this.deletedPods.push(pod[2] ?? '');
      return { status: 200, body: {} as T, date: undefined };
    }
    if (!m) throw new Error(`fake: unexpected path ${req.path}`);
    const [, ns = '', resource, name] = m;
    if (!this.crdInstalled) {
      // The API server's answer for a group it does not serve: text, which the real client throws as 404.
      throw httpError(404, '');
    }
    if (resource === 'workflowtemplates' || resource === 'clusterworkflowtemplates') {
      const t = this.templates.get(`${resource}/${ns}/${name}`);
      return t ? { status: 200, body: t as T, date: undefined } : this.notFound<T>(req, resource, name ?? '');
    }
    if (resource !== 'workflows') throw new Error(`fake: unexpected resource ${resource}`);
    if (ns && !this.namespaces.has(ns) && req.method === 'POST') {
      return this.status<T>(req, 404, {
        kind: 'Status',
        reason: 'NotFound',
        code: 404,
        message: `namespaces "${ns}" not found`,
        details: { name: ns, kind: 'namespaces' },
      });
    }
    const k = this.key(ns, name ?? '');
    switch (req.method) {
      case 'GET': {
        if (name === undefined) {
          const selector = req.query?.['labelSelector'];
          const [lk, lv] = (selector ?? '=').split('=');
          const items = [...this.workflows.values()].filter(
            (w) => w.metadata.namespace === ns && (!selector || w.metadata.labels?.[lk ?? ''] === lv),
          );
          return {
            status: 200,
            body: {
              kind: 'WorkflowList',
              metadata: { resourceVersion: String(this.rv) },
              items: structuredClone(items),
            } as T,
            date: undefined,
          };
        }
        const wf = this.workflows.get(k);
        return wf
          ? { status: 200, body: structuredClone(wf) as T, date: undefined }
          : this.notFound<T>(req, 'workflows', name);
      }
      case 'POST': {
        const wf = structuredClone(req.body as Workflow);
        const wfName =
          wf.metadata.name || `${wf.metadata.generateName ?? ''}${(this.seq + 10000).toString(36).slice(-5)}`;
        wf.metadata.name = wfName;
        wf.metadata.namespace = ns;
        if (this.workflows.has(this.key(ns, wfName))) {
          return this.status<T>(req, 409, {
            kind: 'Status',
            reason: 'AlreadyExists',
            code: 409,
            message: `workflows.argoproj.io "${wfName}" already exists`,
            details: { name: wfName },
          });
        }
        if (req.query?.['dryRun'] === 'All') return { status: 201, body: wf as T, date: undefined };
        return { status: 201, body: structuredClone(this.put(wf)) as T, date: undefined };
      }
      case 'PUT': {
        const cur = this.workflows.get(k);
        if (!cur) return this.notFound<T>(req, 'workflows', name ?? '');
        const body = req.body as Workflow;
        if (body.metadata.resourceVersion !== cur.metadata.resourceVersion) {
          return this.status<T>(req, 409, {
            kind: 'Status',
            reason: 'Conflict',
            code: 409,
            message: 'the object has been modified',
          });
        }
        return { status: 200, body: structuredClone(this.put(body)) as T, date: undefined };
      }
      case 'PATCH': {
        const cur = this.workflows.get(k);
        if (!cur) return this.notFound<T>(req, 'workflows', name ?? '');
        const patch = req.body as Json;
        const rv = (patch['metadata'] as Json | undefined)?.['resourceVersion'];
        if (rv !== undefined && rv !== cur.metadata.resourceVersion) {
          return this.status<T>(req, 409, {
            kind: 'Status',
            reason: 'Conflict',
            code: 409,
            message: 'the object has been modified',
          });
        }
        const next = mergePatch(structuredClone(cur) as unknown as Json, patch) as unknown as Workflow;
        if (cur.metadata.resourceVersion !== undefined) next.metadata.resourceVersion = cur.metadata.resourceVersion;
        return { status: 200, body: structuredClone(this.put(next)) as T, date: undefined };
      }
      default:
        throw new Error(`fake: unexpected method ${req.method}`);
    }
  }

  async watch<T>(req: WatchRequest, onEvent: (event: WatchEvent<T>) => void): Promise<void> {
    const { signal: _w, ...loggedWatch } = req;
    this.watchRequests.push(loggedWatch);
    for (const hook of this.watchHooks) {
      const r = await hook(req);
      if (r instanceof Error) throw r;
      if (r === 'close') return;
      if (r === 'gone-event') {
        onEvent({
          type: 'ERROR',
          object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' } as T,
        });
        return;
      }
    }
    const m = /namespaces\/([^/]+)\/workflows$/.exec(req.path);
    const ns = m?.[1] ?? '';
    const name = (req.query?.['fieldSelector'] ?? '').replace('metadata.name=', '');
    const from = Number(req.query?.['resourceVersion'] ?? '0');
    if (from < this.compactedBelow) {
      onEvent({
        type: 'ERROR',
        object: {
          kind: 'Status',
          code: 410,
          reason: 'Expired',
          message: `too old resource version: ${from} (${this.compactedBelow})`,
        } as T,
      });
      return;
    }
    if (req.signal?.aborted) return;
    return new Promise<void>((resolve, reject) => {
      const watcher: Watcher = {
        ns,
        name,
        silent: false,
        emit: (e) => onEvent(e as WatchEvent<T>),
        close: () => done(),
        fail: (error) => done(error),
      };
      const done = (error?: unknown): void => {
        this.watchers.delete(watcher);
        req.signal?.removeEventListener('abort', onAbort);
        if (error === undefined || req.signal?.aborted) resolve();
        else reject(error);
      };
      const onAbort = (): void => done();
      req.signal?.addEventListener('abort', onAbort, { once: true });
      this.watchers.add(watcher);
      for (const h of this.history)
        if (h.rv > from && h.key === this.key(ns, name)) onEvent(structuredClone(h.event) as WatchEvent<T>);
    });
  }

  count(method: string, pathPart = ''): number {
    return this.requests.filter((r) => r.method === method && r.path.includes(pathPart)).length;
  }
}

function mergePatch(target: Json, patch: Json): Json {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete target[k];
    else if (typeof v === 'object' && !Array.isArray(v) && typeof target[k] === 'object' && target[k] !== null)
      target[k] = mergePatch(target[k] as Json, v as Json);
    else target[k] = structuredClone(v);
  }
  return target;
}

export function workflow(name: string, patch: Partial<Workflow> = {}): Workflow {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name, namespace: 'ns', ...(patch.metadata ?? {}) },
    spec: { entrypoint: 'main', templates: [{ name: 'main', suspend: {} }], ...(patch.spec ?? {}) },
    ...(patch.status ? { status: patch.status } : {}),
  };
}

/** A manual clock + sleep: sleeps resolve when `advance` passes their deadline. */
export class ManualTime {
  nowMs = 1_700_000_000_000;
  private timers: Array<{
    at: number;
    resolve: () => void;
    reject: (e: unknown) => void;
    signal: AbortSignal | undefined;
    onAbort: () => void;
  }> = [];
  readonly clock = { now: (): number => this.nowMs };
  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = { at: this.nowMs + ms, resolve, reject, signal, onAbort: () => {} };
      timer.onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', timer.onAbort, { once: true });
      this.timers.push(timer);
    });

  get pending(): number {
    return this.timers.length;
  }

  async advance(ms: number): Promise<void> {
    const target = this.nowMs + ms;
    for (;;) {
      await flush();
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.nowMs = Math.max(this.nowMs, due.at);
      this.timers = this.timers.filter((t) => t !== due);
      due.signal?.removeEventListener('abort', due.onAbort);
      due.resolve();
    }
    this.nowMs = target;
    await flush();
  }
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await new Promise<void>((r) => setImmediate(r));
}
