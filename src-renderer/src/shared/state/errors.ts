// Turning whatever a call threw into words and field messages the screens can show.
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
  const detail = err.detail as { fields?: unknown } | undefined;
  const fields = detail && Array.isArray(detail.fields) ? detail.fields : [];
  const out: Record<string, string> = {};
  for (const item of fields) {
    if (!item || typeof item !== 'object') continue;
    const { field, message } = item as { field?: unknown; message?: unknown };
    if (typeof field !== 'string' || typeof message !== 'string') continue;
    const key = prefix && field.startsWith(prefix) ? field.slice(prefix.length) : field;
    // Keep the first message per field: it is the one the user should fix first.
    if (!(key in out)) out[key] = message;
  }
  return out;
}
