// The continuation token read from a ListObjectsV2 answer's raw XML (objectstore/list-pages.ts),
// so the next page is asked for before the SDK has parsed this one: it must read exactly what
// the SDK's parse reads, or nothing (the listing then asks with the parsed token).
import { describe, expect, it } from 'vitest';
import { nextTokenIn } from '../../src-main/core/platform/objectstore/list-pages';

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

  it('reads a view into a larger buffer at its offset', () => {
    const whole = Buffer.concat([
      Buffer.from('garbage<NextContinuationToken>wrong</NextContinuationToken>'),
      page('<NextContinuationToken>right</NextContinuationToken>'),
    ]);
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 59, whole.byteLength - 59);
    expect(nextTokenIn(view)).toBe('right');
  });
});
