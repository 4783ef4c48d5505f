// Runbook import on runbooks written in other styles (issue #16): the built-in runbook (a
// copy of the shared Timothie & Co file) still gives the same procedures and 28 SQL steps;
// setext headings, prose-only sections, nested lists with fences in list items, ~~~ and
// long fences, tables and HTML blocks; psql transcripts and unlabelled SQL; CRLF files; a
// generated 2 MB runbook. Each asserts the outline, and every non-empty heading of the input
// is checked to be a procedure or a listed section. Timing is in bench/runbook-import.ts.
import fs from 'node:fs';
import path from 'node:path';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import type { RunbookImportResult } from '../../src-main/contract/runbook';
import { loadParser } from '../../src-main/core/platform/guard/statements/classify';
import { importMarkdownRunbookSync as importRunbook } from '../../src-main/core/runbook/markdown-import';
import { bigRunbook } from '../helpers/big-runbook';

await loadParser();

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, '..', 'fixtures', name), 'utf8');

/** Type and title of each step, procedure by procedure, keyed by heading path. */
function outline(result: RunbookImportResult): Array<[string, Array<[string, string]>]> {
  return result.outline.map((p) => [p.path.join(' > ') || p.title, p.steps.map((s) => [s.type, s.title] as [string, string])]);
}

/**
 * Headings with something under them before the next heading, found by markdown-it here
 * (not by the importer): each must be a procedure of the outline or a listed section.
 */
function assertEveryHeadingKept(markdown: string, result: RunbookImportResult): void {
  const tokens = new MarkdownIt({ html: true }).parse(markdown, {});
  const headings: Array<{ title: string; nonEmpty: boolean }> = [];
  for (const [i, t] of tokens.entries()) {
    if (t.type === 'heading_open') headings.push({ title: tokens[i + 1]!.content, nonEmpty: false });
    else if (t.level === 0 && t.nesting !== -1 && !t.type.startsWith('heading') && t.type !== 'inline' && headings.length > 0)
      headings[headings.length - 1]!.nonEmpty = true;
  }
  const sections = result.sections ?? [];
  expect(sections).toHaveLength(headings.length);
  for (const [i, h] of headings.entries()) {
    const section = sections[i]!;
    if (!h.nonEmpty) continue;
    expect(['procedure', 'contents'], `"${h.title}" is not dropped`).toContain(section.role);
    if (section.role === 'procedure') expect(result.outline[section.procedure!]!.title).toBe(section.title);
  }
}

