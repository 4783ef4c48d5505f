// Offsite copies (issue #18): named S3-compatible destinations and the verified copies of
// backups kept there. Types and input schemas shared by the core, the CLI and the screens.
import { z } from 'zod';

/** What a destination is called by: letters, digits, `.`, `_` and `-` (it names the CLI's --to). */
export const destinationNameSchema = z
  .string()
  .trim()
  .min(1, 'name is required')
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only');

/** An object key prefix without leading or trailing slash; '' puts copies at the bucket's root. */
export const prefixSchema = z
  .string()
  .trim()
  .max(512)
  .transform((p) => p.replace(/^\/+|\/+$/g, ''))
  .refine((p) => !p.split('/').some((seg) => seg === '..' || seg === '.'), 'no "." or ".." segments');

export const destinationFields = {
  name: destinationNameSchema,
  /** http(s) URL of the S3 endpoint, without bucket (normalised by the core). */
  endpoint: z.string().min(1, 'endpoint is required').max(2048),
  region: z.string().trim().min(1).max(64).default('us-east-1'),
  bucket: z.string().min(1, 'bucket is required').max(63),
  prefix: prefixSchema.default(''),
  accessKeyId: z.string().trim().min(1, 'accessKeyId is required').max(256),
  forcePathStyle: z.boolean().default(true),
};

export const createDestinationSchema = z
  .object({
    ...destinationFields,
    /**
     * The secret access key. Kept in the secret store (desktop) or this process's memory
     * (CLI, browser: the CLI reads OPS_CONSOLE_OFFSITE_SECRET_ACCESS_KEY each run).
     */
    secretAccessKey: z.string().max(1024).optional(),
    /** Client-side encryption of every copy (chunked AES-256-GCM with a key the user keeps). */
    encrypt: z.boolean().default(false),
    /**
     * With `encrypt`: an existing key (ock1_…) to use, e.g. the one of another install; absent,
     * the core generates one and returns it once as `generatedKey`.
     */
    encryptionKey: z.string().max(256).optional(),
  })
  .strict();

export const updateDestinationSchema = z
  .object({
    id: z.string().min(1),
    name: destinationNameSchema.optional(),
    endpoint: destinationFields.endpoint.optional(),
    region: z.string().trim().min(1).max(64).optional(),
    bucket: destinationFields.bucket.optional(),
    prefix: prefixSchema.optional(),
    accessKeyId: destinationFields.accessKeyId.optional(),
    forcePathStyle: z.boolean().optional(),
    /** undefined keeps the saved secret, '' forgets it. */
    secretAccessKey: z.string().max(1024).optional(),
    /** Save the encryption key (ock1_…) of an encrypting destination; it must be the key of its keyId. */
    encryptionKey: z.string().max(256).optional(),
  })
  .strict();

/** A destination as every client sees it: never a secret, only whether one is at hand. */
export interface OffsiteDestination {
  id: string;
  name: string;
  endpoint: string;
  region: string;
  bucket: string;
  prefix: string;
  accessKeyId: string;
  forcePathStyle: boolean;
  encrypt: boolean;
  /** Id of the encryption key (not the key), when `encrypt`. */
  keyId: string | null;
  /** Whether the secret access key is saved or given by the environment. */
  hasSecret: boolean;
  /** Retention policy for prune; null = none set (prune refuses). */
  retention: { keepLast: number; keepDaily: number; keepWeekly: number; keepMonthly: number } | null;
  createdAt: string;
  updatedAt: string;
}

/** createOffsiteDestination's result: the one time a generated encryption key is shown. */
export interface CreatedDestination extends OffsiteDestination {
  /** The generated encryption key (ock1_…), returned by this call only and never again. */
  generatedKey?: string;
  /** With `encrypt`: what losing the key means and where to keep it. */
  keyWarning?: string;
}

export interface DestinationTestResult {
  ok: true;
  endpoint: string;
  bucket: string;
  /** The probe object written then deleted. */
  probeKey: string;
  durationMs: number;
}

