// The `--version` answers of client tools, remembered across processes by the binary's
// identity (device, inode, size, modification and change times). Every CLI command that
// dumps or restores starts by discovering the tools, and a `--version` spawn per binary is
// most of that (each fork of a Node process costs tens of ms of CPU); a binary that was
// replaced, rebuilt or touched has another identity and is asked again.
import fs from 'node:fs';
import type { CoreDeps } from '../kernel/deps';

const KEY = 'client-tool-versions';
/** More entries than any machine has tools; the oldest are dropped so the row stays small. */
const MAX_ENTRIES = 200;

type Memo = Record<string, { id: string; version: string }>;

/** The identity a remembered answer is valid for; null when the binary cannot be stat'ed. */
export function binaryIdentity(real: string): string | null {
  try {
    const s = fs.statSync(real, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return null;
  }
}

export class ToolVersions {
  private changed = false;

  private constructor(
    private readonly deps: Pick<CoreDeps, 'store'> | null,
    private readonly memo: Memo,
  ) {}

  /** The remembered answers (none when the row is missing or not ours). */
  static load(deps: Pick<CoreDeps, 'store'> | null): ToolVersions {
    let memo: Memo = {};
    try {
      const row = deps?.store.db.prepare('SELECT value FROM settings WHERE key = ?').get(KEY) as { value: string } | undefined;
      const parsed: unknown = row ? JSON.parse(row.value) : {};
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) memo = parsed as Memo;
    } catch {
      memo = {};
    }
    return new ToolVersions(deps, memo);
  }

  /** The version text remembered for this binary while its identity is the same. */
  get(real: string, id: string | null): string | null {
    const hit = this.memo[real];
    return id !== null && hit && hit.id === id && typeof hit.version === 'string' ? hit.version : null;
  }

  remember(real: string, id: string | null, version: string): void {
    if (id === null) return;
    delete this.memo[real];
    this.memo[real] = { id, version };
    this.changed = true;
  }

  /** Writes the row when something new was learned; a failure only costs the next run its spawns. */
  save(): void {
    if (!this.changed || !this.deps) return;
    const entries = Object.entries(this.memo).slice(-MAX_ENTRIES);
    try {
      this.deps.store.db
        .prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
        .run(KEY, JSON.stringify(Object.fromEntries(entries)));
      this.changed = false;
    } catch {
      // A read-only or busy store: discovery still answered.
    }
  }
}
