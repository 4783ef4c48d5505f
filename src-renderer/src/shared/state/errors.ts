// Turning whatever a call threw into words and field messages the screens can show.
import { errorDetail } from '@contract/errors';
import { OpsError } from '../api/client';

export interface ShownError {
  code: string;
  message: string;
}

export function toShownError(err: unknown): ShownError {
  if (err instanceof OpsError) return { code: err.code, message: err.message };
  if (err instanceof Error) return { code: 'INTERNAL', message: err.message };
  return { code: 'INTERNAL', message: String(err) };
}

/**
 * Field-level messages from an INVALID_INPUT answer (`detail.fields`), keyed by the field
 * path without `prefix` ("profile.port" → "port" when prefix is "profile.").
 */
export function fieldErrorsOf(err: unknown, prefix = ''): Record<string, string> {
  if (!(err instanceof OpsError)) return {};
  // The two codes that carry field messages: refused input, and a name already in use.
  const fields = errorDetail(err, 'INVALID_INPUT')?.fields ?? errorDetail(err, 'CONFLICT')?.fields ?? [];
  const out: Record<string, string> = {};
  for (const { field, message } of fields) {
    const key = prefix && field.startsWith(prefix) ? field.slice(prefix.length) : field;
    // Keep the first message per field: it is the one the user should fix first.
    if (!(key in out)) out[key] = message;
  }
  return out;
}
