import type { ProgressEvent } from '../argo/progress.js';

/** One log line per wait event; undefined for events not worth a line. */
export function formatWaitEvent(event: ProgressEvent): string | undefined {
  switch (event.type) {
    case 'phase':
      return `workflow ${event.previous || '(new)'} -> ${event.phase || 'Pending'}${event.message ? `: ${event.message}` : ''}`;
    case 'progress':
      return `progress ${event.progress}`;
    case 'node':
      return `  ${event.displayName || event.name} (${event.nodeType}) ${event.previous ?? '(new)'} -> ${event.phase || 'Pending'}${event.message ? `: ${event.message}` : ''}`;
    case 'nodes-offloaded':
      return `node details are offloaded to the Argo server's database (version ${event.version}); only argo-server can show them`;
    case 'nodes-unreadable':
      return `node details could not be read: ${event.message}`;
    case 'no-status':
      return event.message;
    case 'reconnect':
      return `watch ${event.reason}; reconnecting in ${Math.round(event.delayMs)} ms (attempt ${event.attempt})${event.error ? `: ${event.error}` : ''}`;
  }
}
