// The blocking tree builder: roots are blockers that wait on nobody; waiters nest under
// what they wait on (a chain, several waiters, a waiter behind two blockers); a lock cycle
// still shows (rooted at its oldest member, without looping); a prepared transaction
// (pid 0) appears as a root of its own; holds are attached to the blocker.
import { describe, expect, test } from 'vitest';
import type { BlockingNode, SessionRow } from '../../src-main/contract/activity';
import { buildBlockingTree, MAX_TREE_NODES, treePids } from '../../src-main/core/activity/blocking';

function session(pid: number, blockedBy: number[] = [], extra: Partial<SessionRow> = {}): SessionRow {
  const waiting = blockedBy.length > 0;
  return {
    pid,
    user: 'shop',
    database: 'shop',
    application: `app-${pid}`,
    clientAddr: null,
    backendType: 'client backend',
    state: waiting ? 'active' : 'idle in transaction',
    waitEventType: waiting ? 'Lock' : 'Client',
    waitEvent: waiting ? 'transactionid' : 'ClientRead',
    backendStart: '2024-01-01T00:00:00+00:00',
    xactStart: null,
    queryStart: null,
    stateChange: null,
    xactDurationMs: 1000 * pid,
    queryDurationMs: 10 * pid,
    stateDurationMs: 5 * pid,
    query: `query ${pid}`,
    blockedBy,
    own: false,
    hidden: false,
    ...extra,
  };
}

/** pid → [waiter pids], the shape a test can read at a glance. */
function shape(nodes: readonly BlockingNode[]): unknown {
  return nodes.map((n) => (n.waiters.length === 0 ? n.pid : { [n.pid]: shape(n.waiters) }));
}

describe('buildBlockingTree', () => {
  test('no one waits: no tree, even with idle transactions around', () => {
    expect(buildBlockingTree([session(1), session(2)])).toEqual([]);
  });

  test('a chain: the root is the blocker that waits on nobody', () => {
    const tree = buildBlockingTree([session(3, [2]), session(2, [1]), session(1)], new Map([[1, ['ExclusiveLock on transactionid 700']]]));
    expect(shape(tree)).toEqual([{ 1: [{ 2: [3] }] }]);
    const root = tree[0]!;
    expect(root).toMatchObject({
      pid: 1,
      waitingFor: null,
      durationMs: 1000,
      holds: ['ExclusiveLock on transactionid 700'],
      query: 'query 1',
      application: 'app-1',
    });
    // A waiter's duration is how long it has waited (its query), and it says what for.
    expect(root.waiters[0]).toMatchObject({ pid: 2, waitingFor: 'Lock: transactionid', durationMs: 20, holds: [] });
  });

  test('several waiters sit under one root, a waiter behind two blockers under both; longest-held root first', () => {
    const tree = buildBlockingTree([session(1), session(2), session(5, [1]), session(4, [1, 2]), session(6, [2, 2])]);
    expect(shape(tree)).toEqual([{ 2: [4, 6] }, { 1: [4, 5] }]);
  });

  test('a lock cycle is shown once from its oldest member and does not loop', () => {
    const tree = buildBlockingTree([session(1, [2]), session(2, [1]), session(3, [2])]);
    // Both wait, so neither is a natural root: 2 has waited longest (20 ms vs 10 ms).
    expect(shape(tree)).toEqual([{ 2: [1, 3] }]);
    expect(treePids(tree).sort()).toEqual([1, 2, 3]);
  });

  test('a prepared transaction (pid 0) and a blocker not in the list become roots of their own', () => {
    const tree = buildBlockingTree([session(7, [0]), session(8, [99])]);
    expect(tree.map((n) => n.pid).sort((a, b) => a - b)).toEqual([0, 99]);
    expect(tree.find((n) => n.pid === 0)?.query).toMatch(/prepared transaction/);
    expect(tree.find((n) => n.pid === 99)?.waiters.map((w) => w.pid)).toEqual([8]);
  });

  test('a huge fan-out is capped instead of exhausting memory', () => {
    const blockers = Array.from({ length: 60 }, (_, i) => session(i + 1));
    const waiters = Array.from({ length: 60 }, (_, i) =>
      session(
        1000 + i,
        blockers.map((b) => b.pid),
      ),
    );
    const tree = buildBlockingTree([...blockers, ...waiters]);
    expect(treePids(tree).length).toBeLessThanOrEqual(MAX_TREE_NODES);
    expect(treePids(tree).length).toBeGreaterThan(60);
  });
});
