// Supabase Storage's S3 endpoint in front of a real S3 server, for tests: requests under
// /storage/v1/s3 are passed to s3rver with that prefix cut (as the project's gateway routes them
// to storage-api), and uploads are first held to the rules storage-api applies, read from the
// project's own storage.buckets on every request as storage-api does (supabase/storage:
// limits.ts isValidKey, uploader.ts validateMimeType, put-object.ts's bucket lookup). A refusal
// is answered as storage-api's S3 error handler does: an XML <Error> with Resource, Code, Message.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalS3 } from './s3';
import type { SupabaseCluster } from './supabase';

const PREFIX = '/storage/v1/s3';
const VALID_KEY = /^(\w|\/|!|-|\.|\*|'|\(|\)| |&|\$|@|=|;|:|\+|,|\?)*$/;

export interface SupabaseS3 {
  /** The endpoint a profile is given: http://127.0.0.1:PORT/storage/v1/s3. */
  endpoint: string;
  close(): Promise<void>;
}

function refuse(res: http.ServerResponse, status: number, resource: string, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Resource>${resource}</Resource><Code>${code}</Code><Message>${message}</Message></Error>`);
}

function mimeAllowed(mime: string, allowed: string[]): boolean {
  const [type, ext] = mime.split('/');
  if (ext === undefined) return false;
  return allowed.some((a) => {
    const [aType, aExt] = a.split('/');
    return aType === type && (aExt === '*' || aExt === ext);
  });
}

/**
 * What storage-api refuses for an upload of `key` into `bucket`, or null: a PutObject (its size,
 * and its type, application/octet-stream when none is sent), a CreateMultipartUpload (its type,
 * only when one is sent; no size yet) or an UploadPart (`size` = the parts' running total).
 */
async function refusal(db: SupabaseCluster, bucket: string, key: string, size: number | null, mime: string | null): Promise<[number, string, string] | null> {
  if (key.length === 0 || !VALID_KEY.test(key)) return [400, 'InvalidKey', `Invalid key: ${key}`];
  const rows = await db.sql<{ file_size_limit: string | null; allowed_mime_types: string[] | null }>(
    `SELECT file_size_limit::text AS file_size_limit, allowed_mime_types FROM storage.buckets WHERE id = '${bucket.replace(/'/g, "''")}'`,
  );
  const b = rows.rows[0];
  if (!b) return [404, 'NoSuchBucket', 'Bucket not found'];
  const placeholder = key.endsWith('.emptyFolderPlaceholder');
  const allowed = b.allowed_mime_types ?? [];
  if (mime !== null && !placeholder && allowed.length > 0 && !mimeAllowed(mime, allowed)) return [415, 'InvalidMimeType', `mime type ${mime} is not supported`];
  const limit = placeholder ? 0 : Number(b.file_size_limit) || null;
  if (limit !== null && size !== null && size > limit) return [413, 'EntityTooLarge', 'The object exceeded the maximum allowed size'];
  return null;
}

export async function startSupabaseS3(s3: LocalS3, db: SupabaseCluster): Promise<SupabaseS3> {
  /** Bytes received so far by each multipart upload (upload-part.ts checks the running total). */
  const received = new Map<string, number>();
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (!url.pathname.startsWith(`${PREFIX}/`)) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"message":"no Route matched with those values"}');
        return;
      }
      let rest = url.pathname.slice(PREFIX.length);
      // put-object.ts: an empty upload to "folder/" is stored as "folder/.emptyFolderPlaceholder", before any check.
      if (req.method === 'PUT' && rest.endsWith('/') && req.headers['content-length'] === '0' && !url.searchParams.has('partNumber'))
        rest += '.emptyFolderPlaceholder';
      const [, bucket = '', ...keyParts] = rest.split('/');
      const key = decodeURIComponent(keyParts.join('/'));
      const length = Number(req.headers['x-amz-decoded-content-length'] ?? req.headers['content-length'] ?? 0);
      const uploadId = url.searchParams.get('uploadId');
      let check: { size: number | null; mime: string | null } | null = null;
      if (req.method === 'PUT' && key !== '' && url.searchParams.has('partNumber') && uploadId !== null) {
        const total = (received.get(uploadId) ?? 0) + length;
        received.set(uploadId, total);
        check = { size: total, mime: null };
      } else if (req.method === 'PUT' && key !== '') check = { size: length, mime: req.headers['content-type'] ?? 'application/octet-stream' };
      else if (req.method === 'POST' && url.searchParams.has('uploads')) check = { size: null, mime: req.headers['content-type'] ?? null };
      if (check !== null) {
        const refused = await refusal(db, decodeURIComponent(bucket), key, check.size, check.mime);
        if (refused) {
          req.resume();
          refuse(res, refused[0], `${decodeURIComponent(bucket)}/${key}`, refused[1], refused[2]);
          return;
        }
      }
      const upstream = http.request(
        { host: '127.0.0.1', port: s3.port, method: req.method, path: rest + url.search, headers: { ...req.headers, host: `127.0.0.1:${s3.port}` } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      req.pipe(upstream);
    })().catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}${PREFIX}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
