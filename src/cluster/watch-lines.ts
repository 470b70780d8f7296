/**
 * Incremental newline-delimited JSON for watch streams. TCP chunks split lines (and UTF-8 characters) anywhere, so
 * bytes are decoded in streaming mode and only complete lines are parsed; the remainder waits for the next chunk.
 */
import { ArgoEntraError } from '../errors.js';
import type { WatchEvent, WatchEventType } from './types.js';

const EVENT_TYPES: ReadonlySet<string> = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

export class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  private pending = '';

  /** Complete lines found in this chunk (without the newline); blank lines are dropped. */
  push(chunk: Uint8Array | string): string[] {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const parts = this.pending.split('\n');
    this.pending = parts.pop() ?? '';
    return parts.map((line) => line.replace(/\r$/, '')).filter((line) => line.trim() !== '');
  }

  /** Whatever is left when the stream ends: a final line without a trailing newline still counts. */
  end(): string[] {
    this.pending += this.decoder.decode();
    const rest = this.pending.replace(/\r$/, '');
    this.pending = '';
    return rest.trim() === '' ? [] : [rest];
  }
}

export function parseWatchLine<T>(line: string): WatchEvent<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (cause) {
    // The line itself is not quoted in the message: it is a response body.
    throw new ArgoEntraError(
      'ERR_KUBE_REQUEST',
      `Kubernetes watch stream sent a line that is not JSON (${line.length} bytes)`,
      {
        cause,
        details: { phase: 'stream' },
      },
    );
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw new ArgoEntraError(
      'ERR_KUBE_REQUEST',
      'Kubernetes watch stream sent a JSON value that is not an event object',
      {
        details: { phase: 'stream' },
      },
    );
  }
  const { type, object } = parsed as { type?: unknown; object?: unknown };
  if (typeof type !== 'string' || !EVENT_TYPES.has(type)) {
    throw new ArgoEntraError(
      'ERR_KUBE_REQUEST',
      `Kubernetes watch stream sent an unknown event type: ${String(type)}`,
      {
        details: { phase: 'stream' },
      },
    );
  }
  return { type: type as WatchEventType, object: object as T };
}
