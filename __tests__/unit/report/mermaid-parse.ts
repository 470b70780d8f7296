/**
 * The real Mermaid parser in Node: mermaid needs a DOM (DOMPurify binds to `window` when first imported), so a
 * jsdom window is installed on globalThis before mermaid is imported for the first time.
 */
import { JSDOM } from 'jsdom';

type MermaidApi = { parse(text: string): Promise<unknown> };
let api: MermaidApi | undefined;

export async function mermaidParse(text: string): Promise<unknown> {
  if (api === undefined) {
    const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
    const g = globalThis as Record<string, unknown>;
    g['window'] = dom.window;
    g['document'] = dom.window.document;
    const mod = (await import('mermaid')) as unknown as { default: MermaidApi };
    api = mod.default;
  }
  return api.parse(text);
}
