// Supabase Storage's upload rules as the restore preview applies them (core/storage/target-rules.ts),
// each case as storage-api decides it (supabase/storage: limits.ts, uploader.ts, put-object.ts).
import { describe, expect, it } from 'vitest';
import { isSupabaseStorage, NO_RULES, refusalOf, skipOf, type TargetRules } from '../../src-main/core/storage/target-rules';

const rules = (fileSizeLimit: number | null, allowedMimeTypes: string[] | null): TargetRules => ({
  supabaseKeys: true,
  buckets: new Map([['b', { fileSizeLimit, allowedMimeTypes }]]),
  note: null,
});

describe('Supabase Storage upload rules', () => {
  it('knows its S3 endpoint, hosted or self-hosted, and nothing else', () => {
    expect(isSupabaseStorage('https://abcdefgh.supabase.co/storage/v1/s3')).toBe(true);
    expect(isSupabaseStorage('https://abcdefgh.supabase.co/storage/v1/s3/')).toBe(true);
    expect(isSupabaseStorage('http://127.0.0.1:54321/storage/v1/s3')).toBe(true);
    expect(isSupabaseStorage('https://abcdefgh.supabase.co/storage/v1')).toBe(false);
    expect(isSupabaseStorage('https://s3.eu-west-2.amazonaws.com')).toBe(false);
    expect(isSupabaseStorage('not a url')).toBe(false);
  });

  it('keys: ASCII word characters and the listed punctuation only, on Supabase only', () => {
    const ok = "designs/Ring_01 (final)!-v2.*'&$@=;:+,?.png";
    expect(refusalOf(rules(null, null), 'b', ok, 1, 'image/png')).toBeNull();
    for (const bad of ['émeraude.png', 'a\\b.png', 'tab\there', 'quote".png', 'hash#1.png', '%20.png', '{x}.png', '~/x'])
      expect(refusalOf(rules(null, null), 'b', bad, 1, 'image/png')).toMatch(/does not accept/);
    expect(refusalOf(NO_RULES, 'b', 'émeraude.png', 1, 'image/png')).toBeNull();
  });

  it('an empty folder marker is skipped on Supabase (it would land under another key), a non-empty one is an object', () => {
    expect(skipOf(rules(null, null), 'photos/2024/', 0)).toBe(
      'an empty folder marker: Supabase Storage has no such object (it would keep it as photos/2024/.emptyFolderPlaceholder); the folder shows once an object is in it',
    );
    expect(skipOf(rules(null, null), 'photos/odd/', 3)).toBeNull();
    expect(skipOf(rules(null, null), 'photos/a.png', 0)).toBeNull();
    expect(skipOf(NO_RULES, 'photos/2024/', 0)).toBeNull();
  });

  it('types: type/subtype compared part by part, type/* for a whole type, none sent is application/octet-stream', () => {
    const r = rules(null, ['image/*', 'text/plain']);
    expect(refusalOf(r, 'b', 'a.png', 1, 'image/png')).toBeNull();
    expect(refusalOf(r, 'b', 'a.txt', 1, 'text/plain')).toBeNull();
    expect(refusalOf(r, 'b', 'a.txt', 1, 'text/plain; charset=utf-8')).toMatch(/its type text\/plain; charset=utf-8 is not among/);
    expect(refusalOf(r, 'b', 'a.csv', 1, 'text/csv')).toMatch(/not among the bucket's allowed types \(image\/\*, text\/plain\)/);
    // No type sent (a multipart upload of an object without one): storage-api does not check it.
    expect(refusalOf(r, 'b', 'a.bin', 9 * 1024 * 1024, null)).toBeNull();
    expect(refusalOf(r, 'b', 'a.bin', 1, 'application/octet-stream')).toMatch(/application\/octet-stream is not among/);
    expect(refusalOf(r, 'b', 'plain', 1, 'image')).toMatch(/not among/);
    expect(refusalOf(rules(null, []), 'b', 'a.bin', 1, 'application/zip')).toBeNull();
  });

  it('sizes: over the limit refused, a limit of 0 is none, a folder placeholder is held to 0 bytes and exempt from types', () => {
    expect(refusalOf(rules(100, null), 'b', 'a', 100, 'image/png')).toBeNull();
    expect(refusalOf(rules(100, null), 'b', 'a', 101, 'image/png')).toBe("101 bytes is over the bucket's file size limit (100 bytes)");
    expect(refusalOf(rules(0, null), 'b', 'a', 10 ** 9, 'image/png')).toBeNull();
    expect(refusalOf(rules(100, ['image/*']), 'b', 'x/.emptyFolderPlaceholder', 0, 'application/octet-stream')).toBeNull();
    expect(refusalOf(rules(null, null), 'b', 'x/.emptyFolderPlaceholder', 3, null)).toMatch(/over the bucket's file size limit \(0 bytes\)/);
    // A bucket whose settings were not read has no limits here.
    expect(refusalOf(rules(1, ['image/*']), 'other', 'a', 5, 'text/csv')).toBeNull();
  });
});
