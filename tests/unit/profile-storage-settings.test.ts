// The storage connection's contract (endpoint rules, defaults), the Supabase storage hint of
// an imported URL, and the CLI's storage secret: environment first, the secret store next,
// never the database password prompt, and a clear error without a terminal.
import { describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import { profileInputSchema, storageSettingsSchema } from '../../src-main/contract/models';
import type { Io } from '../../src-main/cli/io';
import { withPasswordRetry } from '../../src-main/cli/password-retry';
import { STORAGE_SECRET_ENV, withStorageSecret } from '../../src-main/cli/storage-secret';
import { parseProfileUri } from '../../src-main/core/profiles/uri';

const io: Io = { json: false, isTerminal: false, out: () => undefined, err: () => undefined };
const storageRequired = () => new OpsError('PASSWORD_REQUIRED', 'The storage secret access key of profile "p" is needed (CLI: X).', { secret: 'storage' });

describe('storageSettingsSchema', () => {
  it('normalises the endpoint and fills the defaults', () => {
    expect(storageSettingsSchema.parse({ endpoint: ' https://ref.supabase.co/storage/v1/s3/ ', accessKeyId: 'k1' })).toEqual({
      endpoint: 'https://ref.supabase.co/storage/v1/s3',
      region: 'us-east-1',
      accessKeyId: 'k1',
      forcePathStyle: true,
    });
    expect(profileInputSchema.parse({ name: 'a', host: 'h', database: 'd', user: 'u' }).storage).toBeNull();
  });

  it('refuses what is not an http(s) endpoint, keys in the URL, a query, and a missing or long key id', () => {
    const message = (input: unknown) => {
      const r = storageSettingsSchema.safeParse(input);
      return r.success ? 'accepted' : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    };
    expect(message({ endpoint: 'not a url', accessKeyId: 'k' })).toMatch(/^endpoint: .*is not a URL/);
    expect(message({ endpoint: 'ftp://x/s3', accessKeyId: 'k' })).toContain('http(s)');
    expect(message({ endpoint: 'https://id:secret@x/s3', accessKeyId: 'k' })).toContain('keys never go in the endpoint URL');
    expect(message({ endpoint: 'https://x/s3?a=1', accessKeyId: 'k' })).toContain('no query');
    expect(message({ endpoint: 'https://x/s3', accessKeyId: '' })).toMatch(/^accessKeyId: /);
    expect(message({ endpoint: 'https://x/s3', accessKeyId: 'k'.repeat(129) })).toContain('at most 128');
  });

  it('a Supabase URL hints the project storage endpoint, with the region when the pooler names it', () => {
    expect(parseProfileUri('postgresql://postgres@db.abcdefghijklmnop.supabase.co/postgres').storageHint).toEqual({
      endpoint: 'https://abcdefghijklmnop.supabase.co/storage/v1/s3',
      region: null,
    });
    expect(parseProfileUri('postgresql://postgres.abcdefghijklmnop@aws-0-eu-west-2.pooler.supabase.com:5432/postgres').storageHint).toEqual({
      endpoint: 'https://abcdefghijklmnop.supabase.co/storage/v1/s3',
      region: 'eu-west-2',
    });
    expect(parseProfileUri('postgresql://app@db.example.com/shop').storageHint).toBeUndefined();
  });
});

describe('withStorageSecret', () => {
  it('uses the environment variable first, else calls without a secret (the secret store)', async () => {
    const seen: Array<string | undefined> = [];
    await withStorageSecret({ io }, 'p', (s) => Promise.resolve(seen.push(s)), { [STORAGE_SECRET_ENV]: 'from-env' });
    await withStorageSecret({ io }, 'p', (s) => Promise.resolve(seen.push(s)), {});
    expect(seen).toEqual(['from-env', undefined]);
  });

  it('without a terminal, says which variable to set; other errors pass untouched', async () => {
    const err = await withStorageSecret({ io }, 'p', () => Promise.reject(storageRequired()), {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpsError);
    expect((err as OpsError).code).toBe('PASSWORD_REQUIRED');
    expect((err as OpsError).message).toContain(`set ${STORAGE_SECRET_ENV}`);
    const other = new OpsError('STORAGE_FAILED', 'refused');
    await expect(withStorageSecret({ io }, 'p', () => Promise.reject(other), {})).rejects.toBe(other);
  });

  it('the database password retry leaves the storage secret alone', async () => {
    const first = storageRequired();
    let calls = 0;
    const tty: Io = { ...io, isTerminal: true };
    await expect(
      withPasswordRetry({ io: tty }, { user: 'u', host: 'h', port: 5432 }, () => {
        calls += 1;
        return Promise.reject(first);
      }),
    ).rejects.toBe(first);
    expect(calls).toBe(1); // no "Password for u@h:5432" prompt was opened
  });
});
