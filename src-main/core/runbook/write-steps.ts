// Write and destructive runbook steps: preview first, then run in one transaction that only
// commits when the statement touched exactly the rows the preview counted. The preview is
// a SELECT with the write's own WHERE (model.ts `preview`), run in BEGIN READ ONLY; its
// count and a token (the statement and the keys of the rows it listed) go back with the
// run, which lists the rows again inside its own transaction before writing: a change in
// between refuses the run (CONFLICT) before anything is touched, and a write that still
// touches another number of rows is rolled back. Ending sessions cannot be rolled back,
// which is why the check before the write matters most for those steps.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import type { RunbookStepPreview, RunbookStepRunResult } from '../../contract/runbook';
import type { CoreDeps } from '../platform/kernel/deps';
import type { AuditNote } from '../platform/kernel/dispatch';
import { isReadOnlyNow, refuseReadOnly } from '../platform/guard/rules';
import { withClient } from '../platform/postgres/connect';
import { extended } from '../platform/postgres/extended';
import { isServerError, toOpsError } from '../platform/postgres/pg-errors';
import { cellTypes, toCell } from '../query';
import { BUILTIN_RUNBOOK } from './builtin';
import type { Procedure, Runbook, Step } from './model';
import { plural } from '../platform/text/plural';

export const MAX_PREVIEW_ROWS = 200;
/** A write waits this long for a lock, then fails instead of queueing the shop behind it. */
export const LOCK_TIMEOUT_MS = 10_000;

type Deps = Pick<CoreDeps, 'secrets' | 'tunnels'>;
type Cell = RunbookStepPreview['rows'][number][number];

/** A step that can run from the runbook: SQL that writes, with its preview. */
export interface RunnableStep {
  procedure: Procedure;
  step: Step;
  statement: string;
  previewSql: string;
  immediate: boolean;
}

export interface RunStepOptions {
  expectedRows: number;
  token?: string | undefined;
  confirmName?: string | undefined;
  password?: string | undefined;
}

/** The step by procedure and step id, refused unless it is a write with a preview. */
export function runnableStep(procedureId: string, stepId: string, runbook: Runbook = BUILTIN_RUNBOOK): RunnableStep {
  const procedure = runbook.procedures.find((p) => p.id === procedureId);
  if (!procedure) throw new OpsError('NOT_FOUND', `There is no procedure "${procedureId}" in the runbook "${runbook.title}".`);
  const step = procedure.steps.find((s) => s.id === stepId);
  if (!step) throw new OpsError('NOT_FOUND', `The procedure "${procedure.title}" has no step "${stepId}".`);
  if (step.kind === 'read') {
    throw new OpsError(
      'INVALID_INPUT',
      `"${step.title}" only reads: run it from a checklist or the query console; preview and run are for steps that change something.`,
    );
  }
  if (step.run.type === 'manual') throw new OpsError('INVALID_INPUT', `"${step.title}" is done by a person, not by the app: ${step.run.instruction}`);
  if (step.run.type === 'check')
    throw new OpsError('INVALID_INPUT', `"${step.title}" is a built-in check (${step.run.check}): it only reads; run it from a checklist.`);
  if (step.run.type === 'action')
    throw new OpsError('INVALID_INPUT', `"${step.title}" is one of the app's own tools, with its own preview and confirmation on its screen.`);
  if (step.run.preview === undefined) {
    throw new OpsError(
      'INVALID_INPUT',
      `"${step.title}" has no preview of the rows it changes (e.g. VACUUM, which also cannot run inside a transaction): run it from the query console after reading it.`,
    );
  }
  return { procedure, step, statement: step.run.sql, previewSql: step.run.preview, immediate: step.run.immediate === true };
}

interface Listed {
  columns: string[];
  rows: Cell[][];
  rowCount: number;
  token: string;
}

