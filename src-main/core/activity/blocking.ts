// Who blocks whom, as a tree: each root is a session that others wait on and that waits on
// nobody itself — the one to act on. Pure: built from the sessions' pg_blocking_pids lists
// and the locks the blockers hold that their waiters want.
import type { BlockingNode, SessionRow } from '../../contract/activity';

/** A waiter's blocker can be pid 0 (a prepared transaction) or a backend we did not list. */
type BlockingSession = Pick<
  SessionRow,
  'pid' | 'user' | 'application' | 'state' | 'waitEventType' | 'waitEvent' | 'xactDurationMs' | 'stateDurationMs' | 'queryDurationMs' | 'query' | 'blockedBy'
>;

/** A cap on nodes: a waiter behind several blockers appears under each, which could multiply. */
export const MAX_TREE_NODES = 2000;

function stranger(pid: number): BlockingSession {
  return {
    pid,
    user: null,
    application: '',
    state: null,
    waitEventType: null,
    waitEvent: null,
    xactDurationMs: null,
    stateDurationMs: null,
    queryDurationMs: null,
    query: pid === 0 ? '(a prepared transaction: end it with COMMIT PREPARED or ROLLBACK PREPARED)' : '(a backend not in the list)',
    blockedBy: [],
  };
}

function isWaiting(s: BlockingSession): boolean {
  return s.blockedBy.length > 0;
}

/** A waiter: how long it has waited (its query's age); a blocker: how long its transaction is open. */
function durationOf(s: BlockingSession): number | null {
  if (isWaiting(s)) return s.queryDurationMs;
  return s.xactDurationMs ?? s.stateDurationMs;
}

export function buildBlockingTree(sessions: readonly BlockingSession[], holds: ReadonlyMap<number, readonly string[]> = new Map()): BlockingNode[] {
  const byPid = new Map<number, BlockingSession>(sessions.map((s) => [s.pid, s]));
  const waitersOf = new Map<number, number[]>();
  for (const s of sessions) {
    for (const blocker of new Set(s.blockedBy)) {
      if (!byPid.has(blocker)) byPid.set(blocker, stranger(blocker));
      const list = waitersOf.get(blocker) ?? [];
      list.push(s.pid);
      waitersOf.set(blocker, list);
    }
  }
  let budget = MAX_TREE_NODES;
  const placed = new Set<number>();

  function node(pid: number, path: ReadonlySet<number>): BlockingNode | null {
    const s = byPid.get(pid);
    if (!s || budget <= 0) return null;
    budget -= 1;
    placed.add(pid);
    const onPath = new Set(path).add(pid);
    const waiters: BlockingNode[] = [];
    // A pid already on the path is a lock cycle (a deadlock not yet detected): stop there.
    for (const w of (waitersOf.get(pid) ?? []).filter((w) => !onPath.has(w)).sort((a, b) => a - b)) {
      const child = node(w, onPath);
      if (child) waiters.push(child);
    }
    return {
      pid,
      user: s.user,
      application: s.application,
      state: s.state,
      durationMs: durationOf(s),
      query: s.query,
      holds: [...(holds.get(pid) ?? [])],
      waitingFor: isWaiting(s) ? (s.waitEventType !== null ? `${s.waitEventType}: ${s.waitEvent ?? '?'}` : 'another session') : null,
      waiters,
    };
  }

  const longestFirst = (a: number, b: number): number =>
    (durationOf(byPid.get(b) ?? stranger(b)) ?? -1) - (durationOf(byPid.get(a) ?? stranger(a)) ?? -1) || a - b;
  const blockers = [...waitersOf.keys()];
  const roots: BlockingNode[] = [];
  for (const pid of blockers.filter((p) => !isWaiting(byPid.get(p) ?? stranger(p))).sort(longestFirst)) {
    const n = node(pid, new Set());
    if (n) roots.push(n);
  }
  // Blockers left unplaced only wait on each other (a cycle): root each cycle at its oldest member.
  for (;;) {
    const left = blockers.filter((p) => !placed.has(p)).sort(longestFirst);
    const first = left[0];
    if (first === undefined || budget <= 0) break;
    const n = node(first, new Set());
    if (n) roots.push(n);
  }
  return roots;
}

/** Every pid in a tree, for tests and for "is this session in a blocking chain". */
export function treePids(nodes: readonly BlockingNode[]): number[] {
  return nodes.flatMap((n) => [n.pid, ...treePids(n.waiters)]);
}
