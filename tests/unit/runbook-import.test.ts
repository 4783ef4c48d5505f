// Markdown runbook import (issue #5): the parser on a fixture shaped like the shared
// runbook (mojibake emoji, placeholders, sql/bash fences in numbered items, checkbox
// lists, tables), the mojibake repair and placeholder scan on their own, the handler
// through core.dispatch (audited, executes nothing) and the CLI command's file handling.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunbookImportResult } from '../../src-main/contract/runbook';
import { UsageError } from '../../src-main/cli/args';
import { readRunbook, runbookCommand } from '../../src-main/cli/commands/runbook';
import { createCliContext } from '../../src-main/cli/context';
import { createCore } from '../../src-main/core/app';
import type { Io } from '../../src-main/cli/io';
import { runCli } from '../../src-main/cli/main';
import { loadParser } from '../../src-main/core/platform/guard/statements/classify';
import { importMarkdownRunbookSync as importMarkdownRunbook } from '../../src-main/core/runbook/markdown-import';
import { repairMojibake } from '../../src-main/core/runbook/mojibake';
import { commandPlaceholders, fillSqlPlaceholders, sqlLiteral, sqlPlaceholders } from '../../src-main/contract/placeholders';
import { callsOn, newTestCore } from '../helpers/core';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'runbook-sample.md');
const raw = fs.readFileSync(FIXTURE, 'utf8');
// The importer asks the PostgreSQL parser about SQL blocks; it loads once per process.
await loadParser();

function stepsOf(result: RunbookImportResult) {
  return result.outline.flatMap((p) => p.steps);
}

