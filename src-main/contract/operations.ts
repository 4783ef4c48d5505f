// The one API contract. Every operation is declared here once: its name, the zod schema
// of its input, its result type and the error codes it may answer with. Main registers
// handlers from this table, preload generates one intent-level function per entry, the
// web host routes `/api/<name>` from it and the renderer's client is typed by it.
// No channel name is written anywhere else (see `channelFor`).
import { z } from 'zod';
import type { Envelope } from './errors';
import type { PackedRows } from './packed-rows';
import {
  auditQuerySchema,
  hostKeyPinSchema,
  profileInputSchema,
  editorTabSchema,
  MAX_RESULT_ROWS,
  type EditorTab,
  type ExplainResult,
  type QueryCatalog,
  type QueryCell,
  type QueryColumn,
  type QueryExportResult,
  type QueryHistoryEntry,
  type QueryRunResult,
  type Snippet,
  type SshSettingsInput,
  type StatementPlan,
  type AppInfo,
  type AuditEntry,
  type AuditVerifyResult,
  type ConnectionTestResult,
  type Profile,
  type ProfileDraft,
  type SandboxStatus,
} from './models';
import type { ChecklistStepEvent } from './runbook';
import { byId, CONNECT_ERRORS, empty, op, passwordField, sshSecretFields, storageSecretFields, type OperationDef } from './op';
import { storageSettingsSchema, type StorageTestResult } from './storage-settings';
export type { OperationDef } from './op';
import type { BackupProgressEvent } from './backup';
import { activityOperations } from './operations-activity';
import { backupOperations } from './operations-backup';
import { monitoringOperations } from './operations-monitoring';
import type { VacuumProgressEvent } from './monitoring';
import { restoreOperations } from './operations-restore';
import type { RestoreProgressEvent } from './restore';
import type { StorageProgressEvent, StorageRestoreProgressEvent } from './storage';
import type { OffsiteProgressEvent } from './offsite';
import { runbookOperations } from './operations-runbook';
import { storageOperations } from './operations-storage';
import { offsiteOperations } from './operations-offsite';
import { schemaOperations } from './operations-schema';
import { serverlogOperations } from './operations-serverlog';
import { fleetOperations } from './operations-fleet';
import { fleetScreenOperations } from './operations-fleet-screen';
import type { FleetRefreshEvent } from './fleet-screen';
import { teamOperations } from './operations-team';
import { securityOperations } from './operations-security';
import { upgradeOperations } from './operations-upgrade';
import { breakGlassSecretFields, elevationOperations } from './operations-elevation';

