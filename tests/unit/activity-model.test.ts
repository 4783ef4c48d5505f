// The Activity screen's pure model: intervals, filters and durations, levels, tree counts,
// action answers and refusals, the cleanup rule, and where Space pauses.
import { describe, expect, test } from 'vitest';
import type { BlockingNode, SessionRow, SignalResult } from '../../src-main/contract/activity';
import {
  DEFAULT_INTERVAL_SEC,
  EMPTY_FILTER,
  choicesOf,
  cleanupRuleOf,
  countWaiters,
  defaultCleanupDraft,
  explainRefusal,
  filterSessions,
  gaugePercent,
  longRunningRows,
  offerTerminate,
  oneLine,
  orderSessions,
  parseInterval,
  queryLevel,
  relevantDurationMs,
  signalOutcome,
  spaceTogglesPause,
  stateCounts,
  targetOfNode,
  thresholdText,
} from '../../src-renderer/src/screens/activity/activity-model';

function row(pid: number, over: Partial<SessionRow> = {}): SessionRow {
  return {
    pid,
    user: 'app',
    database: 'shop',
    application: 'web',
    clientAddr: '10.0.0.1',
    backendType: 'client backend',
    state: 'active',
    waitEventType: null,
    waitEvent: null,
    backendStart: `2025-01-01T00:00:0${pid % 10}Z`,
    xactStart: null,
    queryStart: null,
    stateChange: null,
    xactDurationMs: null,
    queryDurationMs: null,
    stateDurationMs: null,
    query: 'SELECT 1',
    blockedBy: [],
    own: false,
    hidden: false,
    ...over,
  };
}

function node(pid: number, waiters: BlockingNode[] = []): BlockingNode {
  return { pid, user: 'u', application: 'a', state: 'active', durationMs: 1, query: 'q', holds: [], waitingFor: null, waiters };
}

function signal(over: Partial<SignalResult>): SignalResult {
  return {
    pid: 7,
    action: 'cancel',
    signalled: true,
    effective: true,
    after: null,
    before: { user: 'app', application: 'web', state: 'active', query: 'SELECT pg_sleep(60)', durationMs: 1000 },
    message: '',
    ...over,
  };
}

describe('refresh interval', () => {
  test('a remembered interval we offer is kept; anything else falls back to 3 s', () => {
    expect(parseInterval('10')).toBe(10);
    expect(parseInterval('1')).toBe(1);
    expect(parseInterval('7')).toBe(DEFAULT_INTERVAL_SEC);
    expect(parseInterval(null)).toBe(3);
    expect(parseInterval('abc')).toBe(3);
  });
});

describe('sessions', () => {
  const rows = [
    row(1, { state: 'active', queryDurationMs: 12_000, xactDurationMs: 12_000 }),
    row(2, { state: 'idle in transaction', user: 'batch', xactDurationMs: 700_000, stateDurationMs: 600_000, queryDurationMs: 650_000 }),
    row(3, { state: 'idle', application: 'psql', stateDurationMs: 4_000_000, queryDurationMs: 4_000_500 }),
    row(4, { state: null, backendType: 'autovacuum launcher', user: null, database: null, application: '' }),
  ];

  test('the duration that matters depends on the state', () => {
    expect(relevantDurationMs(rows[0]!)).toBe(12_000);
    expect(relevantDurationMs(rows[1]!)).toBe(700_000);
    expect(relevantDurationMs(rows[2]!)).toBe(4_000_000);
    expect(relevantDurationMs(rows[3]!)).toBeNull();
  });

  test('filters combine; background workers filter under their own label', () => {
    expect(filterSessions(rows, EMPTY_FILTER).map((r) => r.pid)).toEqual([1, 2, 3, 4]);
    expect(filterSessions(rows, { ...EMPTY_FILTER, state: 'idle in transaction' }).map((r) => r.pid)).toEqual([2]);
    expect(filterSessions(rows, { ...EMPTY_FILTER, state: '(background)' }).map((r) => r.pid)).toEqual([4]);
    expect(filterSessions(rows, { ...EMPTY_FILTER, user: 'app', application: 'psql' }).map((r) => r.pid)).toEqual([3]);
    expect(filterSessions(rows, { ...EMPTY_FILTER, database: 'shop', minDurationSec: 60 }).map((r) => r.pid)).toEqual([2, 3]);
    expect(filterSessions(rows, { ...EMPTY_FILTER, minDurationSec: 13 }).map((r) => r.pid)).toEqual([2, 3]);
  });

  test('filter choices are distinct and sorted, and keep the chosen one', () => {
    expect(choicesOf(rows, (r) => r.user)).toEqual(['app', 'batch']);
    expect(choicesOf(rows, (r) => r.user, 'gone')).toEqual(['app', 'batch', 'gone']);
  });

  test('client sessions come first (blocked ones at their head), background processes after or hidden', () => {
    const mixed = [row(9, { state: null, backendType: 'checkpointer' }), ...rows, row(5, { blockedBy: [2] })];
    expect(orderSessions(mixed, true).map((r) => r.pid)).toEqual([5, 1, 2, 3, 4, 9]);
    expect(orderSessions(mixed, false).map((r) => r.pid)).toEqual([5, 1, 2, 3]);
  });

  test('a query shows on one line, cut with an ellipsis', () => {
    expect(oneLine('SELECT *\n  FROM  t\nWHERE x = 1')).toBe('SELECT * FROM t WHERE x = 1');
    const cut = oneLine('x'.repeat(300), 20);
    expect(cut).toHaveLength(20);
    expect(cut.endsWith('…')).toBe(true);
  });
});

