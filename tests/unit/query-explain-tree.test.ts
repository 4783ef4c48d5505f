// EXPLAIN (FORMAT JSON) → PlanNode tree, on literal server output: depth-first ids, rows and
// time over all loops of a nested loop's inner side, self time and shares, labels, details;
// and the plan view's markup for that tree (roles, costliest marks, misestimates).
import { MantineProvider } from '@mantine/core';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { OpsError } from '../../src-main/contract/errors';
import type { ExplainResult, PlanNode } from '../../src-main/contract/models';
import { flattenPlan } from '../../src-main/contract/plan-tree';
import { convertExplainJson, labelOf } from '../../src-main/core/query/explain-tree';
import { PlanView } from '../../src-renderer/src/screens/query/PlanView';

const ZERO_BUFFERS = {
  'Shared Dirtied Blocks': 0,
  'Shared Written Blocks': 0,
  'Local Hit Blocks': 0,
  'Local Read Blocks': 0,
  'Local Dirtied Blocks': 0,
  'Local Written Blocks': 0,
  'Temp Read Blocks': 0,
  'Temp Written Blocks': 0,
};

/** EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) of a sorted left join, as PostgreSQL 15 prints it. */
const ANALYZED = [
  {
    Plan: {
      'Node Type': 'Sort',
      'Parallel Aware': false,
      'Async Capable': false,
      'Startup Cost': 95.12,
      'Total Cost': 96.02,
      'Plan Rows': 360,
      'Plan Width': 48,
      'Actual Startup Time': 12.41,
      'Actual Total Time': 12.5,
      'Actual Rows': 360,
      'Actual Loops': 1,
      'Sort Key': ['o.created_at DESC', 'c.name'],
      'Sort Method': 'quicksort',
      'Sort Space Type': 'Memory',
      'Sort Space Used': 52,
      'Shared Hit Blocks': 250,
      'Shared Read Blocks': 12,
      ...ZERO_BUFFERS,
      Plans: [
        {
          'Node Type': 'Nested Loop',
          'Parent Relationship': 'Outer',
          'Parallel Aware': false,
          'Async Capable': false,
          'Join Type': 'Left',
          'Startup Cost': 0.28,
          'Total Cost': 80.5,
          'Plan Rows': 40,
          'Plan Width': 48,
          'Actual Startup Time': 0.05,
          'Actual Total Time': 10,
          'Actual Rows': 360,
          'Actual Loops': 1,
          'Inner Unique': false,
          'Shared Hit Blocks': 250,
          'Shared Read Blocks': 12,
          ...ZERO_BUFFERS,
          Plans: [
            {
              'Node Type': 'Seq Scan',
              'Parent Relationship': 'Outer',
              'Parallel Aware': false,
              'Async Capable': false,
              'Relation Name': 'orders',
              Alias: 'o',
              'Startup Cost': 0,
              'Total Cost': 36,
              'Plan Rows': 10,
              'Plan Width': 16,
              'Actual Startup Time': 0.02,
              'Actual Total Time': 1.5,
              'Actual Rows': 120,
              'Actual Loops': 1,
              Filter: "(status = 'open'::text)",
              'Rows Removed by Filter': 880,
              'Shared Hit Blocks': 10,
              'Shared Read Blocks': 2,
              ...ZERO_BUFFERS,
            },
            {
              'Node Type': 'Index Scan',
              'Parent Relationship': 'Inner',
              'Parallel Aware': false,
              'Async Capable': false,
              'Scan Direction': 'Forward',
              'Index Name': 'order_lines_order_id_idx',
              'Relation Name': 'order_lines',
              Alias: 'c',
              'Startup Cost': 0.28,
              'Total Cost': 4.4,
              'Plan Rows': 4,
              'Plan Width': 32,
              'Actual Startup Time': 0.01,
              'Actual Total Time': 0.06,
              'Actual Rows': 3,
              'Actual Loops': 120,
              'Index Cond': '(order_id = o.id)',
              'Rows Removed by Index Recheck': 0,
              'Shared Hit Blocks': 240,
              'Shared Read Blocks': 10,
              ...ZERO_BUFFERS,
            },
          ],
        },
      ],
    },
    Planning: { 'Shared Hit Blocks': 4, 'Shared Read Blocks': 0, ...ZERO_BUFFERS },
    'Planning Time': 0.321,
    Triggers: [{ 'Trigger Name': 'orders_audit', Relation: 'orders', Time: 0.5, Calls: 3 }],
    'Execution Time': 12.789,
  },
];

