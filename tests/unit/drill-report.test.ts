// The drill report: timings set against both runbook scenarios, validation rows, the
// prepare_disaster_recovery() table and notes; Markdown and HTML escape what came from
// servers and file names.
import { describe, expect, it } from 'vitest';
import { drillHtml, drillMarkdown, drillReportFilename, formatDuration, objectiveRows, type DrillReportInput } from '../../src-main/core/restore/drill-report';

function drill(overrides: Partial<DrillReportInput> = {}): DrillReportInput {
  return {
    id: 'd1',
    profileId: 'p1',
    profileName: 'shop',
    backupId: 'b1',
    backupPath: '/backups/shop_full_20250131-090000.dump',
    backupCreatedAt: '2025-01-31T09:00:00.000Z',
    startedAt: '2025-01-31T09:10:00.000Z',
    finishedAt: '2025-01-31T09:10:20.000Z',
    status: 'ok',
    restoreMs: 12_345,
    totalMs: 20_000,
    validation: {
      ok: true,
      status: 'warning',
      checks: [
        { name: 'rows public.orders', ok: true, status: 'pass', detail: '120 rows, as in the manifest' },
        { name: 'validate_recovery()', ok: true, status: 'warning', detail: 'warnings: baseline: warning (no backup metadata)' },
      ],
    },
    rtoTargetMs: 7_200_000,
    rtoMet: true,
    backupAgeMs: 10 * 60_000,
    rpoTargetMs: 900_000,
    rpoMet: true,
    scratchVersion: '15.18',
    disasterRecovery: { columns: ['item', 'status', 'value', 'details'], rows: [['server_version', 'info', '15.18', null]] },
    error: null,
    notes: [],
    ...overrides,
  };
}

describe('formatDuration', () => {
  it('reads like a person would say it', () => {
    expect(formatDuration(950)).toBe('950 ms');
    expect(formatDuration(12_345)).toBe('12.3 s');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
    expect(formatDuration(7_200_000)).toBe('2 h 00 min');
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 4 h');
    expect(formatDuration(null)).toBe('unknown');
  });
});

describe('objectiveRows', () => {
  it('judges the restore against both RTOs and the backup age against both RPOs', () => {
    const rows = objectiveRows({ restoreMs: 3 * 3_600_000, backupAgeMs: 30 * 60_000 });
    expect(rows.map((r) => [r.objective.split(' (')[0], r.target, r.verdict])).toEqual([
      ['RTO, data corruption', '2 h 00 min', 'MISSED'],
      ['RTO, platform failure', '4 h 00 min', 'met'],
      ['RPO, data corruption', '15 min 00 s', 'MISSED'],
      ['RPO, platform failure', '1 h 00 min', 'met'],
    ]);
    expect(objectiveRows({ restoreMs: null, backupAgeMs: null }).every((r) => r.verdict === 'not measured')).toBe(true);
  });
});

describe('drillMarkdown', () => {
  it('lists the facts, the objectives, each validation check and the DR table', () => {
    const md = drillMarkdown(drill());
    expect(md).toMatch(/^# Restore drill — shop\n/);
    expect(md).toContain('- **Status:** OK');
    expect(md).toContain('- **Restore time:** 12.3 s');
    expect(md).toContain('| RTO, data corruption (restore time) | 2 h 00 min | 12.3 s | met |');
    expect(md).toContain('| RPO, data corruption (backup age) | 15 min 00 s | 10 min 00 s | met |');
    expect(md).toContain('| rows public.orders | PASS | 120 rows, as in the manifest |');
    // Three states: a check whose detail says warning reads WARNING, never PASS.
    expect(md).toContain('| validate\\_recovery() | WARNING | warnings: baseline: warning (no backup metadata) |');
    expect(md).toContain('- **Validation:** passed with 1 warning(s) (2 checks)');
    expect(md).toContain('| server\\_version | info | 15.18 | NULL |');
    expect(md).not.toContain('## Notes');
  });

  it('escapes pipes and markup from names and messages, and shows a failed drill', () => {
    const md = drillMarkdown(
      drill({
        status: 'failed',
        error: 'pg_restore: error: relation "a|b" <x>',
        validation: { ok: false, status: 'fail', checks: [{ name: 'rows public."a|b"', ok: false, status: 'fail', detail: 'line one\nline two' }] },
        disasterRecovery: null,
        notes: ['prepare_disaster_recovery() could not be read: connection refused'],
      }),
    );
    expect(md).toContain('- **Status:** FAILED');
    expect(md).toContain('## Error\n\npg\\_restore: error: relation "a\\|b" \\<x\\>');
    expect(md).toContain('| rows public."a\\|b" | FAIL | line one<br>line two |');
    expect(md).toContain('_Not available (see the notes)._');
    expect(md).toContain('## Notes\n\n- prepare\\_disaster\\_recovery() could not be read: connection refused');
    // Every table row keeps its four (or three) cells: no stray pipe split one.
    const checkRow = md.split('\n').find((l) => l.startsWith('| rows public'))!;
    expect(checkRow.split(/(?<!\\)\|/).length).toBe(5);
  });
});

describe('drillHtml', () => {
  it('is a whole page with the objectives and checks, and escapes everything from outside', () => {
    const html = drillHtml(
      drill({
        profileName: '<b>shop</b>',
        validation: { ok: false, status: 'fail', checks: [{ name: 'rows public.x', ok: false, status: 'fail', detail: '<script>alert(1)</script>' }] },
        disasterRecovery: { columns: ['item'], rows: [['"quoted" & <tag>']] },
        notes: ["it's <late>"],
      }),
    );
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<title>Restore drill — &lt;b&gt;shop&lt;/b&gt;</title>');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;quoted&quot; &amp; &lt;tag&gt;');
    expect(html).toContain('<li>it&#39;s &lt;late&gt;</li>');
    expect(html).toMatch(/<td>RTO, data corruption \(restore time\)<\/td><td>2 h 00 min<\/td><td>12.3 s<\/td><td><span class="status"[^>]*>MET<\/span><\/td>/);
    expect(html).toMatch(/<td>rows public.x<\/td><td><span class="status"[^>]*>FAIL<\/span><\/td>/);
  });
});

describe('drillReportFilename', () => {
  it('is safe on every file system', () => {
    expect(drillReportFilename(drill({ profileName: 'shop / prod' }), 'markdown')).toBe('drill-shop_prod-2025-01-31T09-10-00Z.md');
    expect(drillReportFilename(drill({ profileName: null }), 'html')).toBe('drill-shop_full_20250131-090000.dump-2025-01-31T09-10-00Z.html');
  });
});
