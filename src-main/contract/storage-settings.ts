// A profile's S3 storage connection as the contract validates it (kept apart from models.ts
// to keep that file readable).
import { z } from 'zod';

/**
 * The profile's Supabase Storage (S3) connection, or any S3-compatible endpoint (issue #18).
 * Never the secret access key: that lives in the secret store (kind 'storage'). The endpoint
 * rules are platform/objectstore normaliseEndpoint's, repeated here because the contract
 * imports nothing from the core.
 */
export const storageSettingsSchema = z.object({
  endpoint: z
    .string()
    .trim()
    .min(1, 'endpoint is required, e.g. https://<project-ref>.supabase.co/storage/v1/s3')
    .max(2048)
    .superRefine((text, ctx) => {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: `${text} is not a URL: give the S3 endpoint, e.g. https://<project-ref>.supabase.co/storage/v1/s3` });
        return;
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:')
        ctx.addIssue({ code: 'custom', message: `the S3 endpoint must be an http(s) URL, not ${url.protocol}` });
      else if (url.username !== '' || url.password !== '')
        ctx.addIssue({
          code: 'custom',
          message: 'keys never go in the endpoint URL: give the access key id on its own and the secret through the secret store',
        });
      else if (url.search !== '' || url.hash !== '') ctx.addIssue({ code: 'custom', message: 'the S3 endpoint takes no query or fragment' });
    })
    .transform((text) => {
      try {
        return new URL(text).toString().replace(/\/+$/, '');
      } catch {
        return text;
      }
    }),
  region: z.string().trim().min(1, 'region is required').max(64).default('us-east-1'),
  accessKeyId: z.string().trim().min(1, 'accessKeyId is required').max(128, 'accessKeyId is at most 128 characters'),
  /** Bucket in the path rather than the host name: Supabase Storage and MinIO need it. */
  forcePathStyle: z.boolean().default(true),
});
export type StorageSettings = z.output<typeof storageSettingsSchema>;
export type StorageSettingsInput = z.input<typeof storageSettingsSchema>;

/** What testStorageConnection answers: the buckets the access key can see. */
export interface StorageTestResult {
  ok: true;
  endpoint: string;
  buckets: string[];
  ms: number;
}