describe('markdown runbook import: the fixture', () => {
  const result = importMarkdownRunbook(raw, 'runbook-sample.md');

  it('really is mis-decoded like the shared runbook (the repair has something to do)', () => {
    expect(raw).toContain('ðŸš¨ Replication Lag'); // 🚨 as UTF-8 read as Windows-1252
    expect(raw).toContain('â€”'); // —
    expect(raw).toContain('ðŸ“\u008d Contacts'); // 📍: its 0x8D byte is undefined in Windows-1252
  });

  it('makes one SQL step per ```sql block and counts every kind of step', () => {
    const sqlFences = raw.split('\n').filter((line) => /^\s*```sql\s*$/.test(line)).length;
    expect(sqlFences).toBe(5);
    expect(result.sqlSteps).toBe(sqlFences);
    expect(result).toMatchObject({
      title: 'Database Operations Runbook',
      source: 'runbook-sample.md',
      procedures: 8,
      steps: 15,
      commandSteps: 1,
      manualSteps: 7,
      referenceSteps: 2,
      warnings: [],
    });
    expect(stepsOf(result)).toHaveLength(result.steps);
  });

  it('turns headings into procedures with their path, skipping the table of contents', () => {
    expect(result.outline.map((p) => p.path.join(' > '))).toEqual([
      'Emergency Procedures > 🚨 Replication Lag (Pager Alert)',
      'Emergency Procedures > 🔥 Disk Almost Full — Act Fast',
      'Backup Procedures > Manual Backup',
      'Monitoring > Alert Thresholds',
      'Troubleshooting > Common Issues > Slow Checkout',
      'Maintenance Calendar > Daily',
      'Maintenance Calendar > Weekly',
      '📍 Contacts',
    ]);
    expect(stepsOf(result).some((s) => s.text.includes('#emergency-procedures'))).toBe(false);
    expect(result.outline[0]!.notes).toEqual(['Immediate Actions (RTO: 10 minutes)']);
  });

  it('keeps numbered instructions, fences and labels as typed, titled steps in document order', () => {
    const lag = result.outline[0]!.steps;
    expect(lag.map((s) => [s.type, s.title])).toEqual([
      ['manual', 'Open the Provider Console'],
      ['sql', 'Measure the Lag'],
      ['sql', 'Cancel the Blocker'],
    ]);
    expect(lag[0]!.text).toBe('- Check replica status\n- Note the reported lag');
    // The fence's list indentation is removed; the SQL is otherwise verbatim.
    expect(lag[1]!.text).toBe(
      '-- Lag per standby\nSELECT client_addr, state, replay_lag FROM pg_stat_replication;\n\n-- Oldest open transaction\nSELECT pid, xact_start FROM pg_stat_activity ORDER BY xact_start LIMIT 1;',
    );
    expect(lag[1]!.line).toBe(23);
    const backup = result.outline[2]!.steps;
    expect(backup.map((s) => [s.type, s.title])).toEqual([
      ['command', 'Schema Backup'],
      ['manual', 'Copy the Label Images'],
    ]);
    expect(backup[0]!.text).toContain('pg_dump --schema-only --no-owner \\\n  postgresql://[connection_string]');
    const slow = result.outline[4]!.steps;
    expect(slow.map((s) => [s.type, s.title])).toEqual([
      ['sql', 'Diagnosis'],
      ['manual', 'Resolution'],
    ]);
  });

  it('turns checkbox lists into one manual step per box', () => {
    const calendar = result.outline.slice(5, 7).flatMap((p) => p.steps);
    expect(calendar.map((s) => [s.type, s.title])).toEqual([
      ['manual', 'Check replication lag'],
      ['manual', 'Review disk usage'],
      ['manual', 'Vacuum the orders table'],
      ['manual', 'Test a restore ✅'],
    ]);
  });

  it('finds placeholders in SQL and commands, not in literals, comments or subscripts', () => {
    const cancel = result.outline[0]!.steps[2];
    expect(cancel!.parameters).toEqual(['PID']);
    const [biggest, archive] = result.outline[1]!.steps;
    expect(biggest!.parameters).toEqual([]); // "-- [NOT_A_PARAM]" and "(array_agg(relname))[1]"
    expect(archive!.parameters).toEqual(['CUTOFF_DATE', 'SHOP_ID']); // not ' [ARCHIVED]'
    expect(result.outline[2]!.steps[0]!.parameters).toEqual(['connection_string']);
    expect(result.parameters).toEqual(['PID', 'CUTOFF_DATE', 'SHOP_ID', 'connection_string']);
  });

  it('keeps tables as reference steps with their cells', () => {
    const [thresholds] = result.outline[3]!.steps;
    expect(thresholds).toMatchObject({ type: 'reference', title: 'Alert Thresholds', parameters: [] });
    expect(thresholds!.table).toEqual({
      columns: ['Metric', 'Warning', 'Critical', 'Action'],
      rows: [
        ['Replication lag', '> 30s', '> 120s', 'Cancel blockers'],
        ['Disk used', '> 80%', '> 90%', 'Archive old orders'],
      ],
    });
    expect(result.outline[7]!.steps[0]!.table?.rows).toEqual([['DBA', '[Your contact]']]);
  });

  it('repairs the mojibake and leaves correctly written text alone', () => {
    expect(result.repairedCharacters).toBe(6); // 🚨 🔥 — — ✅ 📍
    expect(JSON.stringify(result)).not.toMatch(/ðŸ|â€|âœ/);
    expect(result.outline[7]!.notes[0]).toBe('Café on-call — naïve rota ✅ (written correctly, left as is)');
  });
});

describe('mojibake repair', () => {
  it('restores UTF-8 read as Windows-1252 or Latin-1, counting each restored character', () => {
    expect(repairMojibake('ðŸš¨ Down')).toEqual({ text: '🚨 Down', repaired: 1 });
    expect(repairMojibake('âœ… ok â€” done')).toEqual({ text: '✅ ok — done', repaired: 2 });
    expect(repairMojibake('caf\u00c3\u00a9')).toEqual({ text: 'café', repaired: 1 });
    expect(repairMojibake('âš\u00a0ï¸\u008f')).toEqual({ text: '⚠️', repaired: 2 }); // ⚠ + variation selector
  });

  it('leaves correct text and sequences that do not round-trip untouched', () => {
    for (const text of ['café naïve — ✅ 🚨', 'plain ASCII', 'Ã alone', 'Ã( not a continuation', 'â€ cut short', '\u00c0\u00af overlong']) {
      expect(repairMojibake(text)).toEqual({ text, repaired: 0 });
    }
  });
});

describe('placeholders', () => {
  it('skips strings, quoted identifiers, comments, dollar quotes and subscripts', () => {
    const sql = `SELECT a[1], arr[i], ARRAY[x], "col[Y]", E'it\\'s [S]', $$ [D] $$, $f$[F]$f$ /* [C] /* [N] */ */ FROM t WHERE id = [ID] AND d > [Start Date] -- [L]\nAND e = [ID]`;
    expect(sqlPlaceholders(sql)).toEqual(['ID', 'Start Date']);
    expect(commandPlaceholders('# [COMMENT]\npsql postgresql://[conn] -c "x" ${arr[i]} [ -f a ]')).toEqual(['conn']);
  });
});

describe('fillSqlPlaceholders', () => {
  it('puts a number in as it is and a string as a quoted literal', () => {
    expect(fillSqlPlaceholders('SELECT pg_cancel_backend([PID]);', { PID: '123' })).toBe('SELECT pg_cancel_backend(123);');
    expect(fillSqlPlaceholders('SELECT * FROM orders WHERE total > [Min]', { Min: ' 12.50 ' })).toBe('SELECT * FROM orders WHERE total > 12.50');
    expect(fillSqlPlaceholders('SELECT * FROM users WHERE email = [email]', { email: "o'brien@example.com" })).toBe(
      "SELECT * FROM users WHERE email = 'o''brien@example.com'",
    );
    // Not a number: an injection attempt stays inside one literal.
    expect(fillSqlPlaceholders('SELECT [x]', { x: "1; DROP TABLE t; --'" })).toBe("SELECT '1; DROP TABLE t; --'''");
    expect(fillSqlPlaceholders('SELECT 10-[N]', { N: '-5' })).toBe('SELECT 10-(-5)');
    expect(sqlLiteral('1e3')).toBe("'1e3'");
  });

  it('replaces every occurrence, and nothing inside strings, identifiers, comments, dollar quotes or subscripts', () => {
    const sql = `SELECT a[1], arr[i], ARRAY[x], "col[ID]", ' [ID] ', E'it\\'s [ID]', $$ [ID] $$ /* [ID] */ FROM t WHERE id = [ID] OR parent = [ID] -- [ID]`;
    expect(fillSqlPlaceholders(sql, { ID: '7' })).toBe(
      `SELECT a[1], arr[i], ARRAY[x], "col[ID]", ' [ID] ', E'it\\'s [ID]', $$ [ID] $$ /* [ID] */ FROM t WHERE id = 7 OR parent = 7 -- [ID]`,
    );
    expect(fillSqlPlaceholders('SELECT (array_agg(relname))[1] FROM pg_class', {})).toBe('SELECT (array_agg(relname))[1] FROM pg_class');
  });

  it('names every placeholder that has no value', () => {
    expect(() => fillSqlPlaceholders('DELETE FROM t WHERE d < [CUTOFF_DATE] AND s = [SHOP_ID]', { SHOP_ID: '1' })).toThrow(
      'No value for the placeholder [CUTOFF_DATE].',
    );
    expect(() => fillSqlPlaceholders('SELECT [a], [b], [a]', {})).toThrow('No value for the placeholders [a], [b].');
    expect(() => fillSqlPlaceholders('SELECT [a]', { a: 'x\u0000y' })).toThrow(/NUL/);
  });
});

describe('importRunbook through the dispatcher', () => {
  const { core, home } = newTestCore('ops-runbook-import-');
  const calls = callsOn(() => core);
  afterAll(async () => {
    await core.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('is audited as runbook.import with a summary, and executes nothing', async () => {
    const result = await calls.ok<RunbookImportResult>('importRunbook', { markdown: raw, source: 'runbook-sample.md' });
    expect(result.sqlSteps).toBe(5);
    const entries = core.deps.audit.search({ limit: 100 });
    expect(entries.map((e) => e.action)).toEqual(['runbook.import']);
    expect(entries.some((e) => e.action.startsWith('query.'))).toBe(false);
    expect(entries[0]).toMatchObject({ outcome: 'ok', profile: null, summary: 'Imported 8 procedures, 15 steps (5 SQL) from runbook-sample.md' });
  });

  it('refuses input that is not a document', async () => {
    expect(await calls.fail('importRunbook', { markdown: 42 })).toMatchObject({ code: 'INVALID_INPUT' });
    expect(await calls.fail('importRunbook', { markdown: 'x', extra: true })).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('reports an unclosed fence and a document without procedures', async () => {
    const open = await calls.ok<RunbookImportResult>('importRunbook', { markdown: '## Fix\n```sql\nSELECT 1;\n' });
    expect(open.sqlSteps).toBe(1);
    expect(open.warnings[0]).toContain('opened at line 2 is never closed');
    const empty = await calls.ok<RunbookImportResult>('importRunbook', { markdown: '# Title only\n\n## Nothing here\n' });
    expect(empty).toMatchObject({ procedures: 0, steps: 0 });
    expect(empty.warnings[0]).toContain('No procedures found');
    expect(empty.sections?.map((s) => [s.title, s.role])).toEqual([
      ['Title only', 'title'],
      ['Nothing here', 'empty'],
    ]);
    // Prose is part of a runbook: a document of prose alone is one procedure holding its words.
    const prose = await calls.ok<RunbookImportResult>('importRunbook', { markdown: 'Just prose.\n' });
    expect(prose).toMatchObject({ procedures: 1, steps: 1, referenceSteps: 1, warnings: [] });
    expect(prose.outline[0]!.steps[0]).toMatchObject({ type: 'reference', text: 'Just prose.', line: 1 });
  });
});

describe('ops-console runbook import (command logic)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-runbook-cli-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function captureIo(json: boolean): Io & { stdout: string[]; stderr: string[] } {
    const stdout: string[] = [];
    const stderr: string[] = [];
    return { json, isTerminal: false, stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
  }

  it('prints the JSON of the contract ({procedures, steps, sqlSteps}) and a human summary', async () => {
    const jsonIo = captureIo(true);
    const ctx = createCliContext(path.join(dir, 'home'), jsonIo, createCore);
    try {
      expect(await runbookCommand(ctx, ['import', FIXTURE])).toBe(0);
      const doc = JSON.parse(jsonIo.stdout.join('')) as RunbookImportResult;
      expect(doc).toMatchObject({ procedures: 8, steps: 15, sqlSteps: 5 });
      const textIo = captureIo(false);
      expect(await runbookCommand({ ...ctx, io: textIo }, ['import', FIXTURE])).toBe(0);
      expect(textIo.stdout.join('\n')).toContain('8 procedures, 15 steps (5 SQL, 1 command, 7 manual, 2 reference). Nothing was executed.');
    } finally {
      await ctx.close();
    }
  });

  it('keeps the runbook in the store with --save, and only then', async () => {
    const ctx = createCliContext(path.join(dir, 'save-home'), captureIo(false), createCore);
    try {
      expect(await runbookCommand(ctx, ['import', FIXTURE])).toBe(0);
      expect((await ctx.call('listRunbooks', {})).runbooks).toEqual([]);
      const jsonIo = captureIo(true);
      expect(await runbookCommand({ ...ctx, io: jsonIo }, ['import', FIXTURE, '--save'])).toBe(0);
      const doc = JSON.parse(jsonIo.stdout.join('')) as RunbookImportResult & { savedId: string };
      expect(doc).toMatchObject({ procedures: 8, savedId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      expect((await ctx.call('listRunbooks', {})).runbooks.map((r) => r.id)).toEqual([doc.savedId]);
      const textIo = captureIo(false);
      expect(await runbookCommand({ ...ctx, io: textIo }, ['import', '--save', FIXTURE])).toBe(0);
      expect(textIo.stdout.join('\n')).toMatch(/Saved as runbook [0-9a-f-]{36}: the app's runbook screen lists it\./);
    } finally {
      await ctx.close();
    }
  });

  it('refuses usage errors with a UsageError (exit 2) and says which file is wrong', async () => {
    const ctx = createCliContext(path.join(dir, 'home'), captureIo(false), createCore);
    await expect(runbookCommand(ctx, ['import'])).rejects.toBeInstanceOf(UsageError);
    await expect(runbookCommand(ctx, ['import', 'a.md', 'b.md'])).rejects.toBeInstanceOf(UsageError);
    await expect(runbookCommand(ctx, ['export', 'a.md'])).rejects.toBeInstanceOf(UsageError);
    await ctx.close();
    expect(await runCli(['--home', path.join(dir, 'home'), 'runbook', 'import'])).toBe(2);

    await expect(readRunbook(path.join(dir, 'missing.md'))).rejects.toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', message: expect.stringContaining('missing.md') }),
    );
    await expect(readRunbook(dir)).rejects.toThrow(/is a directory/);
    const big = path.join(dir, 'big.md');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 5_000_001);
    await expect(readRunbook(big)).rejects.toThrow(/5000001 bytes; a runbook may be at most 5000000/);
    const latin1 = path.join(dir, 'latin1.md');
    fs.writeFileSync(latin1, Buffer.from('# Caf\xe9\n', 'latin1'));
    await expect(readRunbook(latin1)).rejects.toThrow(/is not UTF-8 text/);
    const binary = path.join(dir, 'binary.md');
    fs.writeFileSync(binary, Buffer.from([0x23, 0x00, 0x41]));
    await expect(readRunbook(binary)).rejects.toThrow(/NUL bytes/);
  });
});
