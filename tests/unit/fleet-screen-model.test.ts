// The Fleet screen's order and live updates (issue #22): worst first, an unreachable server
// above one never checked, more attention items first, then by name; a refresh's row replaces
// its old one in place and the list re-sorts, a row for a profile not shown stays out.
import { describe, expect, test } from 'vitest';
import { compareFleetRows, type FleetRow, type FleetView } from '../../src-main/contract/fleet-screen';
import { ageText, refreshLabel, replaceRow } from '../../src-renderer/src/screens/fleet/fleet-model';

function row(name: string, status: FleetRow['status'], over: Partial<FleetRow> = {}): FleetRow {
  return {
    profileId: `id-${name}`,
    name,
    env: 'production',
    tags: [],
    readOnly: true,
    status,
    attention: [],
    connection: { state: 'ok', at: '2026-12-07T00:00:00.000Z', code: null, message: null },
    overview: null,
    backup: null,
    drill: null,
    checklists: { morning: null, evening: null },
    ...over,
  };
}

const never = { state: 'never' as const, at: null, code: null, message: null };
const down = { state: 'error' as const, at: '2026-12-07T00:00:00.000Z', code: 'CONNECTION_FAILED', message: 'refused' };

describe('compareFleetRows', () => {
  test('CRITICAL, unreachable, never checked, WARNING, OK; attention, then name, break ties', () => {
    const rows = [
      row('ok-b', 'ok'),
      row('ok-a', 'ok'),
      row('ok-busy', 'ok', { attention: ['no backup', 'morning checklist overdue'] }),
      row('warn', 'warning'),
      row('never', 'unknown', { connection: never }),
      row('down', 'unknown', { connection: down }),
      row('crit', 'critical'),
    ];
    expect([...rows].sort(compareFleetRows).map((r) => r.name)).toEqual(['crit', 'down', 'never', 'warn', 'ok-busy', 'ok-a', 'ok-b']);
  });
});

describe('replaceRow', () => {
  const view: FleetView = {
    now: '2026-12-07T00:00:00.000Z',
    tag: null,
    tags: [],
    totalProfiles: 3,
    rows: [row('a', 'warning'), row('b', 'ok'), row('c', 'ok')],
  };

  test('a refreshed row takes its place by status', () => {
    const next = replaceRow(view, row('c', 'critical'));
    expect(next.rows.map((r) => `${r.name}:${r.status}`)).toEqual(['c:critical', 'a:warning', 'b:ok']);
    expect(view.rows.map((r) => r.name)).toEqual(['a', 'b', 'c']);
  });

  test('a row of a profile not shown (another tag) stays out', () => {
    expect(replaceRow(view, row('z', 'critical'))).toBe(view);
  });
});

test('words: ages and the refresh button', () => {
  expect(ageText(40_000)).toBe('40 s');
  expect(ageText(12 * 60_000)).toBe('12 min');
  expect(ageText(5 * 3600_000)).toBe('5 h');
  expect(ageText(3 * 86_400_000)).toBe('3 days');
  expect(refreshLabel(null, 1)).toBe('Refresh 1 profile');
  expect(refreshLabel(null, 12)).toBe('Refresh 12 profiles');
  expect(refreshLabel({ done: 3, total: 12 }, 12)).toBe('Refreshing 3 of 12…');
});