/** Plain EXPLAIN (FORMAT JSON): estimates only. */
const ESTIMATED = [
  {
    Plan: {
      'Node Type': 'Hash Join',
      'Parallel Aware': false,
      'Async Capable': false,
      'Join Type': 'Inner',
      'Startup Cost': 6.5,
      'Total Cost': 50,
      'Plan Rows': 1933,
      'Plan Width': 12,
      'Inner Unique': true,
      'Hash Cond': '(o.customer_id = c.id)',
      Plans: [
        {
          'Node Type': 'Seq Scan',
          'Parent Relationship': 'Outer',
          'Relation Name': 'orders',
          Alias: 'o',
          'Startup Cost': 0,
          'Total Cost': 36,
          'Plan Rows': 1933,
          'Plan Width': 4,
        },
        {
          'Node Type': 'Hash',
          'Parent Relationship': 'Inner',
          'Startup Cost': 4,
          'Total Cost': 4,
          'Plan Rows': 200,
          'Plan Width': 16,
          Plans: [
            {
              'Node Type': 'Seq Scan',
              'Parent Relationship': 'Outer',
              'Relation Name': 'customers',
              Alias: 'customers',
              'Startup Cost': 0,
              'Total Cost': 4,
              'Plan Rows': 200,
              'Plan Width': 16,
            },
          ],
        },
      ],
    },
  },
];

function byId(root: PlanNode): Map<number, PlanNode> {
  return new Map(flattenPlan(root).map((n) => [n.id, n]));
}

describe('convertExplainJson with ANALYZE', () => {
  const converted = convertExplainJson(ANALYZED);
  const nodes = byId(converted.plan);

  it('numbers nodes depth-first and keeps the tree shape', () => {
    expect(flattenPlan(converted.plan).map((n) => `${n.id}:${n.nodeType}`)).toEqual(['0:Sort', '1:Nested Loop', '2:Seq Scan', '3:Index Scan']);
    expect(nodes.get(1)!.children.map((c) => c.id)).toEqual([2, 3]);
  });

  it('multiplies rows and time per loop by the loops of the inner side', () => {
    const inner = nodes.get(3)!;
    expect(inner.actualLoops).toBe(120);
    expect(inner.actualRows).toBe(360);
    expect(inner.actualTotalMs).toBe(7.2);
    expect(inner.planRows).toBe(4);
    const outer = nodes.get(2)!;
    expect(outer).toMatchObject({ actualRows: 120, actualLoops: 1, actualTotalMs: 1.5, planRows: 10 });
  });

  it('takes self time as inclusive minus the children, and shares of the root total', () => {
    expect(nodes.get(0)!.selfMs).toBe(2.5);
    expect(nodes.get(1)!.selfMs).toBe(1.3);
    expect(nodes.get(2)!.selfMs).toBe(1.5);
    expect(nodes.get(3)!.selfMs).toBe(7.2);
    expect(nodes.get(0)!.selfShare).toBeCloseTo(0.2, 6);
    expect(nodes.get(1)!.selfShare).toBeCloseTo(0.104, 6);
    expect(nodes.get(3)!.selfShare).toBeCloseTo(0.576, 6);
    const total = flattenPlan(converted.plan).reduce((sum, n) => sum + n.selfShare, 0);
    expect(total).toBeCloseTo(1, 6);
  });

  it('labels nodes the way psql does', () => {
    expect(nodes.get(0)!.label).toBe('');
    expect(nodes.get(1)!.label).toBe('left join');
    expect(nodes.get(2)!.label).toBe('on orders o');
    expect(nodes.get(3)!.label).toBe('using order_lines_order_id_idx on order_lines c');
  });

  it('keeps costs and buffers, and the interesting keys as details without zero counters', () => {
    expect(nodes.get(0)).toMatchObject({ startupCost: 95.12, totalCost: 96.02, sharedHitBlocks: 250, sharedReadBlocks: 12 });
    expect(nodes.get(2)!.details).toEqual([
      { key: 'Filter', value: "(status = 'open'::text)" },
      { key: 'Rows Removed by Filter', value: '880' },
    ]);
    expect(nodes.get(3)!.details).toEqual([{ key: 'Index Cond', value: '(order_id = o.id)' }]);
    // Inner Unique false is noise; the sort key array reads as a list.
    expect(nodes.get(1)!.details).toEqual([]);
    expect(nodes.get(0)!.details).toEqual([
      { key: 'Sort Key', value: 'o.created_at DESC, c.name' },
      { key: 'Sort Method', value: 'quicksort' },
      { key: 'Sort Space Type', value: 'Memory' },
      { key: 'Sort Space Used', value: '52' },
      { key: 'Trigger orders_audit on orders', value: '0.5 ms, 3 calls' },
      { key: 'Planning buffers', value: 'Shared Hit Blocks: 4' },
    ]);
  });

  it('reads planning and execution time, and pretty-prints the JSON', () => {
    expect(converted.planningMs).toBe(0.321);
    expect(converted.executionMs).toBe(12.789);
    expect(converted.json).toBe(JSON.stringify(ANALYZED, null, 2));
    // The same result from the JSON text (a driver that does not parse json).
    expect(convertExplainJson(JSON.stringify(ANALYZED)).plan).toEqual(converted.plan);
  });
});

