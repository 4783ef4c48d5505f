// The thresholds editor's conversions and what a Save sends, the calendar's relative times,
// and what the navigation's "due" dot counts.
import { describe, expect, test } from 'vitest';
import type { CalendarItem, ThresholdSetting } from '../../src-main/contract/runbook';
import {
  changesOf,
  draftOf,
  dueChecklists,
  fromDisplay,
  parseDraft,
  relativeTime,
  rowFieldOf,
  toDisplay,
} from '../../src-renderer/src/screens/checklists/panels-model';

const GiB = 1024 ** 3;

function setting(over: Partial<ThresholdSetting> & Pick<ThresholdSetting, 'key'>): ThresholdSetting {
  return {
    metric: over.key,
    unit: 'count',
    direction: 'above',
    warn: 5,
    critical: 10,
    defaultWarn: 5,
    defaultCritical: 10,
    action: 'act',
    source: 'runbook',
    rationale: null,
    overridden: false,
    ...over,
  };
}

describe('threshold units', () => {
  test('bytes are edited in GB (1024³) and come back as whole bytes', () => {
    expect(toDisplay(8 * GiB, 'bytes')).toBe(8);
    expect(toDisplay(1.5 * GiB, 'bytes')).toBe(1.5);
    expect(fromDisplay(8, 'bytes')).toBe(8 * GiB);
    expect(fromDisplay(0.5, 'bytes')).toBe(GiB / 2);
    expect(Number.isInteger(fromDisplay(1.23, 'bytes'))).toBe(true);
  });

  test('other units are edited as they are stored', () => {
    for (const unit of ['count', 'seconds', 'hours', 'percent'] as const) {
      expect(toDisplay(24, unit)).toBe(24);
      expect(fromDisplay(24, unit)).toBe(24);
    }
  });

  test('an empty critical means never critical; bad numbers are named by field', () => {
    expect(draftOf(0, null, 'count')).toEqual({ warn: 0, critical: '' });
    expect(parseDraft({ warn: 3, critical: '' }, 'count')).toEqual({ value: { warn: 3, critical: null } });
    expect(parseDraft({ warn: '', critical: 4 }, 'count')).toEqual({ errors: { warn: 'Enter a number' } });
    expect(parseDraft({ warn: 1, critical: 'abc' }, 'count')).toEqual({ errors: { critical: 'Enter a number, or leave empty for never critical' } });
    expect(parseDraft({ warn: -1, critical: 2 }, 'count')).toEqual({ errors: { warn: 'Must be 0 or more' } });
  });
});

describe('what Save sends', () => {
  const settings = [
    setting({ key: 'lowStock' }),
    setting({ key: 'dbSize', unit: 'bytes', warn: 8 * GiB, critical: 10 * GiB, defaultWarn: 8 * GiB, defaultCritical: 10 * GiB }),
    setting({ key: 'connections', warn: 70, critical: 90, defaultWarn: 60, defaultCritical: 80, overridden: true }),
    // 100 MB / 1 GB: the editor shows 0.1 GB, which reads back as 107,374,182 bytes.
    setting({ key: 'replicationLag', unit: 'bytes', warn: 100 * 1024 ** 2, critical: GiB, defaultWarn: 100 * 1024 ** 2, defaultCritical: GiB }),
  ];

  test('untouched rows send nothing', () => {
    const drafts = Object.fromEntries(settings.map((s) => [s.key, draftOf(s.warn, s.critical, s.unit)]));
    expect(changesOf(settings, drafts)).toEqual({ values: [], reset: [], errors: {} });
  });

  test('changed rows are sent in stored units; a row edited back to its defaults is a reset', () => {
    const drafts = {
      lowStock: { warn: 100, critical: 200 },
      dbSize: { warn: 9, critical: '' },
      connections: { warn: 60, critical: 80 },
    };
    const changes = changesOf(settings, drafts);
    expect(changes.values).toEqual([
      { key: 'lowStock', warn: 100, critical: 200 },
      { key: 'dbSize', warn: 9 * GiB, critical: null },
    ]);
    expect(changes.reset).toEqual(['connections']);
    expect(changes.errors).toEqual({});
  });

  test('an invalid row is held back with its errors', () => {
    const changes = changesOf(settings, { lowStock: { warn: '', critical: 2 } });
    expect(changes.values).toEqual([]);
    expect(changes.errors).toEqual({ lowStock: { warn: 'Enter a number' } });
  });

  test('a core field path names the row that was sent at that index', () => {
    const sent = [
      { key: 'lowStock', warn: 1, critical: 2 },
      { key: 'dbSize', warn: 3, critical: 4 },
    ];
    expect(rowFieldOf('values.1.critical', sent)).toEqual({ key: 'dbSize', field: 'critical' });
    expect(rowFieldOf('values.0', sent)).toEqual({ key: 'lowStock', field: null });
    expect(rowFieldOf('values.5.warn', sent)).toBeNull();
    expect(rowFieldOf('profileId', sent)).toBeNull();
  });
});

describe('calendar', () => {
  const now = Date.parse('2025-06-02T10:00:00Z');
  test('relative times read both ways', () => {
    expect(relativeTime('2025-06-02T09:59:40Z', now)).toBe('just now');
    expect(relativeTime('2025-06-02T09:55:00Z', now)).toBe('5 min ago');
    expect(relativeTime('2025-06-02T13:00:00Z', now)).toBe('in 3 h');
    expect(relativeTime('2025-05-29T10:00:00Z', now)).toBe('4 days ago');
    expect(relativeTime('not a date', now)).toBe('not a date');
  });

  function item(checklist: string | null, state: CalendarItem['state']): CalendarItem {
    return {
      procedureId: `p.${checklist ?? 'x'}.${state}`,
      checklist,
      title: checklist ?? 'Weekly',
      cadence: checklist ? 'daily' : 'weekly',
      dueTime: null,
      lastDoneAt: null,
      lastStatus: null,
      lastRunId: null,
      dueAt: '2025-06-02T09:00:00Z',
      state,
    };
  }

  test('the dot counts only the morning and evening checklists that are due or overdue', () => {
    const items = [item('morning', 'overdue'), item('evening', 'upcoming'), item(null, 'overdue')];
    expect(dueChecklists({ profileId: 'p', now: '', items }).map((i) => i.checklist)).toEqual(['morning']);
    expect(dueChecklists({ profileId: 'p', now: '', items: [item('morning', 'done'), item('evening', 'due')] })).toHaveLength(1);
  });
});
