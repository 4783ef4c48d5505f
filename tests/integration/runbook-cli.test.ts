// `ops-console runbook import` through the built CLI: the contract's JSON, the human
// summary, exit codes (0, 1 for an unreadable file, 2 for usage) and the audit entry
// showing the import executed nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runCli } from '../helpers/cli';

const FIXTURE = path.resolve(__dirname, '../fixtures/runbook-sample.md');

describe('ops-console runbook import', () => {
  let home: string;
  beforeAll(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-cli-runbook-'));
  });
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

  it('reports procedures, steps and one SQL step per sql block, and executes nothing', async () => {
    const run = await runCli(home, ['runbook', 'import', FIXTURE, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(json(run)).toMatchObject({ procedures: 8, steps: 15, sqlSteps: 5, repairedCharacters: 6 });

    const text = await runCli(home, ['runbook', 'import', FIXTURE]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('8 procedures, 15 steps (5 SQL, 1 command, 7 manual, 2 reference). Nothing was executed.');
    expect(text.stdout).toContain('🚨 Replication Lag');

    const audit = json(await runCli(home, ['audit', 'list', '--json'])) as { entries: Array<{ action: string; summary: string }> };
    expect(audit.entries.map((e) => e.action)).toEqual(['runbook.import', 'runbook.import']);
    expect(audit.entries[0]!.summary).toContain('Imported 8 procedures, 15 steps (5 SQL)');
  });

  it('imports the built-in runbook to its 23 procedures and 28 SQL steps, every heading listed, and warns on stderr (issue #16)', async () => {
    const builtin = await runCli(home, ['runbook', 'import', path.resolve(__dirname, '../fixtures/runbook-timothie.md'), '--json']);
    expect(builtin.code, builtin.stderr).toBe(0);
    const doc = json(builtin) as { procedures: number; steps: number; sqlSteps: number; warnings: string[]; sections: Array<{ role: string }> };
    expect(doc).toMatchObject({ procedures: 23, steps: 64, sqlSteps: 28, warnings: [] });
    expect(doc.sections).toHaveLength(35);
    expect(doc.sections.filter((s) => s.role === 'procedure')).toHaveLength(23);
    const styles = await runCli(home, ['runbook', 'import', path.resolve(__dirname, '../fixtures/runbook-placeholders.md')]);
    expect(styles.code, styles.stderr).toBe(0);
    expect(styles.stdout).toContain('Parameters asked before running: pid, PID, slot_name, keep, database, dbname, schema, min_id, table_name, limit');
    expect(styles.stderr).toContain('warning: The sql block at line 38 ("Transcript from the incident") is a psql transcript');
  });

  it('reads standard input with "-"', async () => {
    const run = await runCli(home, ['runbook', 'import', '-', '--json'], { stdin: fs.readFileSync(FIXTURE, 'utf8') });
    expect(run.code, run.stderr).toBe(0);
    expect(json(run)).toMatchObject({ sqlSteps: 5, source: 'standard input' });
  });

  it('exits 1 for a missing or non-UTF-8 file and 2 for usage errors', async () => {
    const missing = await runCli(home, ['runbook', 'import', path.join(home, 'nope.md'), '--json']);
    expect(missing.code).toBe(1);
    expect(json(missing)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const latin1 = path.join(home, 'latin1.md');
    fs.writeFileSync(latin1, Buffer.from('# Caf\xe9\n', 'latin1'));
    const bad = await runCli(home, ['runbook', 'import', latin1]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('is not UTF-8 text');
    expect((await runCli(home, ['runbook', 'import'])).code).toBe(2);
    expect((await runCli(home, ['runbook', 'import', FIXTURE, '--frobnicate'])).code).toBe(2);
  });
});