describe('convertExplainJson without ANALYZE', () => {
  const converted = convertExplainJson(ESTIMATED);
  const nodes = byId(converted.plan);

  it('has no actual figures and shares by self cost', () => {
    for (const n of nodes.values()) {
      expect(n).toMatchObject({ actualRows: null, actualLoops: null, actualTotalMs: null, selfMs: null, sharedHitBlocks: null, sharedReadBlocks: null });
    }
    expect(nodes.get(0)!.selfShare).toBeCloseTo(10 / 50, 6);
    expect(nodes.get(1)!.selfShare).toBeCloseTo(36 / 50, 6);
    expect(nodes.get(2)!.selfShare).toBe(0);
    expect(nodes.get(3)!.selfShare).toBeCloseTo(4 / 50, 6);
    expect(converted.planningMs).toBeNull();
    expect(converted.executionMs).toBeNull();
    expect(nodes.get(0)!.details).toEqual([
      { key: 'Inner Unique', value: 'true' },
      { key: 'Hash Cond', value: '(o.customer_id = c.id)' },
    ]);
    expect(nodes.get(3)!.label).toBe('on customers');
  });
});

describe('approximations and odd nodes', () => {
  it('clamps self time at zero under a Gather, whose workers add up their time', () => {
    const converted = convertExplainJson([
      {
        Plan: {
          'Node Type': 'Gather',
          'Startup Cost': 1000,
          'Total Cost': 2000,
          'Plan Rows': 10,
          'Actual Total Time': 20,
          'Actual Rows': 10,
          'Actual Loops': 1,
          'Workers Planned': 2,
          'Workers Launched': 2,
          'Single Copy': false,
          Plans: [
            {
              'Node Type': 'Seq Scan',
              'Parallel Aware': true,
              'Relation Name': 'big',
              Alias: 'big',
              'Startup Cost': 0,
              'Total Cost': 1500,
              'Plan Rows': 4,
              'Actual Total Time': 18,
              'Actual Rows': 3.33,
              'Actual Loops': 3,
              Workers: [
                { 'Worker Number': 0, 'Actual Total Time': 18.1, 'Actual Rows': 3 },
                { 'Worker Number': 1, 'Actual Total Time': 17.9, 'Actual Rows': 4 },
              ],
            },
          ],
        },
        'Execution Time': 21,
      },
    ]);
    const [gather, scan] = flattenPlan(converted.plan);
    expect(gather!.selfMs).toBe(0);
    expect(scan!.actualTotalMs).toBe(54);
    expect(scan!.actualRows).toBe(10);
    expect(scan!.selfShare).toBe(1);
    expect(scan!.label).toBe('parallel on big');
    expect(gather!.details).toEqual([
      { key: 'Workers Planned', value: '2' },
      { key: 'Workers Launched', value: '2' },
    ]);
    expect(scan!.details).toEqual([
      { key: 'Workers', value: 'Worker 0: Actual Total Time: 18.1, Actual Rows: 3; Worker 1: Actual Total Time: 17.9, Actual Rows: 4' },
    ]);
  });

  it('reports a node that never ran as zero rows and zero time', () => {
    const converted = convertExplainJson([
      {
        Plan: {
          'Node Type': 'Append',
          'Total Cost': 10,
          'Actual Total Time': 0.5,
          'Actual Rows': 2,
          'Actual Loops': 1,
          Plans: [
            { 'Node Type': 'Seq Scan', 'Relation Name': 'a', 'Total Cost': 5, 'Actual Total Time': 0.4, 'Actual Rows': 2, 'Actual Loops': 1 },
            { 'Node Type': 'Seq Scan', 'Relation Name': 'b', 'Total Cost': 5, 'Actual Total Time': 0, 'Actual Rows': 0, 'Actual Loops': 0 },
          ],
        },
      },
    ]);
    const never = flattenPlan(converted.plan)[2]!;
    expect(never).toMatchObject({ actualLoops: 0, actualRows: 0, actualTotalMs: 0, selfMs: 0, selfShare: 0 });
    expect(converted.plan.selfMs).toBe(0.1);
  });

  it('labels writes, aggregates, CTEs, functions, subplans and backward scans', () => {
    expect(labelOf({ 'Node Type': 'ModifyTable', Operation: 'Update', 'Relation Name': 'items', Alias: 'items' })).toBe('Update on items');
    expect(labelOf({ 'Node Type': 'Aggregate', Strategy: 'Hashed', 'Partial Mode': 'Simple' })).toBe('hashed');
    expect(labelOf({ 'Node Type': 'Aggregate', Strategy: 'Plain', 'Partial Mode': 'Finalize' })).toBe('finalize');
    expect(labelOf({ 'Node Type': 'CTE Scan', 'CTE Name': 'recent', Alias: 'r' })).toBe('on recent r');
    expect(labelOf({ 'Node Type': 'Function Scan', 'Function Name': 'generate_series', Alias: 'g' })).toBe('on generate_series g');
    expect(labelOf({ 'Node Type': 'Bitmap Index Scan', 'Index Name': 'items_pkey' })).toBe('on items_pkey');
    expect(labelOf({ 'Node Type': 'Index Only Scan', 'Scan Direction': 'Backward', 'Index Name': 'i_idx', 'Relation Name': 'items', Alias: 'i' })).toBe(
      'backward using i_idx on items i',
    );
    expect(labelOf({ 'Node Type': 'Result', 'Subplan Name': 'InitPlan 1 (returns $0)' })).toBe('InitPlan 1 (returns $0)');
    expect(labelOf({ 'Node Type': 'Seq Scan', 'Subplan Name': 'SubPlan 1', 'Relation Name': 'x' })).toBe('SubPlan 1 — on x');
    expect(labelOf({ 'Node Type': 'Hash Join', 'Join Type': 'Anti' })).toBe('anti join');
    expect(labelOf({ 'Node Type': 'SetOp', Command: 'Except', Strategy: 'Sorted' })).toBe('sorted except');
  });

  it('hides hash sizes that did not change and spill counters at zero', () => {
    const { plan } = convertExplainJson([
      {
        Plan: {
          'Node Type': 'Hash',
          'Total Cost': 4,
          'Hash Buckets': 2048,
          'Original Hash Buckets': 1024,
          'Hash Batches': 1,
          'Original Hash Batches': 1,
          'Peak Memory Usage': 18,
          'Disk Usage': 0,
        },
      },
    ]);
    expect(plan.details).toEqual([
      { key: 'Hash Buckets', value: '2048' },
      { key: 'Original Hash Buckets', value: '1024' },
      { key: 'Hash Batches', value: '1' },
      { key: 'Peak Memory Usage', value: '18' },
    ]);
  });

  it('refuses output that is not a JSON plan', () => {
    expect(() => convertExplainJson([{ nothing: true }])).toThrow(OpsError);
    expect(() => convertExplainJson('[]')).toThrow(/not a JSON plan/);
  });
});

