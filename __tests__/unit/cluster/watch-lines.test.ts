import { LineSplitter, parseWatchLine } from '../../../src/cluster/watch-lines.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function splitAll(chunks: Array<Uint8Array | string>): string[] {
  const splitter = new LineSplitter();
  const out: string[] = [];
  for (const chunk of chunks) out.push(...splitter.push(chunk));
  out.push(...splitter.end());
  return out;
}

describe('LineSplitter', () => {
  const a = '{"type":"ADDED","object":{"n":"a"}}';
  const b = '{"type":"MODIFIED","object":{"n":"ü€"}}';
  const table: Array<{ name: string; chunks: Array<Uint8Array | string>; lines: string[] }> = [
    { name: 'one chunk, two lines', chunks: [`${a}\n${b}\n`], lines: [a, b] },
    {
      name: 'line split mid-object',
      chunks: [a.slice(0, 10), `${a.slice(10)}\n${b.slice(0, 5)}`, `${b.slice(5)}\n`],
      lines: [a, b],
    },
    { name: 'newline alone in a chunk', chunks: [a, '\n', b, '\n'], lines: [a, b] },
    { name: 'CRLF', chunks: [`${a}\r\n${b}\r\n`], lines: [a, b] },
    { name: 'blank keep-alive lines dropped', chunks: [`\n${a}\n\n\n${b}\n`], lines: [a, b] },
    { name: 'last line without newline', chunks: [`${a}\n${b}`], lines: [a, b] },
    { name: 'empty stream', chunks: [], lines: [] },
  ];
  it.each(table)('$name', ({ chunks, lines }) => {
    expect(splitAll(chunks)).toEqual(lines);
  });

  it('joins a multi-byte UTF-8 character split across chunks', () => {
    const bytes = enc(`${b}\n`);
    const cut = bytes.indexOf(0xe2) + 1; // inside the 3-byte "€"
    expect(splitAll([bytes.slice(0, cut), bytes.slice(cut)])).toEqual([b]);
  });

  it('every byte in its own chunk', () => {
    const bytes = enc(`${a}\n${b}\n`);
    expect(splitAll([...bytes].map((x) => Uint8Array.of(x)))).toEqual([a, b]);
  });
});

describe('parseWatchLine', () => {
  it('parses an event', () => {
    expect(parseWatchLine('{"type":"ERROR","object":{"kind":"Status","code":410}}')).toEqual({
      type: 'ERROR',
      object: { kind: 'Status', code: 410 },
    });
  });
  it.each([
    { name: 'not JSON', line: '{"type":' },
    { name: 'not an object', line: '42' },
    { name: 'unknown type', line: '{"type":"WHATEVER","object":{}}' },
  ])('$name -> ERR_KUBE_REQUEST', ({ line }) => {
    expect(() => parseWatchLine(line)).toThrow(expect.objectContaining({ code: 'ERR_KUBE_REQUEST' }));
  });
  it('does not quote the line in the error (it is a response body)', () => {
    expect(() => parseWatchLine('{"secret-ish')).toThrow(
      expect.not.objectContaining({ message: expect.stringContaining('secret-ish') }),
    );
  });
});