describe('the built-in runbook (tests/fixtures/runbook-timothie.md, the shared file as shipped)', () => {
  const raw = fixture('runbook-timothie.md');
  const result = importRunbook(raw, 'runbook-timothie.md');

  it('imports to the same 23 procedures and 28 SQL steps, with no warning', () => {
    expect(result).toMatchObject({
      title: 'Database Operations Runbook',
      procedures: 23,
      steps: 64,
      sqlSteps: 28,
      commandSteps: 3,
      manualSteps: 30,
      referenceSteps: 3,
      repairedCharacters: 3,
      warnings: [],
    });
    expect(result.parameters).toEqual(['PID', 'connection_string', 'new_connection']);
    expect(result.outline.map((p) => p.path.join(' > '))).toEqual([
      'Emergency Procedures > 🚨 Database Down (3AM Alert)',
      'Emergency Procedures > 🔥 High CPU/Memory Usage',
      'Emergency Procedures > 💾 Storage Space Critical',
      'Daily Operations > Morning Checklist (9 AM)',
      'Daily Operations > Evening Checklist (6 PM)',
      'Backup Procedures > Automated Backups',
      'Backup Procedures > Manual Backup Process',
      'Backup Procedures > Backup Validation',
      'Disaster Recovery > Recovery Scenarios > Scenario 1: Database Corruption',
      'Disaster Recovery > Recovery Scenarios > Scenario 2: Complete Platform Failure',
      'Disaster Recovery > Recovery Testing',
      'Performance Monitoring > Key Metrics to Monitor',
      'Performance Monitoring > Alert Thresholds',
      'Troubleshooting Guide > Common Issues > Slow Query Performance',
      'Troubleshooting Guide > Common Issues > Connection Pool Exhaustion',
      'Troubleshooting Guide > Common Issues > Inventory Synchronization Issues',
      'Troubleshooting Guide > Emergency Contacts',
      'Troubleshooting Guide > Escalation Matrix',
      'Maintenance Calendar > Daily',
      'Maintenance Calendar > Weekly',
      'Maintenance Calendar > Monthly',
      'Maintenance Calendar > Quarterly',
      'Contact Information',
    ]);
    expect(outline(result)[0]).toEqual([
      'Emergency Procedures > 🚨 Database Down (3AM Alert)',
      [
        ['manual', 'Check Supabase Dashboard'],
        ['sql', 'Quick Diagnostics'],
        ['sql', 'Connection Pool Issues'],
        ['manual', 'Escalation Path'],
      ],
    ]);
    // "[ARCHIVED]" inside a string literal is text, not a placeholder.
    expect(result.outline[2]!.steps[2]).toMatchObject({ type: 'sql', title: 'Archive Old Data', parameters: [], placeholders: [] });
    expect(result.outline[1]!.steps[1]!.placeholders).toEqual([{ name: 'PID', token: '[PID]', fill: 'literal' }]);
  });

  it('lists every heading, the table of contents as navigation and the headings that only group others', () => {
    assertEveryHeadingKept(raw, result);
    const roles = (result.sections ?? []).filter((s) => s.role !== 'procedure').map((s) => [s.title, s.role]);
    expect(roles).toEqual([
      ['Database Operations Runbook', 'title'],
      ['Timothie & Co Jewelry Customizer', 'group'],
      ['Table of Contents', 'contents'],
      ['Emergency Procedures', 'group'],
      ['Daily Operations', 'group'],
      ['Backup Procedures', 'group'],
      ['Disaster Recovery', 'group'],
      ['Recovery Scenarios', 'group'],
      ['Performance Monitoring', 'group'],
      ['Troubleshooting Guide', 'group'],
      ['Common Issues', 'group'],
      ['Maintenance Calendar', 'group'],
    ]);
  });

  it('reads a CRLF copy exactly as the LF file', () => {
    const crlf = importRunbook(raw.replace(/\n/g, '\r\n'), 'runbook-timothie.md');
    expect(crlf).toEqual(result);
  });
});

describe('a runbook with setext headings, prose-only sections, nested lists, HTML and tables', () => {
  const raw = fixture('runbook-setext.md');
  const result = importRunbook(raw, 'runbook-setext.md');

  it('makes a procedure of every underlined heading and keeps the document title', () => {
    expect(result).toMatchObject({ title: 'Replication Runbook', procedures: 6, sqlSteps: 3, warnings: [] });
    expect(outline(result)).toEqual([
      ['Replication Runbook', [['reference', 'Replication Runbook']]],
      [
        'Replication Slots',
        [
          ['sql', 'Find the inactive slots'],
          ['sql', 'Check both servers › On the primary'],
          ['sql', 'Check both servers › On the standby'],
          ['manual', 'Check both servers › Compare the two numbers'],
          ['manual', 'Tell the team in the incident channel.'],
        ],
      ],
      ['Resolution', [['reference', 'Resolution']]],
      ['Deadlocks', [['reference', 'Deadlocks']]],
      ['Deadlocks > Known offenders', [['reference', 'Known offenders']]],
      ['Escalation', [['reference', 'Escalation']]],
    ]);
    assertEveryHeadingKept(raw, result);
    expect(result.sections?.find((s) => s.title === 'Empty heading')?.role).toBe('empty');
  });

  it('reads fences of any length, ~~~ or backticks, with info strings, inside nested list items', () => {
    const [find, primary, standby] = result.outline[1]!.steps;
    expect(find).toMatchObject({ text: 'SELECT slot_name, active, restart_lsn\nFROM pg_replication_slots\nWHERE NOT active;', line: 12 });
    expect(primary).toMatchObject({ text: 'SELECT pg_current_wal_lsn();', line: 20 });
    expect(standby).toMatchObject({ text: 'SELECT pg_last_wal_replay_lsn();', line: 24 });
    expect(result.outline[1]!.notes).toEqual(['A slot that no consumer reads keeps WAL on the primary until the disk fills.']);
  });

  it('keeps the words of sections without steps, block quotes and HTML blocks included', () => {
    const resolution = result.outline[2]!.steps[0]!;
    expect(resolution.text).toContain('Drop the slot only once its consumer is confirmed gone');
    expect(resolution.text).toContain('<summary>Why not just restart the consumer?</summary>');
    expect(resolution.text.endsWith('</details>')).toBe(true);
    const deadlocks = result.outline[3]!.steps[0]!;
    expect(deadlocks.text).toBe(
      '> PostgreSQL detects a deadlock after `deadlock_timeout` and cancels one of the\n> transactions; the other proceeds.\n\nRepeated deadlocks mean two code paths lock rows in different orders.',
    );
    expect(result.outline[5]!.steps[0]!.text).toBe('* Page the DBA\n  * then the platform lead\n* Write the timeline');
  });

  it('keeps tables with escaped pipes as cells', () => {
    expect(result.outline[4]!.steps[0]!.table).toEqual({
      columns: ['Path', 'Locks', 'Fix'],
      rows: [
        ['checkout', 'orders, then stock', 'lock stock first'],
        ['restock | import', 'stock, then orders', 'none needed'],
      ],
    });
  });

  it('reads a CRLF copy to the same outline, lines included', () => {
    expect(importRunbook(raw.replace(/\n/g, '\r\n'), 'runbook-setext.md')).toEqual(result);
  });

  it('reads a fence that holds a shorter fence as one block, and reports one left open', () => {
    const nested = importRunbook('## Docs\n\n`````markdown\n```sql\nSELECT 1;\n```\n`````\n\n## Open\n\n1. Item\n   ~~~sql\n   SELECT 2;\n');
    expect(outline(nested)).toEqual([
      ['Docs', [['reference', 'Docs']]],
      ['Open', [['sql', 'Item']]],
    ]);
    expect(nested.outline[0]!.steps[0]!.text).toBe('```sql\nSELECT 1;\n```');
    expect(nested.warnings).toEqual(['The ~~~sql block opened at line 12 is never closed; it was read to the end of the document.']);
  });
});