export const operations = {
  getAppInfo: op<AppInfo>()({ input: empty, errors: [], audit: null }),

  listProfiles: op<Profile[]>()({ input: empty, errors: [], audit: null }),
  getProfile: op<Profile>()({ input: byId, errors: ['NOT_FOUND'], audit: null }),
  createProfile: op<Profile>()({
    input: z.object({ profile: profileInputSchema, password: passwordField, ...sshSecretFields, ...storageSecretFields, ...breakGlassSecretFields }).strict(),
    errors: ['INVALID_INPUT', 'CONFLICT', 'SECRET_STORE_UNAVAILABLE'],
    audit: 'profile.create',
  }),
  updateProfile: op<Profile>()({
    input: z
      .object({
        id: z.string().min(1),
        profile: profileInputSchema,
        password: passwordField,
        ...sshSecretFields,
        ...storageSecretFields,
        ...breakGlassSecretFields,
        /** Needed when a read-only production profile would become writable (or leave production). */
        confirmName: z.string().optional(),
      })
      .strict(),
    errors: ['INVALID_INPUT', 'NOT_FOUND', 'CONFLICT', 'SECRET_STORE_UNAVAILABLE', 'CONFIRMATION_REQUIRED'],
    audit: 'profile.update',
  }),
  duplicateProfile: op<Profile>()({
    input: z.object({ id: z.string().min(1), name: z.string().trim().min(1, 'name is required') }).strict(),
    errors: ['NOT_FOUND', 'CONFLICT', 'INVALID_INPUT'],
    audit: 'profile.duplicate',
  }),
  removeProfile: op<{ removed: true }>()({
    input: z.object({ id: z.string().min(1), confirmName: z.string().optional() }).strict(),
    errors: ['NOT_FOUND', 'CONFIRMATION_REQUIRED'],
    audit: 'profile.remove',
  }),
  parseProfileUri: op<ProfileDraft>()({
    input: z.object({ uri: z.string().trim().min(1, 'uri is required') }).strict(),
    errors: ['INVALID_INPUT'],
    audit: null,
  }),
  importProfileFromEnv: op<ProfileDraft>()({ input: empty, errors: ['INVALID_INPUT'], audit: null }),
  listServiceFileEntries: op<{ path: string; services: Array<{ name: string; draft: ProfileDraft }> }>()({
    input: z.object({ path: z.string().min(1).optional() }).strict(),
    errors: ['NOT_FOUND', 'INVALID_INPUT'],
    audit: null,
  }),
  testProfile: op<ConnectionTestResult>()({
    input: z.object({ id: z.string().min(1), password: passwordField, ...sshSecretFields }).strict(),
    errors: ['NOT_FOUND'],
    audit: 'profile.test',
  }),
  /**
   * Lists the buckets the profile's storage (S3) key can see; `storageSecret` for this call
   * only. `storage` tests settings not saved yet (the profile form), then `profileId` is
   * optional and only supplies a saved secret.
   */
  testStorageConnection: op<StorageTestResult>()({
    input: z
      .object({ profileId: z.string().min(1).optional(), storage: storageSettingsSchema.optional(), ...storageSecretFields })
      .strict()
      .refine((i) => i.profileId !== undefined || i.storage !== undefined, { message: 'give profileId or storage', path: ['profileId'] }),
    errors: ['NOT_FOUND', 'INVALID_INPUT', 'PASSWORD_REQUIRED', 'STORAGE_FAILED'],
    audit: 'storage.test',
  }),
  /**
   * Pin the host key a connection test presented (first contact), or replace a pin after
   * a key change (`replace: true`; production needs `confirmName`). Always audited.
   */
  trustHostKey: op<Profile>()({
    input: z
      .object({
        id: z.string().min(1),
        hop: z.enum(['bastion', 'jump']),
        pin: hostKeyPinSchema,
        replace: z.boolean().default(false),
        confirmName: z.string().optional(),
      })
      .strict(),
    errors: ['NOT_FOUND', 'INVALID_INPUT', 'CONFLICT', 'CONFIRMATION_REQUIRED'],
    audit: 'ssh.hostkey.trust',
  }),
  /** A Host entry of ~/.ssh/config (or the given file) as SSH settings for a profile form. */
  importSshConfigHost: op<{ ssh: SshSettingsInput; warnings: string[]; file: string }>()({
    input: z.object({ alias: z.string().trim().min(1, 'alias is required'), path: z.string().min(1).optional() }).strict(),
    errors: ['NOT_FOUND', 'INVALID_INPUT'],
    audit: null,
  }),

  /** Parse and judge a script without running it: the preview behind every guard. */
  planQuery: op<{
    statements: StatementPlan[];
    needsConfirmation: boolean;
    blocked: Array<{ index: number; reason: string }>;
    /** On a read-only profile: the first statement the one rule refuses (nothing to confirm then). */
    readOnlyRefusal?: { index: number; reason: string };
  }>()({
    input: z.object({ profileId: z.string().min(1), sql: z.string().min(1, 'sql is required').max(1_000_000) }).strict(),
    errors: ['NOT_FOUND', 'INVALID_INPUT', 'QUERY_FAILED'],
    audit: null,
  }),
  /**
   * Run a script on the profile's console session. Writes on production need `confirmName`;
   * UPDATE/DELETE without WHERE, TRUNCATE and DROP need `override` (audited). Read-only
   * profiles refuse writes at the server.
   */
  runQuery: op<QueryRunResult>()({
    input: z
      .object({
        profileId: z.string().min(1),
        sql: z.string().min(1, 'sql is required').max(1_000_000),
        maxRows: z.number().int().min(1).max(MAX_RESULT_ROWS).default(1000),
        confirmName: z.string().optional(),
        override: z.boolean().default(false),
        password: passwordField,
        /**
         * Stream rows as `query.rows` events tagged with this id instead of returning them:
         * the grid paints the first page while the rest is still on its way.
         */
        runId: z.string().min(1).max(64).optional(),
      })
      .strict(),
    errors: [...CONNECT_ERRORS, 'INVALID_INPUT', 'CONFIRMATION_REQUIRED', 'CONFLICT', 'READ_ONLY', 'QUERY_FAILED'],
    audit: 'query.run',
  }),
  /**
   * Continue a streamed result that stopped at its row limit (the cursor was kept open):
   * up to `count` more rows as `query.rows` events of the same runId.
   */
  fetchMoreRows: op<{ rows: number; done: boolean }>()({
    input: z.object({ profileId: z.string().min(1), runId: z.string().min(1).max(64), count: z.number().int().min(1).max(MAX_RESULT_ROWS) }).strict(),
    errors: ['NOT_FOUND', 'CONFLICT', 'CONNECTION_FAILED', 'QUERY_FAILED'],
    audit: 'query.fetch',
  }),
  /** Close this run's result kept open for "Fetch more" (the session is free again). */
  closeResult: op<{ closed: boolean }>()({
    input: z.object({ profileId: z.string().min(1), runId: z.string().min(1).max(64) }).strict(),
    errors: ['NOT_FOUND'],
    audit: 'query.close',
  }),
  /**
   * EXPLAIN (FORMAT JSON [, ANALYZE, BUFFERS]) of one statement as a tree. ANALYZE always
   * runs inside a transaction (or savepoint) that is rolled back (a SELECT may call a
   * function that writes); on production ANALYZE of a change still needs `confirmName`,
   * since it really executes.
   */
  explainQuery: op<ExplainResult>()({
    input: z
      .object({
        profileId: z.string().min(1),
        sql: z.string().min(1, 'sql is required').max(1_000_000),
        analyze: z.boolean().default(true),
        confirmName: z.string().optional(),
        password: passwordField,
      })
      .strict(),
    errors: [...CONNECT_ERRORS, 'INVALID_INPUT', 'CONFIRMATION_REQUIRED', 'CONFLICT', 'READ_ONLY', 'QUERY_FAILED'],
    audit: 'query.explain',
  }),
  /** Schemas, tables/views with their columns and functions of the profile, for autocomplete. */
  getQueryCatalog: op<QueryCatalog>()({
    input: z.object({ profileId: z.string().min(1), password: passwordField }).strict(),
    errors: CONNECT_ERRORS,
    audit: 'query.catalog',
  }),
  /** The editor tabs of a profile, kept in the local store so they survive restarts. */
  getEditorTabs: op<{ tabs: EditorTab[]; activeId: string | null }>()({
    input: z.object({ profileId: z.string().min(1) }).strict(),
    errors: ['NOT_FOUND'],
    audit: null,
  }),
  /** Drafts, saved as the user types: not an action on anything, so not audited. */
  saveEditorTabs: op<{ saved: true }>()({
    input: z.object({ profileId: z.string().min(1), tabs: z.array(editorTabSchema).max(50), activeId: z.string().max(64).nullable() }).strict(),
    errors: ['NOT_FOUND', 'INVALID_INPUT'],
    audit: null,
  }),
  /** Every execution of the console, newest first; `search` matches the SQL text. */
  listQueryHistory: op<{ entries: QueryHistoryEntry[] }>()({
    input: z
      .object({
        profileId: z.string().min(1).optional(),
        search: z.string().max(500).optional(),
        limit: z.number().int().min(1).max(1000).default(200),
      })
      .strict(),
    errors: ['INVALID_INPUT'],
    audit: null,
  }),
  /** Built-in runbook snippets (grouped by runbook section) and the user's own. */
  listSnippets: op<{ snippets: Snippet[] }>()({ input: empty, errors: [], audit: null }),
  saveSnippet: op<Snippet>()({
    input: z
      .object({
        id: z.string().min(1).max(64).optional(),
        title: z.string().trim().min(1, 'title is required').max(200),
        sql: z.string().trim().min(1, 'sql is required').max(1_000_000),
        description: z.string().max(2000).default(''),
      })
      .strict(),
    errors: ['NOT_FOUND', 'INVALID_INPUT'],
    audit: 'snippet.save',
  }),
  deleteSnippet: op<{ removed: true }>()({
    input: byId,
    errors: ['NOT_FOUND', 'INVALID_INPUT'],
    audit: 'snippet.delete',
  }),
  /**
   * Stream one row-returning statement straight from the server to a CSV or JSON file in
   * the app's exports folder (written as .partial, renamed when complete).
   */
  exportQuery: op<QueryExportResult>()({
    input: z
      .object({
        profileId: z.string().min(1),
        sql: z.string().min(1, 'sql is required').max(1_000_000),
        format: z.enum(['csv', 'json']),
        password: passwordField,
      })
      .strict(),
    errors: [...CONNECT_ERRORS, 'INVALID_INPUT', 'CONFLICT', 'QUERY_FAILED', 'IO_FAILED'],
    audit: 'query.export',
  }),
  /** Cancel the statement running on the profile's console session (pg_cancel_backend of its pid). */
  cancelQuery: op<{ cancelled: boolean; pid: number | null }>()({
    input: z.object({ profileId: z.string().min(1) }).strict(),
    errors: CONNECT_ERRORS,
    audit: 'query.cancel',
  }),

  ...runbookOperations,
  ...backupOperations,
  ...restoreOperations,
  ...activityOperations,
  ...monitoringOperations,
  ...storageOperations,
  ...offsiteOperations,
  ...schemaOperations,
  ...serverlogOperations,
  ...fleetOperations,
  ...fleetScreenOperations,
  ...teamOperations,
  ...securityOperations,
  ...upgradeOperations,
  ...elevationOperations,

  searchAudit: op<{ entries: AuditEntry[] }>()({ input: auditQuerySchema, errors: ['INVALID_INPUT'], audit: null }),
  getAuditEntry: op<AuditEntry>()({
    input: z.object({ id: z.number().int().positive() }).strict(),
    errors: ['NOT_FOUND'],
    audit: null,
  }),
  verifyAudit: op<AuditVerifyResult>()({ input: empty, errors: [], audit: null }),
  exportAudit: op<{ format: 'csv' | 'json'; content: string; entries: number }>()({
    input: z.object({ format: z.enum(['csv', 'json']), query: auditQuerySchema.optional() }).strict(),
    errors: ['INVALID_INPUT'],
    audit: 'audit.export',
  }),

  getSandboxStatus: op<SandboxStatus>()({ input: empty, errors: [], audit: null }),
  startSandbox: op<SandboxStatus>()({ input: empty, errors: ['SANDBOX_FAILED', 'BINARIES_NOT_FOUND'], audit: 'sandbox.start' }),
  stopSandbox: op<SandboxStatus>()({ input: empty, errors: ['SANDBOX_FAILED'], audit: 'sandbox.stop' }),
  resetSandbox: op<SandboxStatus>()({ input: empty, errors: ['SANDBOX_FAILED', 'BINARIES_NOT_FOUND'], audit: 'sandbox.reset' }),
} as const;

