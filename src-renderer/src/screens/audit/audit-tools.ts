// Pure helpers for the audit screen: filters to a query, formatting.
import type { AuditOutcome, AuditQuery } from '@contract/models';
import { operations } from '@contract/operations';
export { formatDuration, formatTime } from '../../shared/format/time';

export interface AuditFilters {
  /** datetime-local text (local time, no zone), '' for none. */
  since: string;
  until: string;
  profile: string | null;
  action: string | null;
  outcome: AuditOutcome | null;
  search: string;
}

export const EMPTY_FILTERS: AuditFilters = { since: '', until: '', profile: null, action: null, outcome: null, search: '' };

export const PAGE_SIZE = 100;

/** Every action name the contract can record, for the action filter. */
export const AUDIT_ACTIONS: string[] = [
  ...new Set(
    Object.values(operations)
      .map((op) => op.audit)
      .filter((a): a is string => a !== null),
  ),
].sort();

/** datetime-local → ISO 8601 with offset; null when empty, 'invalid' when unreadable. */
export function localToIso(text: string): string | null | 'invalid' {
  if (text.trim() === '') return null;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? 'invalid' : date.toISOString();
}

export function filtersToQuery(f: AuditFilters): { query: AuditQuery; errors: Partial<Record<keyof AuditFilters, string>> } {
  const errors: Partial<Record<keyof AuditFilters, string>> = {};
  const since = localToIso(f.since);
  const until = localToIso(f.until);
  if (since === 'invalid') errors.since = 'Not a date and time';
  if (until === 'invalid') errors.until = 'Not a date and time';
  if (typeof since === 'string' && typeof until === 'string' && since !== 'invalid' && until !== 'invalid' && since > until) {
    errors.until = '"Until" is before "since"';
  }
  const query: AuditQuery = {
    ...(since && since !== 'invalid' ? { since } : {}),
    ...(until && until !== 'invalid' ? { until } : {}),
    ...(f.profile ? { profile: f.profile } : {}),
    ...(f.action ? { action: f.action } : {}),
    ...(f.outcome ? { outcome: f.outcome } : {}),
    ...(f.search.trim() ? { search: f.search.trim() } : {}),
  };
  return { query, errors };
}

// Refused (a guard said no) and cancelled (the user stopped it) are not failures: quiet colours, so a red error stands out.
export const OUTCOME_COLORS: Record<AuditOutcome, string> = { ok: 'teal', error: 'red', pending: 'yellow', refused: 'orange', cancelled: 'gray' };