describe('checklists with sub-tasks, and front matter', () => {
  it('makes each checkbox a manual step, sub-tasks too, titled with what they belong to', () => {
    const md =
      '## Daily\n\n- [ ] Vacuum\n  - [ ] orders\n  - [x] items\n- [ ] Check disk\n  - on the primary\n  - on the standby\n\n## Weekly\n\n- Mondays:\n  - [ ] Review slots\n\n1. Rotate\n   - [ ] logs\n';
    const result = importRunbook(md);
    expect(outline(result)).toEqual([
      [
        'Daily',
        [
          ['manual', 'Vacuum'],
          ['manual', 'Vacuum › orders'],
          ['manual', 'Vacuum › items'],
          ['manual', 'Check disk'],
        ],
      ],
      [
        'Weekly',
        [
          ['manual', 'Mondays › Review slots'],
          ['manual', 'Rotate › logs'],
        ],
      ],
    ]);
    expect(result.outline[0]!.steps[3]).toMatchObject({ text: 'Check disk\n- on the primary\n- on the standby', line: 6 });
  });

  it('reads YAML front matter as metadata, keeping line numbers, and a leading rule as a rule', () => {
    const front = importRunbook('---\ntitle: Slots\ntags:\n  - pg\n---\n\n# Slots\n\n## Drop\n\n```sql\nSELECT 1;\n```\n');
    expect(front.sections?.map((s) => [s.title, s.role, s.line])).toEqual([
      ['Slots', 'title', 7],
      ['Drop', 'procedure', 9],
    ]);
    expect(front.outline[0]!.steps[0]).toMatchObject({ type: 'sql', line: 11 });
    const rule = importRunbook('---\n\n## A\n\ntext\n\n---\n\n## B\n\n```sql\nSELECT 1;\n```\n');
    expect(outline(rule)).toEqual([
      ['A', [['reference', 'A']]],
      ['B', [['sql', 'B']]],
    ]);
  });
});

