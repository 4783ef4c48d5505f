// A catalog backup whose local file is gone can still be restored from its offsite copy: the
// restore module is given the offsite domain's stager (createCore wires it), resolveSource
// asks it for a verified local copy, and the restore or drill that read the staged file
// removes it when it ends. Keyed by the app's store so two cores in one process (tests) keep
// their own.
import type Database from 'better-sqlite3';

export interface OffsiteStager {
  /** A verified local copy of the backup, or null when it has no ok offsite copy. */
  stage(backupId: string): Promise<string | null>;
  /** Removes a file `stage` made; anything else is left alone. */
  release(file: string): void;
}

const stagers = new WeakMap<Database.Database, OffsiteStager>();

export function registerOffsiteStager(db: Database.Database, stager: OffsiteStager): void {
  stagers.set(db, stager);
}

export function offsiteStager(db: Database.Database): OffsiteStager | null {
  return stagers.get(db) ?? null;
}

/** After a restore or drill: the staged file it read (if it was one) is deleted. */
export function releaseStaged(db: Database.Database, file: string): void {
  offsiteStager(db)?.release(file);
}
