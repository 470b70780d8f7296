/**
 * Node statuses live in one of three places: `status.nodes`; `status.compressedNodes` (base64 of gzip, or since
 * Argo v4.1 zstd or brotli, of the JSON map) when the workflow grew large; or a database (`offloadNodeStatusVersion`),
 * which only argo-server can read. Decompression detects the algorithm by magic bytes, as Argo's DecompressContent
 * does: zstd magic, then gzip magic, anything else is tried as brotli (brotli has no magic).
 */
import * as zlib from 'node:zlib';
import { ArgoEntraError } from '../errors.js';
import type { Workflow, WorkflowNode, WorkflowStatus } from './types.js';

export type Compression = 'gzip' | 'zstd' | 'brotli';

export type NodesView =
  | { readonly kind: 'none' }
  | { readonly kind: 'inline'; readonly nodes: Record<string, WorkflowNode> }
  | { readonly kind: 'compressed'; readonly nodes: Record<string, WorkflowNode>; readonly compression: Compression }
  | { readonly kind: 'offloaded'; readonly version: string };

const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

// zstd arrived in Node 23.8/22.15; the engines field allows older 22.x, so look before using it.
type ZstdFn = (buf: Buffer) => Buffer;
const zstdDecompress = (zlib as unknown as { zstdDecompressSync?: ZstdFn }).zstdDecompressSync;
const zstdCompress = (zlib as unknown as { zstdCompressSync?: ZstdFn }).zstdCompressSync;

export function detectCompression(raw: Buffer): Compression {
  if (raw.subarray(0, 4).equals(ZSTD_MAGIC)) return 'zstd';
  if (raw.subarray(0, 2).equals(GZIP_MAGIC)) return 'gzip';
  return 'brotli';
}

function unreadable(message: string, cause?: unknown): ArgoEntraError {
  return new ArgoEntraError('ERR_ARGO_OPERATION', `Cannot read status.compressedNodes: ${message}`, {
    cause,
    hint: 'The node details are unreadable here; the workflow phase is still reliable. Check the Argo version and WORKFLOW_COMPRESSION_ALGORITHM.',
  });
}

export function decodeCompressedNodes(encoded: string): {
  nodes: Record<string, WorkflowNode>;
  compression: Compression;
} {
  const raw = Buffer.from(encoded, 'base64');
  const compression = detectCompression(raw);
  let json: Buffer;
  try {
    if (compression === 'zstd') {
      if (!zstdDecompress) throw unreadable(`zstd needs Node.js >= 22.15 (running ${process.version}).`);
      json = zstdDecompress(raw);
    } else if (compression === 'gzip') {
      json = zlib.gunzipSync(raw);
    } else {
      json = zlib.brotliDecompressSync(raw);
    }
  } catch (error) {
    if (error instanceof ArgoEntraError) throw error;
    throw unreadable(`${compression} data is corrupt.`, error);
  }
  try {
    const nodes = JSON.parse(json.toString('utf8')) as unknown;
    if (typeof nodes !== 'object' || nodes === null || Array.isArray(nodes)) throw new Error('not a JSON object');
    return { nodes: nodes as Record<string, WorkflowNode>, compression };
  } catch (error) {
    throw unreadable('the decompressed data is not a JSON map of nodes.', error);
  }
}

export function encodeCompressedNodes(nodes: Record<string, WorkflowNode>, compression: Compression): string {
  const json = Buffer.from(JSON.stringify(nodes), 'utf8');
  let raw: Buffer;
  if (compression === 'zstd' && zstdCompress) raw = zstdCompress(json);
  else if (compression === 'brotli') raw = zlib.brotliCompressSync(json);
  else raw = zlib.gzipSync(json);
  return raw.toString('base64');
}

export function readNodes(status: WorkflowStatus | undefined): NodesView {
  if (!status) return { kind: 'none' };
  if (status.nodes && Object.keys(status.nodes).length > 0) return { kind: 'inline', nodes: status.nodes };
  if (typeof status.compressedNodes === 'string' && status.compressedNodes !== '') {
    return { kind: 'compressed', ...decodeCompressedNodes(status.compressedNodes) };
  }
  if (typeof status.offloadNodeStatusVersion === 'string' && status.offloadNodeStatusVersion !== '') {
    return { kind: 'offloaded', version: status.offloadNodeStatusVersion };
  }
  return { kind: 'none' };
}

/** The nodes as a map, or undefined when the server holds them (offloaded). */
export function nodesOf(status: WorkflowStatus | undefined): Record<string, WorkflowNode> | undefined {
  const view = readNodes(status);
  if (view.kind === 'offloaded') return undefined;
  return view.kind === 'none' ? {} : view.nodes;
}

/** Write nodes back where they came from (compressed stays compressed with the same algorithm). */
export function writeNodes(status: WorkflowStatus, nodes: Record<string, WorkflowNode>, previous: NodesView): void {
  if (previous.kind === 'compressed') {
    status.compressedNodes = encodeCompressedNodes(nodes, previous.compression);
    delete status.nodes;
  } else {
    status.nodes = nodes;
    delete status.compressedNodes;
  }
}

export type ReadableNodesView = Exclude<NodesView, { readonly kind: 'offloaded' }>;

/**
 * The node status an operation rewrites (resume, retry). Offloaded nodes live only in argo-server's database, so the
 * Kubernetes API cannot rewrite them: refuse with the way that works.
 */
export function requireReadableNodes(wf: Workflow, operation: 'resume' | 'retry', phase: string): ReadableNodesView {
  const view = readNodes(wf.status);
  if (view.kind !== 'offloaded') return view;
  const name = wf.metadata.name ?? '';
  const verb = `${operation[0]?.toUpperCase() ?? ''}${operation.slice(1)}`;
  throw new ArgoEntraError(
    'ERR_ARGO_OPERATION',
    `Cannot ${operation} workflow "${name}" through the Kubernetes API: its node status is offloaded to Argo's database (version ${view.version}).`,
    {
      hint: `${verb} it through argo-server (argo ${operation}, or the UI), which can read offloaded nodes.`,
      details: { name, phase },
    },
  );
}
