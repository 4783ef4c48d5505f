// The retention rule for offsite copies: grandfather-father-son per group, reasons for every
// copy kept, never the newest of a group, nothing pruned without a policy.
import { describe, expect, it } from 'vitest';
import { isoWeek, planRetention, retentionPolicySchema, type RetentionItem, type RetentionPolicy } from '../../src-main/core/offsite/retention';

const NOW = new Date('2026-12-06T15:00:00Z');
const policy = (p: Partial<RetentionPolicy>): RetentionPolicy => ({ keepLast: 0, keepDaily: 0, keepWeekly: 0, keepMonthly: 0, ...p });
const item = (id: string, createdAt: string, group = 'prod/full'): RetentionItem => ({ id, createdAt, group });

/** A nightly backup at 02:00 UTC for 90 days up to NOW, plus a manual one on some days. */
function ninetyDays(group = 'prod/full'): RetentionItem[] {
  const out: RetentionItem[] = [];
  for (let d = 89; d >= 0; d--) {
    const day = new Date(Date.UTC(2026, 11, 6) - d * 86_400_000);
    out.push(item(`${group}-${day.toISOString().slice(0, 10)}-n`, new Date(day.getTime() + 2 * 3_600_000).toISOString(), group));
    if (d % 10 === 3) out.push(item(`${group}-${day.toISOString().slice(0, 10)}-m`, new Date(day.getTime() + 14 * 3_600_000).toISOString(), group));
  }
  return out;
}

describe('retention policy schema', () => {
  it('takes non-negative integers up to 1000', () => {
    expect(retentionPolicySchema.safeParse(policy({ keepLast: 7, keepMonthly: 1000 })).success).toBe(true);
    for (const bad of [{ keepLast: -1 }, { keepDaily: 1.5 }, { keepWeekly: 1001 }]) expect(retentionPolicySchema.safeParse(policy(bad)).success).toBe(false);
    expect(retentionPolicySchema.safeParse({ keepLast: 1 }).success).toBe(false);
  });
});

describe('ISO weeks', () => {
  it('numbers weeks as ISO 8601 does, across year ends', () => {
    expect(isoWeek(new Date('2026-12-06T23:59:59Z'))).toBe('2026-W49');
    expect(isoWeek(new Date('2026-12-07T00:00:00Z'))).toBe('2026-W50');
    expect(isoWeek(new Date('2027-01-01T12:00:00Z'))).toBe('2026-W53');
    expect(isoWeek(new Date('2021-01-03T12:00:00Z'))).toBe('2020-W53');
    expect(isoWeek(new Date('2024-12-30T00:00:00Z'))).toBe('2025-W01');
    expect(isoWeek(new Date('2026-01-01T00:00:00Z'))).toBe('2026-W01');
  });
});

