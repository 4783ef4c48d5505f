// The continuation token read from a ListObjectsV2 answer's raw XML (objectstore/list-pages.ts),
// so the next page is asked for before the SDK has parsed this one: it must read exactly what
// the SDK's parse reads, or nothing (the listing then asks with the parsed token).
import { Readable } from 'node:stream';
import type { ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { listPages, nextTokenIn, type ListMiddleware } from '../../src-main/core/platform/objectstore/list-pages';

const TARGET = { endpoint: 'http://127.0.0.1:9', bucket: 'designs' };

const page = (inner: string) =>
  Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>${inner}</ListBucketResult>`,
  );

describe('nextTokenIn', () => {
  it('reads a base64 token as S3 writes it', () => {
    expect(
      nextTokenIn(page('<IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>')),
    ).toBe('1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=');
  });

  it('unescapes the XML entities and character references', () => {
    expect(nextTokenIn(page('<NextContinuationToken>a&amp;b&lt;c&gt;d&quot;e&apos;f&#43;g&#x2F;h</NextContinuationToken>'))).toBe('a&b<c>d"e\'f+g/h');
  });

  it('nothing when the page is the last, the token is empty, cut off, or not plain text', () => {
    expect(nextTokenIn(page('<IsTruncated>false</IsTruncated><Contents><Key>NextContinuationToken</Key></Contents>'))).toBeNull();
    expect(nextTokenIn(page('<NextContinuationToken></NextContinuationToken>'))).toBeNull();
    expect(nextTokenIn(Buffer.from('<ListBucketResult><NextContinuationToken>abc'))).toBeNull();
    expect(nextTokenIn(page('<NextContinuationToken><![CDATA[abc]]></NextContinuationToken>'))).toBeNull();
    expect(nextTokenIn(page('<NextContinuationToken>a&unknown;b</NextContinuationToken>'))).toBeNull();
    expect(nextTokenIn(page('<NextContinuationToken>a&#x110000;b</NextContinuationToken>'))).toBeNull();
  });

  it('reads CR LF and a lone CR as LF, as the XML parser does', () => {
    expect(nextTokenIn(page('<NextContinuationToken>ab\r\ncd\ref</NextContinuationToken>'))).toBe('ab\ncd\nef');
  });

  it('reads a view into a larger buffer at its offset', () => {
    const whole = Buffer.concat([
      Buffer.from('garbage<NextContinuationToken>wrong</NextContinuationToken>'),
      page('<NextContinuationToken>right</NextContinuationToken>'),
    ]);
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 59, whole.byteLength - 59);
    expect(nextTokenIn(view)).toBe('right');
  });
});

/**
 * The listing's read-ahead over a stand-in for one ListObjectsV2 request: `raw` is the token
 * the answer's XML shows (run through the real peek middleware), `parsed` what the SDK's
 * parse gives. A request that `hangs` answers only when aborted.
 */
interface FakePage {
  raw?: string;
  parsed?: string;
  hangs?: boolean;
}

function fakeRequests(pages: Record<string, FakePage>) {
  const asked: Array<{ token: string | undefined; signal: AbortSignal }> = [];
  const peeked: Array<string | undefined> = [];
  const request = async (token: string | undefined, signal: AbortSignal, peek: ListMiddleware | null): Promise<ListObjectsV2CommandOutput> => {
    asked.push({ token, signal });
    const p = pages[token ?? 'first']!;
    if (peek && p.raw !== undefined) {
      const body = Readable.from([
        Buffer.from(`<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>${p.raw}</NextContinuationToken></ListBucketResult>`),
      ]);
      const handler = (peek as unknown as (next: unknown, context: unknown) => (args: unknown) => Promise<unknown>)(
        async () => ({ response: { statusCode: 200, body }, output: {} }),
        {},
      );
      await handler({ input: {}, request: {} });
      peeked.push(token);
    }
    // As the SDK does: a request whose signal is aborted, before or while it runs, rejects.
    if (signal.aborted) throw new Error('aborted before sending');
    if (p.hangs) await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    await new Promise((resolve, reject) => {
      const answer = setTimeout(resolve, 5);
      signal.addEventListener('abort', () => (clearTimeout(answer), reject(new Error('aborted'))), { once: true });
    });
    return { IsTruncated: p.parsed !== undefined, NextContinuationToken: p.parsed, $metadata: {} };
  };
  return { asked, peeked, request };
}

describe('listPages read-ahead', () => {
  it('a page asked for under a raw token the parse did not confirm is stopped at once; the parsed token is asked for', async () => {
    const fake = fakeRequests({
      first: { raw: 'raw-1', parsed: 'parsed-1' },
      'raw-1': { hangs: true },
      'parsed-1': { raw: 'tok-2', parsed: 'tok-2' },
      'tok-2': {},
    });
    const got: Array<string | null> = [];
    let unconfirmedStopped: boolean | null = null;
    for await (const p of listPages(fake.request, true, undefined, TARGET)) {
      got.push(p.NextContinuationToken ?? null);
      if (got.length === 1) unconfirmedStopped = fake.asked.find((a) => a.token === 'raw-1')!.signal.aborted;
    }
    expect(got).toEqual(['parsed-1', 'tok-2', null]);
    expect(fake.asked.map((a) => a.token)).toEqual([undefined, 'raw-1', 'parsed-1', 'tok-2']);
    expect(unconfirmedStopped).toBe(true);
  });

  it('stays at most one page ahead: a page that arrives while its caller still holds the one before asks for nothing', async () => {
    const fake = fakeRequests({ first: { raw: 't1', parsed: 't1' }, t1: { raw: 't2', parsed: 't2' }, t2: { raw: 't3', parsed: 't3' }, t3: {} });
    const pages = listPages(fake.request, true, undefined, TARGET);
    await pages.next(); // page 1 handed over; page 2 was asked for early
    // The caller holds page 1 while page 2 answers (its raw token peeked): page 3 waits for the caller.
    for (let i = 0; i < 100 && !fake.peeked.includes('t1'); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(fake.peeked).toContain('t1');
    expect(fake.asked.map((a) => a.token)).toEqual([undefined, 't1']);
    const rest: Array<string | null> = [];
    for await (const p of pages) rest.push(p.NextContinuationToken ?? null);
    expect(rest).toEqual(['t2', 't3', null]);
    expect(fake.asked.map((a) => a.token)).toEqual([undefined, 't1', 't2', 't3']);
  });

  it('a listing cancelled before its first page, or between pages, asks for nothing more and fails', async () => {
    const pages = { first: { parsed: 't1' }, t1: { parsed: 't2' }, t2: {} };
    const before = fakeRequests(pages);
    const cancelled = new AbortController();
    cancelled.abort();
    await expect(
      (async () => {
        for await (const p of listPages(before.request, true, cancelled.signal, TARGET)) void p;
      })(),
    ).rejects.toThrow(/aborted/);
    expect(before.asked.map((a) => a.signal.aborted)).toEqual([true]);

    for (const readAhead of [true, false]) {
      const between = fakeRequests(pages);
      const stop = new AbortController();
      const seen: Array<string | null> = [];
      await expect(
        (async () => {
          for await (const p of listPages(between.request, readAhead, stop.signal, TARGET)) {
            seen.push(p.NextContinuationToken ?? null);
            stop.abort();
          }
        })(),
      ).rejects.toThrow(/aborted/);
      expect(seen).toEqual(['t1']);
      // Page 2 (asked for ahead, or after the cancel) went with an aborted signal; page 3 never.
      expect(between.asked.map((a) => a.token)).toEqual([undefined, 't1']);
      expect(between.asked[1]!.signal.aborted).toBe(true);
    }
  });
});
