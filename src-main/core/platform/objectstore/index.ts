// S3-compatible object storage (Supabase Storage's S3 endpoint, offsite buckets): one client
// for listings, downloads and resumable multipart uploads, with its failures worded once.
export { checkBucketName, normaliseEndpoint, type ObjectStoreConfig } from './config';
export { ObjectStore, type DownloadOptions, type DownloadResult, type ObjectInfo, type TransferOptions } from './client';
export { isUnreachable, unquote } from './transfer';
export { failureOf, storageError, type StorageTarget } from './errors';
export {
  MIN_PART_BYTES,
  abortUpload,
  filePartSource,
  fileResumeLog,
  partSizeFor,
  uploadMultipart,
  type MultipartState,
  type PartSource,
  type ResumeLog,
  type UploadOptions,
} from './multipart';
export { uploadStream, type StreamUploadOptions } from './stream-upload';
export { followOn } from './list-pages';
