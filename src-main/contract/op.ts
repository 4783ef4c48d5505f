// The building blocks of the operation table (operations.ts and its per-domain parts such
// as operations-runbook.ts): `op` types a definition, and the input fragments used by many.
import { z } from 'zod';
import type { ErrorCode } from './errors';

export interface OperationDef<I extends z.ZodType, R> {
  input: I;
  /**
   * The codes its handler may answer with, besides UNIVERSAL_ERROR_CODES (errors.ts). Under
   * test the dispatcher turns any other code into a loud INTERNAL (dispatch.ts strictErrors).
   */
  errors: readonly ErrorCode[];
  /**
   * The audit action recorded by the core around every call, or null for reads of the
   * local store that change nothing and touch no server.
   */
  audit: string | null;
  /** Phantom field carrying the result type; never read at run time. */
  result?: R;
}

export function op<R>() {
  return <I extends z.ZodType>(def: Omit<OperationDef<I, R>, 'result'>): OperationDef<I, R> => def;
}

export const empty = z.object({}).strict();
export const byId = z.object({ id: z.string().min(1, 'id is required') }).strict();
export const passwordField = z.string().max(1024).optional();
/** Key passphrase or SSH password for the bastion / jump hop; same rules as passwords. */
export const sshSecretFields = { sshSecret: passwordField, jumpSecret: passwordField };
/** The storage connection's secret access key (issue #18); undefined keeps, '' forgets. */
export const storageSecretFields = { storageSecret: passwordField };

/**
 * Opening a connection to a profile's server: the profile may not exist, the server may
 * want a password or refuse it, or not be reachable (pg-errors.ts, the SSH tunnel).
 */
export const CONNECT_ERRORS = ['NOT_FOUND', 'PASSWORD_REQUIRED', 'AUTH_FAILED', 'CONNECTION_FAILED'] as const satisfies readonly ErrorCode[];
