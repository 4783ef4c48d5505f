// The single entry point every transport calls: validate at the boundary, audit around
// the call, turn any failure into `{ code, message, detail? }`. IPC, the web host and the
// CLI all go through `dispatch`, so they cannot drift apart in behaviour.
import { OpsError, UNIVERSAL_ERROR_CODES, type ApiError, type Envelope, type ErrorCode } from '../../../contract/errors';
import { operations, type OpName, type OpParsed, type OpResult } from '../../../contract/operations';
import type { AuditLog } from '../audit/audit-log';
import { outcomeOfCode } from '../audit/outcome';
import { log } from './log';

/** What a handler may add to the audit entry the dispatcher opened for it. */
export interface AuditNote {
  profile?: string | null;
  summary?: string;
  detail?: string | null;
  rowsAffected?: number | null;
  /**
   * A call can succeed as a call yet fail as an action (a script whose statement errored
   * returns its results): the handler says so here and the entry records an error.
   */
  failed?: string;
  /** Set by the read-only rule when an elevation let the action through (issue #19). */
  elevation?: string;
}

export interface CallContext {
  actor: string;
  /** Where the call came from, for the audit summary: desktop, browser or cli. */
  via: 'desktop' | 'browser' | 'cli' | 'test';
  /** Filled by the dispatcher for audited operations; handlers enrich it. */
  audit: AuditNote;
  /** The id of the audit entry opened for this call (audited operations only). */
  auditId?: number;
}

export type Handlers = {
  [N in OpName]: (input: OpParsed<N>, ctx: CallContext) => Promise<OpResult<N>> | OpResult<N>;
};

export interface Dispatcher {
  dispatch(name: string, rawInput: unknown, ctx: Omit<CallContext, 'audit'>): Promise<Envelope<unknown>>;
}

function formatIssuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.length === 0 ? 'input' : path.map(String).join('.');
}

/** Field-level message: "profile.port: port must be between 1 and 65535". */
function invalidInput(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> }): OpsError {
  const fields = error.issues.map((issue) => ({ field: formatIssuePath(issue.path), message: issue.message }));
  const message = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
  return new OpsError('INVALID_INPUT', message, { fields });
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof OpsError) return err.toApiError();
  log.error('unexpected error', err);
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message: `Internal error: ${message}` };
}

export interface DispatcherOptions {
  /**
   * Answer INTERNAL, naming the code, when a handler fails with a code its operation does
   * not declare in the contract (`errors`, plus UNIVERSAL_ERROR_CODES): the test suite then
   * catches a handler that drifted from its declaration. Off in production, where the error
   * passes through unchanged. Defaults to on under Vitest.
   */
  strictErrors?: boolean;
}

/** The strict check: the error itself when declared, else a loud INTERNAL naming the code. */
function declaredOrLoud(name: OpName, declared: readonly ErrorCode[], error: ApiError): ApiError {
  if (declared.includes(error.code) || (UNIVERSAL_ERROR_CODES as readonly ErrorCode[]).includes(error.code)) return error;
  log.error(`operation ${name} failed with undeclared error code ${error.code}`, error.message);
  return {
    code: 'INTERNAL',
    message: `Internal error: ${name} failed with ${error.code}, which its contract entry does not declare (add it to its errors): ${error.message}`,
  };
}

export function createDispatcher(handlers: Handlers, audit: AuditLog, options: DispatcherOptions = {}): Dispatcher {
  const strict = options.strictErrors ?? process.env.VITEST !== undefined;
  async function dispatch(name: string, rawInput: unknown, base: Omit<CallContext, 'audit'>): Promise<Envelope<unknown>> {
    if (!Object.prototype.hasOwnProperty.call(operations, name)) {
      return { ok: false, error: { code: 'NOT_FOUND', message: `Unknown operation "${name}"` } };
    }
    const opName = name as OpName;
    const def = operations[opName];
    const parsed = def.input.safeParse(rawInput ?? {});
    if (!parsed.success) return { ok: false, error: invalidInput(parsed.error).toApiError() };

    const failure = (err: unknown): ApiError => (strict ? declaredOrLoud(opName, def.errors, toApiError(err)) : toApiError(err));
    const ctx: CallContext = { ...base, audit: {} };
    const handler = handlers[opName] as (input: unknown, ctx: CallContext) => Promise<unknown>;
    if (def.audit === null) {
      try {
        return { ok: true, value: await handler(parsed.data, ctx) };
      } catch (err) {
        return { ok: false, error: failure(err) };
      }
    }

    // Audited: the entry is written (and fsynced) before the action runs, so a crash
    // mid-action still leaves a pending record of what was attempted.
    const started = Date.now();
    const entryId = audit.begin({ actor: ctx.actor, action: def.audit, profile: null, summary: `${def.audit} (via ${ctx.via})`, detail: null });
    ctx.auditId = entryId;
    try {
      const value = await handler(parsed.data, ctx);
      const { failed, ...note } = ctx.audit;
      audit.complete(entryId, { outcome: failed ? 'error' : 'ok', durationMs: Date.now() - started, ...note, ...(failed ? { error: failed } : {}) });
      return { ok: true, value };
    } catch (err) {
      const apiError = failure(err);
      const { failed: _failed, ...note } = ctx.audit;
      // A guard's refusal and a user's cancel get their own outcome, so real errors stand out.
      audit.complete(entryId, {
        outcome: outcomeOfCode(apiError.code),
        durationMs: Date.now() - started,
        ...note,
        error: `${apiError.code}: ${apiError.message}`,
      });
      return { ok: false, error: apiError };
    }
  }
  return { dispatch };
}