export type Operations = typeof operations;
export type OpName = keyof Operations;
export type OpInput<N extends OpName> = z.input<Operations[N]['input']>;
export type OpParsed<N extends OpName> = z.output<Operations[N]['input']>;
export type OpResult<N extends OpName> = Operations[N] extends OperationDef<z.ZodType, infer R> ? R : never;

export const OP_NAMES = Object.keys(operations) as OpName[];

export function isOpName(name: string): name is OpName {
  return Object.prototype.hasOwnProperty.call(operations, name);
}

/** The only place an IPC channel name is made. */
export function channelFor(name: OpName): string {
  return `ops:${name}`;
}
export const EVENT_CHANNEL = 'ops:event';

/** What the renderer holds: one typed function per operation, whatever the transport. */
export type ApiClient = { [N in OpName]: (input: OpInput<N>) => Promise<OpResult<N>> } & {
  onEvent(listener: (event: AppEvent) => void): () => void;
  /** Resolves once pushes are flowing (browser mode: the event stream is connected). */
  eventsReady(): Promise<void>;
};

/**
 * What preload exposes on `window.opsBridge`: the same functions, answering with an
 * envelope, because contextBridge drops the fields of a thrown error.
 */
export type BridgeApi = { [N in OpName]: (input: OpInput<N>) => Promise<Envelope<OpResult<N>>> } & {
  onEvent(listener: (event: AppEvent) => void): () => void;
};