describe('summary and levels', () => {
  test('the gauge is a share of max_connections, clamped', () => {
    expect(gaugePercent(50, 100)).toBe(50);
    expect(gaugePercent(150, 100)).toBe(100);
    expect(gaugePercent(5, 0)).toBe(0);
  });

  test('thresholds read as the runbook says them', () => {
    expect(thresholdText(60, 80)).toBe('warning above 60, critical above 80');
    expect(thresholdText(5, null, ' s')).toBe('warning above 5 s');
  });

  test('counts by state, largest first', () => {
    expect(stateCounts({ idle: 3, active: 5, 'idle in transaction': 3 })).toEqual([
      { state: 'active', count: 5 },
      { state: 'idle', count: 3 },
      { state: 'idle in transaction', count: 3 },
    ]);
  });

  test('query levels are strictly above each threshold', () => {
    expect(queryLevel(5_000, 5_000, 10_000)).toBe('ok');
    expect(queryLevel(5_001, 5_000, 10_000)).toBe('warning');
    expect(queryLevel(10_001, 5_000, 10_000)).toBe('critical');
    expect(queryLevel(99_000, 5_000, null)).toBe('warning');
  });

  test('long-running rows keep the snapshot order and skip pids no longer listed', () => {
    const sessions = [row(1, { queryDurationMs: 6_000 }), row(2, { queryDurationMs: 20_000 })];
    const out = longRunningRows({ sessions, longRunning: [2, 9, 1], queryWarnMs: 5_000, queryCriticalMs: 10_000 });
    expect(out.map((r) => [r.row.pid, r.level])).toEqual([
      [2, 'critical'],
      [1, 'warning'],
    ]);
  });

  test('waiters are counted once across the tree', () => {
    expect(countWaiters([])).toBe(0);
    expect(countWaiters([node(1, [node(2, [node(3)]), node(4)]), node(5, [node(3)])])).toBe(3);
  });
});

describe('actions', () => {
  test('a tree node takes its backend_start from the session list', () => {
    const sessions = [row(11, { backendStart: '2025-02-02T10:00:00Z', hidden: true })];
    expect(targetOfNode(node(11), sessions)).toMatchObject({ pid: 11, backendStart: '2025-02-02T10:00:00Z', hidden: true });
    expect(targetOfNode(node(12), sessions).backendStart).toBeNull();
  });

  test('a cancel that left the query running offers terminate; a finished one does not', () => {
    expect(offerTerminate(signal({ effective: false, after: { state: 'active', query: 'x', queryDurationMs: 9000 } }))).toBe(true);
    expect(offerTerminate(signal({ effective: true }))).toBe(false);
    expect(offerTerminate(signal({ effective: false, after: null }))).toBe(false);
    expect(offerTerminate(signal({ action: 'terminate', effective: false, after: { state: 'active', query: 'x', queryDurationMs: 1 } }))).toBe(false);
  });

  test('outcomes read differently for not delivered, done and not effective', () => {
    expect(signalOutcome(signal({ signalled: false, effective: false })).color).toBe('red');
    expect(signalOutcome(signal({ action: 'terminate' })).title).toBe('Backend 7 is gone');
    expect(signalOutcome(signal({ effective: false })).title).toBe('Pid 7 is still running its query');
  });

  test('refusals are explained; other errors are not', () => {
    expect(explainRefusal('FORBIDDEN', 'terminate')).toContain('pg_signal_backend');
    expect(explainRefusal('READ_ONLY', 'cancel')).toContain('does not cancel backends');
    expect(explainRefusal('READ_ONLY', 'cleanup')).toContain('terminate sessions');
    expect(explainRefusal('CONFLICT', 'terminate')).toContain('reused');
    expect(explainRefusal('QUERY_FAILED', 'cancel')).toBeNull();
  });
});

describe('cleanup rule', () => {
  test('exactly one threshold is sent; hours become minutes', () => {
    const draft = defaultCleanupDraft();
    expect(draft.idleInTransactionMinutes).toBe(10);
    expect(draft.idleHours).toBe(1);
    const a = cleanupRuleOf('p1', draft);
    expect(a).toEqual({ profileId: 'p1', idleInTransactionMinutes: 10, excludeUsers: draft.excludeUsers, excludeApps: draft.excludeApps });
    const b = cleanupRuleOf('p1', { ...draft, recipe: 'idle', idleHours: 1.5 }, 'pw');
    expect(b.idleMinutes).toBe(90);
    expect(b.idleInTransactionMinutes).toBeUndefined();
    expect(b.password).toBe('pw');
  });
});

describe('Space pauses', () => {
  const el = (tagName: string, role: string | null = null, isContentEditable = false) => ({
    tagName,
    isContentEditable,
    getAttribute: (n: string) => (n === 'role' ? role : null),
  });
  test('on the page, not where Space types or presses', () => {
    expect(spaceTogglesPause(null)).toBe(true);
    expect(spaceTogglesPause(el('BODY'))).toBe(true);
    expect(spaceTogglesPause(el('DIV'))).toBe(true);
    expect(spaceTogglesPause(el('INPUT'))).toBe(false);
    expect(spaceTogglesPause(el('TEXTAREA'))).toBe(false);
    expect(spaceTogglesPause(el('BUTTON'))).toBe(false);
    expect(spaceTogglesPause(el('DIV', 'tab'))).toBe(false);
    expect(spaceTogglesPause(el('DIV', null, true))).toBe(false);
  });
});