describe('planRetention', () => {
  it('keeps everything, and says so, with an empty list or an all-zero policy', () => {
    expect(planRetention([], policy({ keepLast: 3 }), NOW)).toEqual({ keep: [], prune: [] });
    const items = ninetyDays();
    const plan = planRetention(items, policy({}), NOW);
    expect(plan.prune).toEqual([]);
    expect(plan.keep).toHaveLength(items.length);
    expect(plan.keep.every((k) => k.reasons.includes('no retention policy'))).toBe(true);
  });

  it('applies last/daily/weekly/monthly to a realistic 90-day series', () => {
    const items = ninetyDays();
    const plan = planRetention(items, policy({ keepLast: 3, keepDaily: 7, keepWeekly: 4, keepMonthly: 3 }), NOW);
    const kept = new Map(plan.keep.map((k) => [k.id, k.reasons]));
    // The three newest (nightly of Dec 6, Dec 5, and Dec 4 or its manual copy).
    expect(kept.get('prod/full-2026-12-06-n')).toEqual(expect.arrayContaining(['last 3', 'daily 2026-12-06', 'weekly 2026-W49', 'monthly 2026-12']));
    expect(kept.get('prod/full-2026-12-05-n')).toEqual(['last 3', 'daily 2026-12-05']);
    // Dec 3 had a manual copy at 14:00, newer than that night's run: it is the day's copy.
    expect(kept.get('prod/full-2026-12-03-m')).toEqual(['daily 2026-12-03']);
    expect(kept.has('prod/full-2026-12-03-n')).toBe(false);
    // Seven days: Nov 30 .. Dec 6.
    const daily = plan.keep.flatMap((k) => k.reasons.filter((r) => r.startsWith('daily ')));
    expect(daily).toHaveLength(7);
    expect(daily[0]).toBe('daily 2026-11-30');
    // Four weeks: W49 (Dec 6), W48 (Nov 29), W47, W46 — each its Sunday copy.
    expect(kept.get('prod/full-2026-11-29-n')).toEqual(['weekly 2026-W48']);
    expect(kept.get('prod/full-2026-11-15-n')).toEqual(['weekly 2026-W46']);
    // Three months: Dec, Nov (its 30th), Oct (its 31st).
    expect(kept.get('prod/full-2026-11-30-n')).toEqual(expect.arrayContaining(['daily 2026-11-30', 'monthly 2026-11']));
    expect(kept.get('prod/full-2026-10-31-n')).toEqual(['monthly 2026-10']);
    // Everything else goes; keep + prune is the whole input, each once.
    expect(plan.keep.length + plan.prune.length).toBe(items.length);
    expect(new Set([...plan.keep.map((k) => k.id), ...plan.prune.map((p) => p.id)]).size).toBe(items.length);
    expect(plan.prune.map((p) => p.id)).toContain('prod/full-2026-09-08-n');
    expect(plan.prune[0]).toEqual(items.find((i) => i.id === plan.prune[0]?.id));
    // 7 daily (the 3 last among them) + 3 more weekly + 1 more monthly.
    expect(plan.keep).toHaveLength(7 + 3 + 1);
  });

  it('counts days that have a copy, not calendar days: a gap does not make old copies fall out', () => {
    const items = [item('a', '2026-12-06T01:00:00Z'), item('b', '2026-11-20T01:00:00Z'), item('c', '2026-11-01T01:00:00Z'), item('d', '2026-10-01T01:00:00Z')];
    const plan = planRetention(items, policy({ keepDaily: 3 }), NOW);
    expect(plan.keep.map((k) => k.id)).toEqual(['a', 'b', 'c']);
    expect(plan.prune.map((p) => p.id)).toEqual(['d']);
  });

  it('keeps the newest of several copies on one day, whatever the input order', () => {
    const items = [item('noon', '2026-12-05T12:00:00Z'), item('late', '2026-12-05T23:00:00Z'), item('early', '2026-12-05T00:30:00Z')];
    const plan = planRetention(items, policy({ keepDaily: 5 }), NOW);
    expect(plan.keep).toEqual([{ id: 'late', reasons: ['daily 2026-12-05'] }]);
    expect(plan.prune.map((p) => p.id)).toEqual(['noon', 'early']);
    // Same time: decided by id, not by order.
    const tie = [item('y', '2026-12-05T12:00:00Z'), item('x', '2026-12-05T12:00:00Z')];
    expect(planRetention(tie, policy({ keepDaily: 1 }), NOW).keep.map((k) => k.id)).toEqual(['x']);
    expect(planRetention([...tie].reverse(), policy({ keepDaily: 1 }), NOW).keep.map((k) => k.id)).toEqual(['x']);
  });

  it('uses UTC days at midnight, whatever offset the timestamp is written in', () => {
    const items = [
      item('before', '2026-12-04T23:59:59.999Z'),
      item('after', '2026-12-05T00:00:00.000Z'),
      // 2026-12-05T00:30 in New York is 05:30 UTC on the 5th; 2026-12-05T01:00+02:00 is 23:00 UTC on the 4th.
      item('ny', '2026-12-05T00:30:00-05:00'),
      item('cet', '2026-12-05T01:00:00+02:00'),
    ];
    const plan = planRetention(items, policy({ keepDaily: 2 }), NOW);
    expect(plan.keep).toEqual([
      { id: 'before', reasons: ['daily 2026-12-04'] },
      { id: 'ny', reasons: ['daily 2026-12-05'] },
    ]);
    expect(plan.prune.map((p) => p.id)).toEqual(['after', 'cet']);
  });

  it('plans each group on its own: a schema dump is never a full backup daily', () => {
    const items = [
      item('full-1', '2026-12-06T02:00:00Z', 'prod/full'),
      item('schema-1', '2026-12-06T03:00:00Z', 'prod/schema'),
      item('full-0', '2026-12-05T02:00:00Z', 'prod/full'),
      item('schema-0', '2026-12-05T03:00:00Z', 'prod/schema'),
    ];
    const plan = planRetention(items, policy({ keepLast: 1 }), NOW);
    expect(plan.keep).toEqual([
      { id: 'full-1', reasons: ['last 1'] },
      { id: 'schema-1', reasons: ['last 1'] },
    ]);
    expect(plan.prune.map((p) => p.id)).toEqual(['full-0', 'schema-0']);
    const both = planRetention([...ninetyDays('a/full'), ...ninetyDays('b/full')], policy({ keepDaily: 7 }), NOW);
    expect(both.keep).toHaveLength(14);
  });

  it('never prunes the newest of a group, under any policy', () => {
    const schema = ninetyDays('a/schema').slice(0, 40);
    const items = [...ninetyDays('a/full'), ...schema];
    for (const p of [
      policy({ keepLast: 1 }),
      policy({ keepDaily: 1 }),
      policy({ keepWeekly: 1 }),
      policy({ keepMonthly: 1 }),
      policy({ keepMonthly: 2, keepLast: 1 }),
    ]) {
      const kept = new Set(planRetention(items, p, NOW).keep.map((k) => k.id));
      expect(kept.has('a/full-2026-12-06-n')).toBe(true);
      expect(kept.has(schema.at(-1)?.id ?? '')).toBe(true);
    }
    expect(planRetention([item('only', '2026-01-01T00:00:00Z')], policy({ keepWeekly: 1 }), NOW).prune).toEqual([]);
  });

  it('keeps copies it cannot date or that are dated after now', () => {
    const items = [item('bad', 'not a date'), item('future', '2027-01-01T00:00:00Z'), item('a', '2026-12-06T01:00:00Z'), item('b', '2026-12-05T01:00:00Z')];
    const plan = planRetention(items, policy({ keepLast: 1 }), NOW);
    expect(plan.keep).toEqual([
      { id: 'bad', reasons: ['unreadable date'] },
      { id: 'future', reasons: ['dated after now', 'last 1'] },
    ]);
    expect(plan.prune.map((p) => p.id)).toEqual(['a', 'b']);
  });
});