export type CopyStatus = 'running' | 'ok' | 'failed' | 'cancelled' | 'deleted';

/** One row of backup_copies. */
export interface BackupCopy {
  id: string;
  /** What was copied: a database backup, or a storage snapshot (then `backupId` is the snapshot's id). */
  kind: 'backup' | 'storage';
  backupId: string;
  destinationId: string;
  destination: string;
  key: string;
  bytes: number | null;
  sha256: string | null;
  encrypted: boolean;
  keyId: string | null;
  status: CopyStatus;
  startedAt: string;
  finishedAt: string | null;
  verifiedAt: string | null;
  error: string | null;
  /** The backup was written straight to this destination (no local file ever held it). */
  direct?: boolean;
}

/** `ops-console backups copy ID --to DESTINATION --json` (cli.md, fixed fields). */
export interface CopyResult {
  ok: boolean;
  id: string;
  backupId: string;
  destination: string;
  key: string;
  bytes: number;
  sha256: string;
  encrypted: boolean;
  keyId: string | null;
  durationMs: number;
  verified: boolean;
  /** The same copy was already there (same sha256 in its manifest): nothing uploaded. */
  alreadyThere?: boolean;
  /**
   * 'storage' when the id was a storage snapshot's: `key` is then its copy manifest, `sha256`
   * the snapshot manifest's, `bytes` the stored bytes of every object it names.
   */
  kind?: 'backup' | 'storage';
  /** A snapshot's objects, and how many this run sent (the rest were on the destination already). */
  objects?: number;
  uploadedObjects?: number;
  uploadedBytes?: number;
}

export const copyBackupSchema = z
  .object({
    /** A backup's id, or a storage snapshot's. */
    backupId: z.string().min(1, 'backupId is required'),
    /** Destination id or name. */
    destination: z.string().min(1, 'destination is required'),
    /** The caller's id for the copy: `offsite.progress` events carry it and cancelOffsiteCopy takes it. */
    jobId: z.string().min(1).max(200).optional(),
  })
  .strict();

/**
 * A running offsite copy's progress (an AppEvent), at most about four a second: the upload's
 * bytes sent, then the read-back's bytes checked. `copyId` once the copy row exists.
 */
export interface OffsiteProgressEvent {
  type: 'offsite.progress';
  jobId: string;
  copyId?: string;
  /** 'download': a copy being staged back for a restore or drill (jobId stageJobIdFor(backupId)). */
  phase: 'upload' | 'verify' | 'download';
  /** With 'download': the backup being fetched. */
  backupId?: string;
  bytesDone: number;
  bytesTotal: number;
  /** Seconds left at the phase's rate so far; null until it can be told. */
  etaSeconds: number | null;
}

/**
 * The jobId of staging a backup's offsite copy for a restore or drill: its `offsite.progress`
 * events (phase 'download') carry it, and cancelOffsiteCopy with it stops the download (the
 * restore or drill waiting on it then fails CANCELLED, nothing restored).
 */
export function stageJobIdFor(backupId: string): string {
  return `offsite-stage:${backupId}`;
}

const keepCount = z.number().int().min(0).max(1000);
/** Grandfather-father-son per profile + kind (core/offsite/retention.ts); all zero = no policy. */
export const retentionInputSchema = z.object({ keepLast: keepCount, keepDaily: keepCount, keepWeekly: keepCount, keepMonthly: keepCount }).strict();

export interface PrunePlanItem {
  copyId: string;
  backupId: string;
  key: string;
  profile: string;
  kind: string;
  createdAt: string;
  production: boolean;
}

export interface PruneResult {
  ok: boolean;
  destination: string;
  dryRun: boolean;
  /** What is (or would be) deleted. */
  prune: PrunePlanItem[];
  /** What stays, and why (reasons from the policy). */
  keep: Array<PrunePlanItem & { reasons: string[] }>;
  /** Object keys deleted (the copies and their manifests); empty on a dry run. */
  deletedKeys: string[];
}
