// The query console's pure parts (issue #19): the splitter's share of the height kept within
// bounds, the elapsed-time text, which consoles are open, and EXPLAIN's plain text rebuilt
// from the server's JSON the way psql prints it.
import { describe, expect, it } from 'vitest';
import {
  clampShare,
  DEFAULT_EDITOR_SHARE,
  editorPx,
  formatElapsed,
  MAX_EDITOR_SHARE,
  MIN_EDITOR_SHARE,
  MIN_PANE_PX,
  openConsoles,
  shareOf,
  withConsole,
  withoutConsole,
} from '../../src-renderer/src/screens/query/layout-model';
import { nodeName, planText } from '../../src-renderer/src/screens/query/plan-text';

describe('the splitter', () => {
  it('keeps the editor share within bounds, and a bad saved value falls back to the default', () => {
    expect(clampShare(0.01)).toBe(MIN_EDITOR_SHARE);
    expect(clampShare(0.99)).toBe(MAX_EDITOR_SHARE);
    expect(clampShare(0.4)).toBe(0.4);
    expect(clampShare(Number.NaN)).toBe(DEFAULT_EDITOR_SHARE);
  });

  it('gives each pane at least MIN_PANE_PX and maps a dragged height back to a share', () => {
    expect(editorPx(0.3, 600)).toBe(180);
    expect(editorPx(0.1, 300)).toBe(MIN_PANE_PX);
    expect(editorPx(0.75, 200)).toBe(200 - MIN_PANE_PX);
    expect(shareOf(240, 600)).toBeCloseTo(0.4);
    expect(shareOf(2000, 600)).toBe(MAX_EDITOR_SHARE);
    expect(shareOf(100, 0)).toBe(DEFAULT_EDITOR_SHARE);
  });
});

describe('the elapsed time of a running statement', () => {
  it('shows tenths under a minute, then m:ss and h:mm:ss', () => {
    expect(formatElapsed(0)).toBe('0.0 s');
    expect(formatElapsed(1_549)).toBe('1.5 s');
    expect(formatElapsed(59_999)).toBe('59.9 s');
    expect(formatElapsed(61_000)).toBe('1:01');
    expect(formatElapsed(3_600_000 + 5 * 60_000 + 7_000)).toBe('1:05:07');
    expect(formatElapsed(-5)).toBe('0.0 s');
  });
});

describe('the open consoles', () => {
  const profiles = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
  it('always include the active profile, keep their order and drop removed profiles', () => {
    expect(openConsoles([], 'a', profiles).map((p) => p.id)).toEqual(['a']);
    expect(openConsoles(['b', 'a'], 'a', profiles).map((p) => p.id)).toEqual(['b', 'a']);
    expect(openConsoles(['b', 'gone'], 'c', profiles).map((p) => p.id)).toEqual(['b', 'c']);
    expect(openConsoles(['b'], null, profiles).map((p) => p.id)).toEqual(['b']);
    expect(withConsole(['a'], 'a')).toEqual(['a']);
    expect(withConsole(['a'], 'b')).toEqual(['a', 'b']);
    expect(withoutConsole(['a', 'b'], 'a')).toEqual(['b']);
  });
});

