// Retention for offsite copies: which copies a prune keeps and which it deletes, as a pure
// function so the preview and the prune decide by the same rule. Grandfather-father-son, per
// group (profile + kind: a schema-only dump never stands in for a full backup's daily), like
// restic's `forget`: keep the newest `keepLast`, then the newest copy of each of the last
// `keepDaily` UTC days that have one, of the last `keepWeekly` ISO weeks, of the last
// `keepMonthly` months. Days/weeks without a copy do not use up the count, so a paused
// schedule does not make old copies fall out. The newest copy of a group is never pruned, and
// an all-zero policy means "no policy": keep everything.
import { z } from 'zod';

const count = z.number().int().min(0).max(1000);

export const retentionPolicySchema = z.object({
  keepLast: count,
  keepDaily: count,
  keepWeekly: count,
  keepMonthly: count,
});

export type RetentionPolicy = z.infer<typeof retentionPolicySchema>;

export interface RetentionItem {
  id: string;
  /** ISO-8601 timestamp. */
  createdAt: string;
  group: string;
}

export interface RetentionPlan {
  keep: Array<{ id: string; reasons: string[] }>;
  prune: RetentionItem[];
}

/** True when the policy keeps everything (all zero): prune deletes nothing without a policy. */
export function keepsEverything(policy: RetentionPolicy): boolean {
  return policy.keepLast === 0 && policy.keepDaily === 0 && policy.keepWeekly === 0 && policy.keepMonthly === 0;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** "2026-12-05": the UTC day. */
export function utcDay(at: Date): string {
  return `${pad(at.getUTCFullYear(), 4)}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}`;
}

/** "2026-W49": the ISO-8601 week (Monday first; week 1 holds the year's first Thursday), in UTC. */
export function isoWeek(at: Date): string {
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const weekday = (new Date(day).getUTCDay() + 6) % 7;
  const thursday = new Date(day + (3 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1;
  return `${pad(year, 4)}-W${pad(week)}`;
}

/** "2026-12": the UTC month. */
export function utcMonth(at: Date): string {
  return `${pad(at.getUTCFullYear(), 4)}-${pad(at.getUTCMonth() + 1)}`;
}

/**
 * What a prune under `policy` keeps (with why) and deletes. Items whose date cannot be read, or
 * dated after `now` (a clock that ran ahead), are kept: nothing is deleted on a guess.
 * Output follows the input's order.
 */
export function planRetention(items: RetentionItem[], policy: RetentionPolicy, now: Date): RetentionPlan {
  const reasons = new Map<RetentionItem, string[]>();
  const why = (item: RetentionItem, reason: string): void => {
    const list = reasons.get(item) ?? [];
    list.push(reason);
    reasons.set(item, list);
  };

  const groups = new Map<string, Array<{ item: RetentionItem; at: Date }>>();
  for (const item of items) {
    const at = new Date(item.createdAt);
    if (Number.isNaN(at.getTime())) {
      why(item, 'unreadable date');
      continue;
    }
    if (at.getTime() > now.getTime()) why(item, 'dated after now');
    const list = groups.get(item.group) ?? [];
    list.push({ item, at });
    groups.set(item.group, list);
  }

  const everything = keepsEverything(policy);
  for (const list of groups.values()) {
    // Newest first; equal times by id so the plan does not depend on the input's order.
    list.sort((a, b) => b.at.getTime() - a.at.getTime() || (a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0));
    if (everything) {
      for (const { item } of list) why(item, 'no retention policy');
      continue;
    }
    list.forEach(({ item }, i) => {
      if (i < policy.keepLast) why(item, `last ${policy.keepLast}`);
    });
    const buckets: Array<[number, string, (at: Date) => string]> = [
      [policy.keepDaily, 'daily', utcDay],
      [policy.keepWeekly, 'weekly', isoWeek],
      [policy.keepMonthly, 'monthly', utcMonth],
    ];
    for (const [limit, label, period] of buckets) {
      const seen = new Set<string>();
      for (const { item, at } of list) {
        if (seen.size >= limit) break;
        const p = period(at);
        if (seen.has(p)) continue;
        seen.add(p);
        why(item, `${label} ${p}`);
      }
    }
    const newest = list[0];
    if (newest !== undefined && !reasons.has(newest.item)) why(newest.item, 'newest');
  }

  const plan: RetentionPlan = { keep: [], prune: [] };
  for (const item of items) {
    const r = reasons.get(item);
    if (r !== undefined) plan.keep.push({ id: item.id, reasons: r });
    else plan.prune.push({ id: item.id, createdAt: item.createdAt, group: item.group });
  }
  return plan;
}