describe('psql transcripts and unlabelled SQL', () => {
  const result = importRunbook(fixture('runbook-placeholders.md'), 'runbook-placeholders.md');
  const proc = (title: string) => result.outline.find((p) => p.title === title)!;

  it('strips a transcript to the statements typed at its prompts, with a warning', () => {
    const [step] = proc('Transcript from the incident').steps;
    expect(step).toMatchObject({ type: 'sql', line: 38, note: 'From a psql transcript: prompts and output removed.' });
    expect(step!.text).toBe("begin;\nselect pid, state from pg_stat_activity\n where state = 'idle in transaction';\nrollback;");
    expect(result.warnings).toContain(
      'The sql block at line 38 ("Transcript from the incident") is a psql transcript: its 5 prompts, 7 output lines and the psql command \\x were removed, leaving 3 statements as an SQL step; check them before running.',
    );
  });

  it('keeps a transcript whose statements do not parse as reference text', () => {
    expect(proc('Old output').steps).toEqual([
      {
        title: 'Old output',
        type: 'reference',
        text: 'shop=> selec broken from;\nERROR:  syntax error at or near "selec"',
        parameters: [],
        line: 56,
        note: 'A psql transcript, kept as written.',
      },
    ]);
    expect(result.warnings).toContain(
      'The sql block at line 56 ("Old output") is a psql transcript that has statements that do not parse as PostgreSQL (syntax error at or near "selec"): kept as reference text.',
    );
    const metaOnly = importRunbook('## Tables\n\n```sql\nshop=# \\dt\n      List of relations\n```\n');
    expect(metaOnly.outline[0]!.steps[0]).toMatchObject({ type: 'reference', note: 'A psql transcript, kept as written.' });
    expect(metaOnly.warnings).toEqual([
      'The sql block at line 3 ("Tables") is a psql transcript that has no SQL statement, only psql commands and output: kept as reference text.',
    ]);
  });

  it('imports unlabelled and indented code as SQL when it parses, saying so; other text stays reference', () => {
    expect(proc('Unlabelled').steps.map((s) => [s.type, s.line, s.text])).toEqual([
      ['sql', 63, 'SELECT relname, n_dead_tup\nFROM pg_stat_user_tables\nORDER BY n_dead_tup DESC LIMIT <limit>;'],
      ['reference', 69, 'ERROR:  could not obtain lock on relation "orders"'],
      ['sql', 73, 'VACUUM ANALYZE orders;'],
    ]);
    expect(result.warnings.filter((w) => w.includes('unlabelled code block'))).toEqual([
      'The unlabelled code block at line 63 ("Unlabelled") parses as PostgreSQL: it was imported as an SQL step.',
      'The unlabelled code block at line 73 ("Unlabelled") parses as PostgreSQL: it was imported as an SQL step.',
    ]);
  });

  it('takes a labelled SQL block at its word, and says when its placeholders could not be checked', () => {
    const bad = importRunbook('## Fix\n\n```sql\nSELEC 1;\n```\n\n```sql\nSELEC pg_cancel_backend(<pid>) WHERE d = {{db}};\n```\n');
    expect(bad.outline[0]!.steps.map((s) => [s.type, s.text, s.parameters])).toEqual([
      ['sql', 'SELEC 1;', []],
      ['sql', 'SELEC pg_cancel_backend(<pid>) WHERE d = {{db}};', ['db']],
    ]);
    expect(bad.warnings).toEqual([
      'The sql block at line 7 ("Fix") does not parse as PostgreSQL even with its placeholders filled (syntax error at or near "SELEC"): only its [X], {{x}}, :\'x\' and :"x" placeholders were recognised.',
    ]);
  });
});

describe('a generated 2 MB runbook', () => {
  const big = bigRunbook(2 * 1024 * 1024);
  const result = importRunbook(big.markdown, 'big.md');

  it('keeps every section, in order, with its steps', () => {
    expect(big.markdown.length).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    expect(result.outline.map((p) => p.title)).toEqual(big.titles);
    expect(result.sqlSteps).toBe(big.sqlSteps);
    expect(result.sections?.filter((s) => s.role === 'procedure')).toHaveLength(big.titles.length);
    // One of each kind of section, read as its style says.
    expect(outline(result).slice(0, 6)).toEqual([
      [
        'Incident 0: replication lag',
        [
          ['sql', 'Measure the lag'],
          ['sql', 'Cancel the blocker'],
          ['manual', 'Tell the team'],
        ],
      ],
      [
        'Slot cleanup 1',
        [
          ['sql', 'Slot cleanup 1'],
          ['reference', 'Slot cleanup 1'],
        ],
      ],
      [
        'Slot cleanup 1 > Per-database check 2',
        [
          ['sql', 'Per-database check 2'],
          ['sql', 'Per-database check 2'],
          ['command', 'Per-database check 2'],
        ],
      ],
      ['Transcript 3', [['sql', 'Transcript 3']]],
      ['Deadlocks 4', [['reference', 'Deadlocks 4']]],
      [
        'Deadlocks 4 > Weekly 5',
        [
          ['manual', 'Vacuum the orders table'],
          ['manual', 'Test a restore'],
          ['manual', 'Review slot 5'],
        ],
      ],
    ]);
    expect(result.parameters).toEqual(['pid', 'slot_name', 'keep', 'database', 'dbname', 'min_backends', 'table_name']);
  });
});