describe('EXPLAIN as plain text', () => {
  it('writes the header, properties and children with psql indentation, and the times at the end', () => {
    const json = JSON.stringify([
      {
        Plan: {
          'Node Type': 'Hash Join',
          'Parallel Aware': false,
          'Join Type': 'Left',
          'Startup Cost': 1.07,
          'Total Cost': 2.2,
          'Plan Rows': 5,
          'Plan Width': 12,
          'Actual Startup Time': 0.031,
          'Actual Total Time': 0.04,
          'Actual Rows': 5,
          'Actual Loops': 1,
          'Inner Unique': true,
          'Hash Cond': '(o.customer_id = c.id)',
          'Shared Hit Blocks': 2,
          'Shared Read Blocks': 0,
          Plans: [
            {
              'Node Type': 'Seq Scan',
              'Parent Relationship': 'Outer',
              'Relation Name': 'orders',
              Alias: 'o',
              'Startup Cost': 0,
              'Total Cost': 1.05,
              'Plan Rows': 5,
              'Plan Width': 8,
              'Actual Startup Time': 0.01,
              'Actual Total Time': 0.012,
              'Actual Rows': 5,
              'Actual Loops': 1,
              Filter: '(total > 10)',
              'Rows Removed by Filter': 0,
            },
            {
              'Node Type': 'Hash',
              'Parent Relationship': 'Inner',
              'Startup Cost': 1.03,
              'Total Cost': 1.03,
              'Plan Rows': 3,
              'Plan Width': 8,
              'Actual Startup Time': 0.015,
              'Actual Total Time': 0.015,
              'Actual Rows': 3,
              'Actual Loops': 1,
              'Hash Buckets': 1024,
              'Original Hash Buckets': 1024,
              'Hash Batches': 1,
              'Original Hash Batches': 1,
              'Peak Memory Usage': 9,
              Plans: [
                {
                  'Node Type': 'Index Scan',
                  'Parent Relationship': 'Outer',
                  'Scan Direction': 'Forward',
                  'Index Name': 'customers_pkey',
                  'Relation Name': 'customers',
                  Alias: 'c',
                  'Startup Cost': 0.15,
                  'Total Cost': 1.03,
                  'Plan Rows': 3,
                  'Plan Width': 8,
                  'Actual Startup Time': 0,
                  'Actual Total Time': 0,
                  'Actual Rows': 0,
                  'Actual Loops': 0,
                },
              ],
            },
          ],
        },
        'Planning Time': 0.2,
        Triggers: [],
        'Execution Time': 0.061,
      },
    ]);
    expect(planText(json)).toBe(
      [
        'Hash Left Join  (cost=1.07..2.20 rows=5 width=12) (actual time=0.031..0.040 rows=5 loops=1)',
        '  Hash Cond: (o.customer_id = c.id)',
        '  Buffers: shared hit=2',
        '  ->  Seq Scan on orders o  (cost=0.00..1.05 rows=5 width=8) (actual time=0.010..0.012 rows=5 loops=1)',
        '        Filter: (total > 10)',
        '  ->  Hash  (cost=1.03..1.03 rows=3 width=8) (actual time=0.015..0.015 rows=3 loops=1)',
        '        Buckets: 1024  Batches: 1  Memory Usage: 9kB',
        '        ->  Index Scan using customers_pkey on customers c  (cost=0.15..1.03 rows=3 width=8) (never executed)',
        'Planning Time: 0.200 ms',
        'Execution Time: 0.061 ms',
      ].join('\n'),
    );
  });

  it('names nodes as text format does', () => {
    expect(nodeName({ 'Node Type': 'Aggregate', Strategy: 'Hashed', 'Partial Mode': 'Partial' })).toBe('Partial HashAggregate');
    expect(nodeName({ 'Node Type': 'Aggregate', Strategy: 'Plain', 'Partial Mode': 'Simple' })).toBe('Aggregate');
    expect(nodeName({ 'Node Type': 'Nested Loop', 'Join Type': 'Anti' })).toBe('Nested Loop Anti Join');
    expect(nodeName({ 'Node Type': 'Seq Scan', 'Parallel Aware': true })).toBe('Parallel Seq Scan');
    expect(nodeName({ 'Node Type': 'ModifyTable', Operation: 'Insert' })).toBe('Insert');
    expect(nodeName({ 'Node Type': 'Index Only Scan', 'Scan Direction': 'Backward' })).toBe('Index Only Scan Backward');
  });

  it('an estimate-only plan has no actual figures; text that is not a plan comes back as it is', () => {
    const json = JSON.stringify([
      { Plan: { 'Node Type': 'Result', 'Startup Cost': 0, 'Total Cost': 0.01, 'Plan Rows': 1, 'Plan Width': 4 }, 'Planning Time': 0.01 },
    ]);
    expect(planText(json)).toBe('Result  (cost=0.00..0.01 rows=1 width=4)\nPlanning Time: 0.010 ms');
    expect(planText('not json')).toBe('not json');
  });
});