// Long jobs (backups, restores, checklist runs) report through one event stream.
export type AppEvent =
  | { type: 'job.progress'; jobId: string; kind: string; percent: number | null; message: string; at: string }
  | { type: 'job.done'; jobId: string; kind: string; ok: boolean; message: string; at: string }
  | { type: 'audit.appended'; id: number; action: string; outcome: string; at: string }
  | { type: 'sandbox.changed'; running: boolean; at: string }
  /**
   * Rows of a streamed console result (runQuery/fetchMoreRows with a runId), in order. The core
   * sends `rows`; browser mode's event-stream worker may hand the page the same batch `packed`
   * instead (`rows` then empty).
   */
  | { type: 'query.rows'; runId: string; index: number; columns?: QueryColumn[]; rows: QueryCell[][]; packed?: PackedRows }
  /** A checklist step finished (runChecklist with a runId), in order. */
  | ChecklistStepEvent
  /** A running backup's progress, at least once a second. */
  | BackupProgressEvent
  /** A running restore's or drill's progress, at least once a second. */
  | RestoreProgressEvent
  /** A running storage snapshot's progress (objects and bytes). */
  | StorageProgressEvent
  /** A running storage restore's progress (check, upload, verify), at most ~4 a second. */
  | StorageRestoreProgressEvent
  /** A running offsite copy's progress (upload, then verify), at most ~4 a second. */
  | OffsiteProgressEvent
  /** A running VACUUM's progress, about once a second. */
  | VacuumProgressEvent
  /** A Fleet screen refresh: started, each target as it finishes (with its new row), done. */
  | FleetRefreshEvent;
