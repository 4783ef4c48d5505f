// The event-stream worker's framing (browser mode's /events, read off the main thread):
// every event comes out whole and once, however the network cut the text, with the
// line endings and fields the EventSource spec allows.
import { describe, expect, it } from 'vitest';
import { SseParser } from '../../src-renderer/src/shared/api/sse-parser';

/** Feeds `text` cut at the given offsets; answers every event's data. */
function feed(text: string, cuts: number[]): string[] {
  const parser = new SseParser();
  const out: string[] = [];
  let at = 0;
  for (const cut of [...cuts, text.length]) {
    out.push(...parser.push(text.slice(at, cut)));
    at = cut;
  }
  return out;
}

describe('SseParser', () => {
  it("frames the host's stream: comments skipped, one event per blank line, the space after data: dropped", () => {
    const stream = ': connected\n\ndata: {"type":"a"}\n\n: ping\n\ndata:{"type":"b"}\n\n';
    expect(feed(stream, [])).toEqual(['{"type":"a"}', '{"type":"b"}']);
  });

  it('gives the same events whatever the chunking, down to one character at a time', () => {
    const big = JSON.stringify({ type: 'query.rows', rows: Array.from({ length: 2000 }, (_, i) => [i, `h${i}`, null]) });
    const stream = `: connected\n\ndata: ${big}\n\ndata: {"n":1}\r\n\r\ndata: {"n":2}\r\rdata: x\ndata: y\n\n`;
    const expected = [big, '{"n":1}', '{"n":2}', 'x\ny'];
    expect(feed(stream, [])).toEqual(expected);
    expect(feed(stream, [5, 40, 41, 5000, big.length + 12])).toEqual(expected);
    const crlf = stream.indexOf('\r\n');
    // A \r\n split across two chunks is one line end, not two (which would end an event early).
    expect(feed(stream, [crlf + 1])).toEqual(expected);
    const tail = stream.slice(stream.length - 60);
    const parser = new SseParser();
    const out = parser.push(stream.slice(0, stream.length - 60));
    for (const ch of tail) out.push(...parser.push(ch));
    expect(out).toEqual(expected);
  });

  it('holds an event until its blank line comes, and skips fields this host never sends', () => {
    const parser = new SseParser();
    expect(parser.push('event: x\nid: 3\nretry: 10\ndata: partial')).toEqual([]);
    expect(parser.push('-rest\n')).toEqual([]);
    expect(parser.push('\n')).toEqual(['partial-rest']);
    expect(parser.push('\n\n')).toEqual([]);
  });
});
