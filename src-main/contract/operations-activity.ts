// The live-activity part of the one API contract (issue #8): the sessions snapshot (polled
// by the screen, so not audited: a refresh every few seconds would drown the trail), and
// the actions on backends, each audited with pid, user and query. Spread into `operations`.
import {
  activitySnapshotInput,
  cleanupRuleSchema,
  cleanupRunSchema,
  signalBackendSchema,
  terminateBackendSchema,
  type ActivitySnapshot,
  type CleanupPreview,
  type CleanupResult,
  type LocksSnapshot,
  type SignalResult,
} from './activity';
import { CONNECT_ERRORS, op } from './op';

const ACTION_ERRORS = [...CONNECT_ERRORS, 'READ_ONLY', 'CONFIRMATION_REQUIRED', 'CONFLICT', 'FORBIDDEN', 'QUERY_FAILED'] as const;

export const activityOperations = {
  /** pg_stat_activity with blocking, long-running queries, connection counts against the thresholds, and the role's privileges. */
  getActivity: op<ActivitySnapshot>()({ input: activitySnapshotInput, errors: [...CONNECT_ERRORS, 'QUERY_FAILED'], audit: null }),
  /** Every lock (pg_locks) with its session, relation name, mode, granted and age: waiting first. Polled, so not audited. */
  listLocks: op<LocksSnapshot>()({ input: activitySnapshotInput, errors: [...CONNECT_ERRORS, 'QUERY_FAILED'], audit: null }),
  /** pg_cancel_backend, then checks whether the query stopped. */
  cancelBackend: op<SignalResult>()({ input: signalBackendSchema, errors: ACTION_ERRORS, audit: 'session.cancel' }),
  /** pg_terminate_backend (production: typed name; backendStart required), then checks the backend is gone. */
  terminateBackend: op<SignalResult>()({ input: terminateBackendSchema, errors: ACTION_ERRORS, audit: 'session.terminate' }),
  /** The sessions a cleanup rule would terminate now, and those an exclusion keeps. Changes nothing. */
  previewSessionCleanup: op<CleanupPreview>()({ input: cleanupRuleSchema, errors: [...CONNECT_ERRORS, 'QUERY_FAILED'], audit: null }),
  /** Terminate the previewed sessions that still match the rule at execution; one audit entry per terminated pid. */
  runSessionCleanup: op<CleanupResult>()({ input: cleanupRunSchema, errors: ACTION_ERRORS, audit: 'sessions.cleanup' }),
} as const;
