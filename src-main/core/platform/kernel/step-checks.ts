// Built-in checks a runbook step can name instead of carrying SQL (issue #23): the security
// audit, the capacity forecast, upgrade planning. They need more than one statement and more
// than the server (the app's audit trail, the local history of snapshots, the app's table of
// PostgreSQL releases), so a domain computes them and the checklist engine only calls them.
// The registry lives here, below every domain, so the runbook (which runs steps) and the
// domains that judge them (security, upgrade, monitoring) never import each other: each
// module registers its checks when it is created, the engine looks them up when a step runs.
import type pg from 'pg';
import type { Profile } from '../../../contract/models';
import type { CheckStatus } from '../../../contract/runbook';

export interface StepCheckContext {
  /**
   * A connection inside the run's BEGIN READ ONLY transaction, under the step's savepoint and
   * statement timeout: a check reads the catalog with it and can write nothing.
   */
  client: pg.ClientBase;
  profile: Profile;
  /** When the run started (a check that reads local history measures "now" from here). */
  now: Date;
}

/** What a check answers: the same shape a SQL step's judged result has. */
export interface StepCheckResult {
  /** OK / WARNING / CRITICAL, or UNKNOWN when the check could not decide (say why in summary). */
  status: CheckStatus | 'not_applicable';
  /** One line: what was found, with the thresholds when there are some. */
  summary: string;
  value: number | null;
  warn: number | null;
  critical: number | null;
  /** The findings, one row each: the object named, what is wrong, the fix as SQL when there is one. */
  columns: string[];
  rows: Array<Array<string | number | boolean | null>>;
}

export type StepCheck = (ctx: StepCheckContext) => Promise<StepCheckResult>;

/** Each check under its stable name ("security.rls-disabled"); a name is registered once. */
export class StepChecks {
  private readonly checks = new Map<string, StepCheck>();

  register(name: string, check: StepCheck): void {
    if (this.checks.has(name)) throw new Error(`step check ${name} is registered twice`);
    this.checks.set(name, check);
  }

  get(name: string): StepCheck | undefined {
    return this.checks.get(name);
  }

  names(): string[] {
    return [...this.checks.keys()].sort();
  }
}