/** Token of a listing: the statement and the keys (first column) of every row it touches. */
export function listingToken(statement: string, keys: readonly string[]): string {
  const hash = createHash('sha256').update(statement).update('\0');
  for (const key of [...keys].sort()) hash.update(key).update('\n');
  return hash.digest('hex');
}

async function listRows(client: pg.Client, target: RunnableStep, maxRows: number): Promise<Listed> {
  const result = await client.query<unknown[]>(extended({ text: target.previewSql, rowMode: 'array' as const, types: cellTypes }));
  const cells = result.rows.map((row) => row.map(toCell));
  return {
    columns: result.fields.map((f) => f.name),
    rows: cells.slice(0, maxRows),
    rowCount: cells.length,
    token: listingToken(
      target.statement,
      cells.map((row) => String(row[0])),
    ),
  };
}

/**
 * A failure inside the transaction: the server refused a statement (QUERY_FAILED with its
 * reason, READ_ONLY for 25006), or the connection broke (worded like a connect failure).
 */
function stepError(err: unknown, profile: Profile, what: string): OpsError {
  if (err instanceof OpsError) return err;
  if (!isServerError(err)) return toOpsError(err, profile);
  const e = err;
  const reason = `${String(e.message)}${typeof e.hint === 'string' ? ` (hint: ${e.hint})` : ''} (SQLSTATE ${e.code})`;
  if (e.code === '25006')
    return new OpsError('READ_ONLY', `Refused by the server, the connection is read-only: ${reason}. Nothing was changed.`, { sqlstate: e.code });
  if (e.code === '55P03') {
    return new OpsError(
      'QUERY_FAILED',
      `${what} waited more than ${LOCK_TIMEOUT_MS / 1000} s for a lock another session holds; nothing was changed: ${reason}`,
      { sqlstate: e.code },
    );
  }
  return new OpsError('QUERY_FAILED', `${what} failed, nothing was changed (the transaction was rolled back): ${reason}`, { sqlstate: e.code });
}

function connectOptions(password: string | undefined): { password?: string } {
  return password !== undefined ? { password } : {};
}

/** Lists what `stepId` would change on `profile`, in a read-only transaction. */
export async function previewStep(
  deps: Deps,
  profile: Profile,
  procedureId: string,
  stepId: string,
  options: { password?: string | undefined; maxRows?: number } = {},
  audit: AuditNote = {},
): Promise<RunbookStepPreview> {
  audit.profile = profile.name;
  const target = runnableStep(procedureId, stepId);
  audit.detail = target.previewSql;
  audit.summary = `preview of "${target.step.title}" on ${profile.name}: not run (no connection)`;
  const listed = await withClient(
    deps,
    profile,
    async (client) => {
      try {
        await client.query('BEGIN READ ONLY');
        const rows = await listRows(client, target, options.maxRows ?? MAX_PREVIEW_ROWS);
        await client.query('ROLLBACK');
        return rows;
      } catch (err) {
        throw stepError(err, profile, 'The preview');
      }
    },
    connectOptions(options.password),
  ).catch((err: unknown) => {
    throw toOpsError(err, profile);
  });
  audit.summary = `preview of "${target.step.title}" on ${profile.name}: ${plural(listed.rowCount, 'row')} would be affected`;
  return {
    procedureId,
    stepId,
    title: target.step.title,
    kind: target.step.kind,
    profile: profile.name,
    confirmationRequired: profile.env === 'production',
    statement: target.statement,
    previewSql: target.previewSql,
    immediate: target.immediate,
    ...listed,
  };
}

function changedSincePreview(now: number, previewed: number, sameCount: boolean): OpsError {
  const message = sameCount
    ? `The data changed since the preview: other rows would be affected now (${plural(now, 'row')}, the same count as previewed); preview again. Nothing was changed.`
    : `The data changed since the preview: ${plural(now, 'row')} now, ${previewed} previewed; preview again. Nothing was changed.`;
  return new OpsError('CONFLICT', message, { rowsNow: now, rowsPreviewed: previewed });
}

