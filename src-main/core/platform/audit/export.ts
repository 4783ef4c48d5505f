// Audit export for auditors and spreadsheets. CSV follows RFC 4180 (CRLF, quoted fields);
// a text cell a spreadsheet would run as a formula gets a leading apostrophe.
import type { AuditEntry } from '../../../contract/models';

const CSV_COLUMNS: ReadonlyArray<keyof AuditEntry> = [
  'id',
  'at',
  'actor',
  'profile',
  'action',
  'outcome',
  'durationMs',
  'summary',
  'detail',
  'rowsAffected',
  'error',
];

/** = + - @ start a formula in Excel/LibreOffice/Sheets; tab and CR can smuggle one in too. */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: AuditEntry[keyof AuditEntry]): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function entriesToCsv(entries: Iterable<AuditEntry>): string {
  const lines: string[] = [CSV_COLUMNS.join(',')];
  for (const entry of entries) lines.push(CSV_COLUMNS.map((c) => csvCell(entry[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function entriesToJson(entries: readonly AuditEntry[]): string {
  return JSON.stringify(entries, null, 2);
}