describe('PlanView (static render)', () => {
  function render(result: ExplainResult): string {
    return renderToStaticMarkup(createElement(MantineProvider, null, createElement(PlanView, { result })));
  }
  const converted = convertExplainJson(ANALYZED);
  const result: ExplainResult = {
    statement: 'SELECT …',
    analyzed: true,
    rolledBack: true,
    planningMs: converted.planningMs,
    executionMs: converted.executionMs,
    plan: converted.plan,
    json: converted.json,
  };
  const html = render(result);
  const labels = [...html.matchAll(/role="treeitem"[^>]*aria-label="([^"]*)"/g)].map((m) => m[1]);

  it('renders one tree item per node, nested, with the three costliest named', () => {
    expect(html).toMatch(/<section[^>]*aria-label="Query plan"/);
    expect(html).toMatch(/role="tree"[^>]*aria-label="Plan tree"/);
    expect(labels).toEqual([
      'Sort, costliest #2, 20% of time',
      'Nested Loop left join',
      'Seq Scan on orders o, costliest #3, 12% of time',
      'Index Scan using order_lines_order_id_idx on order_lines c, costliest #1, 58% of time',
    ]);
    expect(html.match(/role="group"/g)).toHaveLength(2);
    expect(html.match(/aria-expanded="true"/g)).toHaveLength(2);
  });

  it('shows times, rows over loops, the rollback and a 10× misestimate only where it is', () => {
    expect(html).toContain('rolled back');
    expect(html).toContain('Planning 0.321 ms · Execution 12.79 ms');
    expect(html).toContain('self 7.2 ms');
    expect(html).toContain('rows 360 actual / 480 est (4 × 120 loops)');
    // The outer scan expected 10 rows and got 120; nothing else is off by 10×.
    expect(html.match(/than estimated/g)).toHaveLength(1);
    expect(html).toContain('12× more than estimated');
    expect(html).toContain('Filter: (status = &#x27;open&#x27;::text)');
  });

  it('says "estimate only" and shows costs for a plain EXPLAIN', () => {
    const plain = convertExplainJson(ESTIMATED);
    const out = render({ statement: 'SELECT …', analyzed: false, rolledBack: false, planningMs: null, executionMs: null, plan: plain.plan, json: plain.json });
    expect(out).toContain('estimate only');
    expect(out).not.toContain('rolled back');
    expect(out).toContain('cost 6.5..50');
    expect(out).toContain('of cost');
  });
});