function refuseUnlessAllowed(profile: Profile, target: RunnableStep, confirmName: string | undefined, audit: AuditNote): void {
  // The one read-only rule (core/platform/guard): a write step changes the database.
  // Without an elevation the read-only refusal comes first; under one, the typed name is
  // checked before the elevation is used (a one-action elevation ends only when it runs).
  if (isReadOnlyNow(profile)) refuseReadOnly(profile, `"${target.step.title}" (a ${target.step.kind} step)`, audit);
  if (profile.env === 'production' && confirmName !== profile.name) {
    audit.summary = `refused: "${target.step.title}" on production not confirmed with the profile name`;
    throw new OpsError(
      'CONFIRMATION_REQUIRED',
      `"${profile.name}" is a production profile: type its name to confirm "${target.step.title}" (${target.step.kind}).`,
      {
        expected: profile.name,
      },
    );
  }
  refuseReadOnly(profile, `"${target.step.title}" (a ${target.step.kind} step)`, audit);
}

/**
 * Runs a previewed write step: refused on read-only profiles and, on production, unless
 * `confirmName` is the profile's name; committed only when it touched `expectedRows` rows.
 */
export async function runStep(
  deps: Deps,
  profile: Profile,
  procedureId: string,
  stepId: string,
  options: RunStepOptions,
  audit: AuditNote = {},
): Promise<RunbookStepRunResult> {
  audit.profile = profile.name;
  const target = runnableStep(procedureId, stepId);
  audit.detail = target.statement;
  refuseUnlessAllowed(profile, target, options.confirmName, audit);
  audit.rowsAffected = 0;
  const expected = options.expectedRows;
  const started = performance.now();
  const affected = await withClient(
    deps,
    profile,
    async (client) => {
      try {
        await client.query('BEGIN');
        await client.query(`SET LOCAL lock_timeout = ${LOCK_TIMEOUT_MS}`);
        // Listed again in the run's own transaction: what changed since the preview is
        // refused here, before anything (above all a session) is touched.
        const now = await listRows(client, target, 0);
        if (now.rowCount !== expected) throw changedSincePreview(now.rowCount, expected, false);
        if (options.token !== undefined && now.token !== options.token) throw changedSincePreview(now.rowCount, expected, true);
        // Alone over the extended protocol, like every statement the app sends for the user.
        const result = await client.query(extended({ text: target.statement }));
        // UPDATE/DELETE report the rows they changed; a SELECT that ends sessions, the rows it returned.
        const wrote = result.rowCount ?? result.rows.length;
        if (wrote !== expected) {
          if (target.immediate) {
            audit.rowsAffected = wrote;
            throw new OpsError(
              'CONFLICT',
              `The sessions changed while the step ran: ${plural(wrote, 'session')} were ended, ${expected} previewed. Ending a session cannot be undone; check the Activity screen.`,
              {
                rowsNow: wrote,
                rowsPreviewed: expected,
              },
            );
          }
          throw changedSincePreview(wrote, expected, false);
        }
        await client.query('COMMIT');
        return wrote;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw stepError(err, profile, `"${target.step.title}"`);
      }
    },
    connectOptions(options.password),
  ).catch((err: unknown) => {
    const failure = toOpsError(err, profile);
    // The dispatcher records the error itself; the summary says what happened to the data.
    const ended = audit.rowsAffected ?? 0;
    audit.summary = `"${target.step.title}" on ${profile.name}: ${ended > 0 ? `${plural(ended, 'session')} ended, then refused` : 'nothing changed'} (${failure.code})`;
    throw failure;
  });
  audit.rowsAffected = affected;
  audit.summary = `${plural(affected, 'row')} affected: ${target.step.title} (${profile.name})`;
  return {
    procedureId,
    stepId,
    title: target.step.title,
    kind: target.step.kind,
    profile: profile.name,
    statement: target.statement,
    rowsAffected: affected,
    durationMs: Math.round(performance.now() - started),
  };
}
