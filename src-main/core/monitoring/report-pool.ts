// Warm connections for the Performance screen's catalog reports (issue #21): the index and
// table reports. A fresh connection per report is a fresh backend whose relation cache is built
// object by object for every table and index the report opens — on 20,000 tables and 50,000
// indexes that was about half of the index and table statements' CPU (bench/monitoring.ts). So
// each profile keeps up to two report connections open for a minute after a report, for the
// next one (the other tab, Reload, coming back to the screen), and then closes them. The cost
// is on the server: an idle backend keeps its catalog caches — about 50 MB at 2,000 tables,
// 420 MB at 20,000 — which is why only the catalog reports keep theirs (the cheap reports
// connect per call, as before) and why the number and the idle time are bounded.
//
// What stays as it was: every report still runs in its own BEGIN READ ONLY transaction with
// its statement timeout (the server decides read-only, not the app), and a connection goes
// back to the pool only after its COMMIT succeeded — never after an error, a rollback or a
// timeout, so no state of one report can reach the next. A connection is only handed to a
// profile whose connection settings (host, port, database, role, TLS, read-only, SSH, the
// password in use) are those it was opened with: an edited profile gets a new connection and
// the old ones are closed. An elevated profile object (guard/elevation.ts) never uses the pool.
import crypto from 'node:crypto';
import type pg from 'pg';
import type { Profile } from '../../contract/models';
import { clientConfig, connectClient, connectPassword } from '../platform/postgres/connect';
import { elevatedConnection } from '../platform/guard/elevation';
import type { ReadOnlyDeps } from '../platform/postgres/read-only';

/** Long enough for a DBA going from one tab to the other and back; then closed. */
export const REPORT_IDLE_CLOSE_MS = 60_000;
/** The two catalog reports (indexes, tables) may run at once. */
export const REPORT_IDLE_PER_PROFILE = 2;

interface Idle {
  client: pg.Client;
  key: string;
  timer: NodeJS.Timeout;
}

/** A connection lent to one report: `release(true)` after a clean COMMIT keeps it, anything else closes it. */
export interface Lease {
  client: pg.Client;
  /** True when it had served an earlier report (a dropped connection is then retried once on a fresh one). */
  reused: boolean;
  release(reusable: boolean): Promise<void>;
}

/** What identifies a connection: everything the connect path uses, with the password as a hash. */
function connectionKey(profile: Profile, password: string | undefined): string {
  const { password: _callback, ...config } = clientConfig(profile, password);
  const secret = crypto
    .createHash('sha256')
    .update(password ?? '\u0000none')
    .digest('hex');
  return JSON.stringify({ config, ssh: profile.ssh ?? null, secret });
}

export class ReportConnections {
  private readonly idle = new Map<string, Idle[]>();
  private closed = false;

  constructor(
    private readonly deps: ReadOnlyDeps,
    private readonly idleCloseMs = REPORT_IDLE_CLOSE_MS,
  ) {}

  /** Connections kept open for a profile right now (tests and the bench's counting). */
  idleCount(profileId: string): number {
    return this.idle.get(profileId)?.length ?? 0;
  }

  /** `keep`: the connection may be kept after the report (the catalog reports); otherwise it is closed, as before issue #21. */
  async acquire(profile: Profile, explicit: string | undefined, keep: boolean): Promise<Lease> {
    const password = connectPassword(this.deps, profile, explicit);
    const poolable = keep && !this.closed && elevatedConnection(profile) === null;
    const key = connectionKey(profile, password);
    const warm = poolable ? this.take(profile.id, key) : null;
    if (warm) return this.lease(profile.id, key, warm, true);
    const client = await connectClient(profile, password, { tunnels: this.deps.tunnels });
    // Dropped while idle (server restart, tunnel closed, idle_session_timeout): forget it.
    client.on('end', () => this.forget(profile.id, client));
    return this.lease(profile.id, poolable ? key : null, client, false);
  }

  /** Closes every idle connection (the app closing); later reports close theirs after use. */
  async closeAll(): Promise<void> {
    this.closed = true;
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    for (const i of all) clearTimeout(i.timer);
    await Promise.all(all.map((i) => i.client.end().catch(() => undefined)));
  }

  private lease(profileId: string, key: string | null, client: pg.Client, reused: boolean): Lease {
    let done = false;
    return {
      client,
      reused,
      release: async (reusable: boolean) => {
        if (done) return;
        done = true;
        if (reusable && key !== null && this.keep(profileId, key, client)) return;
        await client.end().catch(() => undefined);
      },
    };
  }

  /** A warm connection opened with the same settings; idle ones opened with others are closed. */
  private take(profileId: string, key: string): pg.Client | null {
    const list = this.idle.get(profileId);
    if (!list) return null;
    const stale = list.filter((i) => i.key !== key);
    const same = list.filter((i) => i.key === key);
    for (const i of stale) {
      clearTimeout(i.timer);
      void i.client.end().catch(() => undefined);
    }
    const picked = same.pop() ?? null;
    if (picked) clearTimeout(picked.timer);
    if (same.length > 0) this.idle.set(profileId, same);
    else this.idle.delete(profileId);
    return picked?.client ?? null;
  }

  private keep(profileId: string, key: string, client: pg.Client): boolean {
    if (this.closed) return false;
    const list = this.idle.get(profileId) ?? [];
    if (list.length >= REPORT_IDLE_PER_PROFILE) return false;
    const timer = setTimeout(() => {
      this.forget(profileId, client);
      void client.end().catch(() => undefined);
    }, this.idleCloseMs);
    // An idle report connection never keeps the process (the CLI, a test) alive.
    timer.unref();
    list.push({ client, key, timer });
    this.idle.set(profileId, list);
    return true;
  }

  private forget(profileId: string, client: pg.Client): void {
    const list = this.idle.get(profileId);
    if (!list) return;
    const left = list.filter((i) => {
      if (i.client !== client) return true;
      clearTimeout(i.timer);
      return false;
    });
    if (left.length > 0) this.idle.set(profileId, left);
    else this.idle.delete(profileId);
  }
}

const pools = new WeakMap<object, ReportConnections>();

/** The core's pool of report connections (one per core: keyed by its deps object). */
export function reportConnections(deps: ReadOnlyDeps): ReportConnections {
  let pool = pools.get(deps);
  if (!pool) {
    pool = new ReportConnections(deps);
    pools.set(deps, pool);
  }
  return pool;
}
