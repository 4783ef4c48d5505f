// Which outcome an action's audit entry gets. A guard that said no (read-only profile, typed
// name missing or wrong, a role without the right) is not a failure of the action, nor is a
// user's cancel: recording them as errors buried the real errors (issue #19). Every writer
// completes with 'error' and "CODE: message" text; the code decides here, in one place, so
// job runners and the dispatcher agree without each knowing the list.
import type { ErrorCode } from '../../../contract/errors';

export type CompletedOutcome = 'ok' | 'error' | 'refused' | 'cancelled';

/** Codes that mean "a rule refused it before it ran". */
export const REFUSAL_CODES: readonly ErrorCode[] = ['READ_ONLY', 'CONFIRMATION_REQUIRED', 'FORBIDDEN'];

export function outcomeOfCode(code: string): CompletedOutcome {
  if ((REFUSAL_CODES as readonly string[]).includes(code)) return 'refused';
  if (code === 'CANCELLED') return 'cancelled';
  return 'error';
}

/** The outcome to store: an 'error' whose text starts with a refusal or cancel code becomes that. */
export function outcomeFor(outcome: CompletedOutcome, error: string | undefined): CompletedOutcome {
  if (outcome !== 'error' || error === undefined) return outcome;
  const code = /^([A-Z_]+):/.exec(error)?.[1];
  return code === undefined ? 'error' : outcomeOfCode(code);
}
