// The EXPLAIN flow: ask the core for the plan of one statement; production asks for the
// typed name before ANALYZE of a change (the core re-checks and answers
// CONFIRMATION_REQUIRED), a missing password asks for one. Server errors come back as
// QUERY_FAILED with the SQLSTATE and a position inside the statement.
import { useCallback, useState } from 'react';
import { errorDetail } from '@contract/errors';
import type { ExplainResult, Profile, QueryFailure, StatementPlan } from '@contract/models';
import { api, OpsError } from '../../shared/api/client';
import { toShownError, type ShownError } from '../../shared/state/errors';
import type { RunTarget } from './query-tools';

interface ExplainRequest {
  target: RunTarget;
  analyze: boolean;
  confirmName?: string;
  password?: string;
}

export type ExplainGuard = { kind: 'confirm'; statements: StatementPlan[]; request: ExplainRequest } | { kind: 'password'; request: ExplainRequest };

export interface ExplainState {
  result: ExplainResult | null;
  /** The server refused the statement: shown like a query error, pointed at in the editor. */
  failure: { failure: QueryFailure; target: RunTarget } | null;
  error: ShownError | null;
  busy: boolean;
  guard: ExplainGuard | null;
  explain(target: RunTarget, analyze: boolean): Promise<void>;
  confirm(name: string): void;
  withPassword(password: string): void;
  dismissGuard(): void;
  clearError(): void;
}

function failureOf(err: OpsError): QueryFailure | null {
  if (err.code !== 'QUERY_FAILED' && err.code !== 'INVALID_INPUT') return null;
  // A server error (QUERY_FAILED) or a syntax error found before connecting (INVALID_INPUT with a position).
  const server = errorDetail(err, 'QUERY_FAILED');
  const parse = errorDetail(err, 'INVALID_INPUT');
  const position = server?.position ?? parse?.position;
  if (err.code === 'INVALID_INPUT' && position === undefined) return null;
  const failure: QueryFailure = {
    sqlstate: server?.sqlstate ?? parse?.sqlstate ?? null,
    message: err.message.replace(/^Syntax error at line \d+, column \d+: /, ''),
  };
  if (server?.detail !== undefined) failure.detail = server.detail;
  if (server?.hint !== undefined) failure.hint = server.hint;
  if (position !== undefined) failure.position = position;
  return failure;
}

export function useExplain(profile: Profile, onFailure: (target: RunTarget, position: number | undefined) => void): ExplainState {
  const [result, setResult] = useState<ExplainResult | null>(null);
  const [failure, setFailure] = useState<ExplainState['failure']>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [busy, setBusy] = useState(false);
  const [guard, setGuard] = useState<ExplainGuard | null>(null);

  const send = useCallback(
    async (request: ExplainRequest) => {
      setGuard(null);
      setBusy(true);
      setError(null);
      setFailure(null);
      try {
        const plan = await api.explainQuery({
          profileId: profile.id,
          sql: request.target.sql,
          analyze: request.analyze,
          ...(request.confirmName !== undefined ? { confirmName: request.confirmName } : {}),
          ...(request.password !== undefined ? { password: request.password } : {}),
        });
        setResult(plan);
      } catch (err) {
        const known = err instanceof OpsError ? err : null;
        const shown = known ? failureOf(known) : null;
        if (known?.code === 'CONFIRMATION_REQUIRED') {
          const statements = (errorDetail(known, 'CONFIRMATION_REQUIRED')?.statements ?? []).filter((s) => s.kind !== 'read');
          setGuard({ kind: 'confirm', statements, request });
        } else if (known?.code === 'PASSWORD_REQUIRED') {
          setGuard({ kind: 'password', request });
        } else if (shown) {
          setResult(null);
          setFailure({ failure: shown, target: request.target });
          onFailure(request.target, shown.position);
        } else {
          setError(toShownError(err));
        }
      } finally {
        setBusy(false);
      }
    },
    [profile.id, onFailure],
  );

  return {
    result,
    failure,
    error,
    busy,
    guard,
    explain: (target, analyze) => send({ target, analyze }),
    confirm: (name) => {
      if (guard?.kind === 'confirm') void send({ ...guard.request, confirmName: name });
    },
    withPassword: (password) => {
      if (guard) void send({ ...guard.request, password });
    },
    dismissGuard: () => setGuard(null),
    clearError: () => setError(null),
  };
}
