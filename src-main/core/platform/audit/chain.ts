// The hash chain under the audit trail. A record is never rewritten: an action writes a
// 'begin' record when it starts and a 'complete' record when it ends, so concurrent actions
// simply interleave. hash = sha256(prev_hash + "\n" + canonical JSON of every field incl. seq).
import { hash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export type RecordKind = 'begin' | 'complete';

/** Field order of the canonical serialization; it is also the column order of audit_chain. */
export const CHAIN_FIELDS = [
  'seq',
  'kind',
  'entry_id',
  'at',
  'actor',
  'action',
  'profile',
  'summary',
  'detail',
  'outcome',
  'duration_ms',
  'rows_affected',
  'error',
] as const;

export type ChainValue = string | number | null;

export interface ChainRecord {
  seq: number;
  kind: RecordKind;
  entryId: number;
  at: string;
  /** Set on 'begin' records only. */
  actor: string | null;
  action: string | null;
  /** On a 'complete' record: the entry's final profile, summary and detail after merging. */
  profile: string | null;
  summary: string | null;
  detail: string | null;
  /** Set on 'complete' records only. */
  outcome: 'ok' | 'error' | 'refused' | 'cancelled' | null;
  durationMs: number | null;
  rowsAffected: number | null;
  error: string | null;
}

/** The record as an array in CHAIN_FIELDS order: what is hashed and what is inserted. */
export function recordValues(r: ChainRecord): ChainValue[] {
  return [r.seq, r.kind, r.entryId, r.at, r.actor, r.action, r.profile, r.summary, r.detail, r.outcome, r.durationMs, r.rowsAffected, r.error];
}

/** Hash of a record given as its values in CHAIN_FIELDS order (raw rows from SQLite fit as they are). */
export function hashValues(prevHash: string, values: readonly ChainValue[]): string {
  // One-shot crypto.hash: half the cost of a createHash object per record, which is what
  // dominates `audit verify` over a million entries.
  return hash('sha256', `${prevHash}\n${JSON.stringify(values)}`, 'hex');
}

export const INSERT_CHAIN_SQL = `INSERT INTO audit_chain (${CHAIN_FIELDS.join(', ')}, prev_hash, hash) VALUES (${CHAIN_FIELDS.map(() => '?').join(', ')}, ?, ?)`;
