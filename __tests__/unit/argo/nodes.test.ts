import { describe, expect, it } from '@jest/globals';
import * as zlib from 'node:zlib';
import {
  decodeCompressedNodes,
  detectCompression,
  encodeCompressedNodes,
  nodesOf,
  readNodes,
} from '../../../src/argo/nodes.js';
import { ArgoEntraError } from '../../../src/errors.js';

const nodes = { n1: { id: 'n1', name: 'wf', type: 'DAG', phase: 'Running' } };
const json = Buffer.from(JSON.stringify(nodes));

describe('nodes', () => {
  it('Node 24 has zstd in zlib', () => {
    expect(typeof (zlib as unknown as Record<string, unknown>)['zstdDecompressSync']).toBe('function');
  });

  it.each([
    ['gzip', zlib.gzipSync(json)],
    ['zstd', zlib.zstdCompressSync(json)],
    ['brotli', zlib.brotliCompressSync(json)],
  ])('decodes %s compressedNodes', (algo, raw) => {
    const view = readNodes({ compressedNodes: raw.toString('base64') });
    expect(view).toEqual({ kind: 'compressed', nodes, compression: algo });
  });

  it.each(['gzip', 'zstd', 'brotli'] as const)('round-trips %s', (algo) => {
    const encoded = encodeCompressedNodes(nodes as never, algo);
    expect(detectCompression(Buffer.from(encoded, 'base64'))).toBe(algo);
    expect(decodeCompressedNodes(encoded).nodes).toEqual(nodes);
  });

  it('prefers inline nodes', () => {
    expect(readNodes({ nodes: nodes as never })).toEqual({ kind: 'inline', nodes });
  });

  it('reports offloaded nodes as held by the server', () => {
    expect(readNodes({ offloadNodeStatusVersion: 'fnv:1' })).toEqual({ kind: 'offloaded', version: 'fnv:1' });
    expect(nodesOf({ offloadNodeStatusVersion: 'fnv:1' })).toBeUndefined();
  });

  it('no status, no nodes', () => {
    expect(readNodes(undefined)).toEqual({ kind: 'none' });
    expect(nodesOf({})).toEqual({});
  });

  it.each([
    ['corrupt gzip', Buffer.from([0x1f, 0x8b, 1, 2, 3]).toString('base64')],
    ['not JSON', zlib.gzipSync('not json').toString('base64')],
    ['a JSON list', zlib.gzipSync('[1]').toString('base64')],
  ])('%s is a coded error', (_l, data) => {
    expect(() => decodeCompressedNodes(data)).toThrow(ArgoEntraError);
  });
});
