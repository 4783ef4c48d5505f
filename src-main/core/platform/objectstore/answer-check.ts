// Is what answered an S3 store at all? A DBA who pastes the project's URL, the dashboard's, or
// the Storage REST URL instead of the S3 endpoint reaches a server that answers 200 with a web
// page or JSON. The SDK parses that leniently into an empty answer: no buckets, an empty
// bucket, an object with no ETag, an upload id of nothing. A snapshot would then publish zero
// objects as a good backup, and an offsite copy would "upload" a dump into a web page.
//
// So every command's answer is held to what S3 always sends (and Supabase Storage, s3rver,
// MinIO, R2 and AWS do): a listing names its bucket, a bucket list has a <Buckets> element,
// an object read or written has an ETag, a multipart upload has an id. One middleware on the
// client checks them all, whichever screen or command sent the request.
import type { S3Client } from '@aws-sdk/client-s3';
import { notS3Answer } from './errors';

type Middleware = Parameters<S3Client['middlewareStack']['add']>[0];

/** Just outside the SDK's parser: sees each parsed answer (inside the SDK's retries, which never retry this error). */
export const ANSWER_CHECK_OPTIONS = { step: 'deserialize', priority: 'high', name: 'opsS3AnswerCheck' } as const;

interface Answer {
  Name?: unknown;
  Buckets?: unknown;
  Owner?: unknown;
  ETag?: unknown;
  UploadId?: unknown;
  Body?: { destroy?: () => void };
}

/** What the answer to `command` lacks, or null when it is what S3 sends. */
export function missingFromAnswer(command: string, out: Answer): string | null {
  switch (command) {
    case 'ListObjectsV2Command':
      return out.Name === undefined ? 'the bucket name S3 puts in every listing' : null;
    // S3 sends <Buckets/> even when there are none; a web page parses to neither element.
    case 'ListBucketsCommand':
      return out.Buckets === undefined && out.Owner === undefined ? 'a list of buckets' : null;
    case 'GetObjectCommand':
    case 'HeadObjectCommand':
    case 'PutObjectCommand':
    case 'UploadPartCommand':
    case 'CompleteMultipartUploadCommand':
      return out.ETag === undefined ? 'an ETag' : null;
    case 'CreateMultipartUploadCommand':
      return out.UploadId === undefined ? 'an upload id' : null;
    default:
      return null;
  }
}

export function answerCheck(endpoint: string): Middleware {
  return ((next: (args: unknown) => Promise<{ output: Answer }>, context: { commandName?: string }) =>
    async (args: { input?: { Bucket?: string; Key?: string } }) => {
      const result = await next(args);
      const command = context.commandName ?? '';
      const missing = missingFromAnswer(command, result.output);
      if (missing === null) return result;
      result.output.Body?.destroy?.();
      const { Bucket: bucket, Key: key } = args.input ?? {};
      const request = `${command.replace(/Command$/, '')}${key === undefined ? '' : ` of ${key}`}${bucket === undefined ? '' : ` in bucket ${bucket}`}`;
      throw notS3Answer(endpoint, request, missing, { ...(bucket === undefined ? {} : { bucket }), ...(key === undefined ? {} : { key }) });
    }) as unknown as Middleware;
}
