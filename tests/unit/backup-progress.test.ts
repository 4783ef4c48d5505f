// The pg_dump --verbose parser and the size-weighted percentage, on stderr captured from
// this machine's pg_dump 15 (LC_MESSAGES=C) against a small database: public.orders
// (1,000 rows), public.items (empty) and s2."Weird Name".
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DumpProgress, LineSplitter, outputBytes, parseVerboseLine, startTicker } from '../../src-main/core/platform/tools/progress';

function fixture(name: string): string[] {
  return fs
    .readFileSync(path.join(__dirname, '..', 'fixtures', name), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

const TABLES = [
  { schema: 'public', name: 'orders', bytes: 600_000 },
  { schema: 'public', name: 'items', bytes: 100_000 },
  { schema: 's2', name: 'Weird Name', bytes: 300_000 },
];

describe('parseVerboseLine', () => {
  it('finds the table starts of a custom-format dump, in order, and nothing else', () => {
    const starts = fixture('pg_dump15-verbose-custom.txt')
      .map(parseVerboseLine)
      .flatMap((l) => (l.kind === 'table-start' ? [l.table] : []));
    expect(starts).toEqual(['public.items', 'public.orders', 's2.Weird Name']);
  });

  it('reads the parallel workers’ "finished item" lines (table name without schema)', () => {
    const lines = fixture('pg_dump15-verbose-directory-j2.txt').map(parseVerboseLine);
    expect(lines.flatMap((l) => (l.kind === 'table-done' ? [l.name] : []))).toEqual(['Weird Name', 'items', 'orders']);
    expect(lines.filter((l) => l.kind === 'other')).toEqual([]);
  });

  it('classifies the error line of a failed connection as a problem, not chatter', () => {
    const [line] = fixture('pg_dump15-verbose-error.txt');
    expect(line).toMatch(/^pg_dump: error: connection to server/);
    expect(parseVerboseLine(line!)).toEqual({ kind: 'other' });
    expect(parseVerboseLine('pg_dump: reading schemas')).toEqual({ kind: 'info' });
  });
});

describe('DumpProgress', () => {
  it('sequential: a table counts as done when the next one starts, 100% only on completion', () => {
    const progress = new DumpProgress(TABLES, { parallel: false, compressed: true, dataless: false });
    const seen: Array<number | null> = [];
    for (const line of fixture('pg_dump15-verbose-custom.txt')) {
      if (progress.line(line)) seen.push(progress.percent());
    }
    // items starts (0 done), orders starts (items done: 10%), Weird Name starts (orders done: 70%).
    expect(seen).toEqual([0, 10, 70]);
    expect(progress.snapshot(5000).currentTable).toBe('s2.Weird Name');
    expect(progress.snapshot(5000).tablesDone).toBe(2);
    progress.complete();
    expect(progress.snapshot(6000)).toMatchObject({ percent: 100, etaMs: 0, tablesDone: 3, tablesTotal: 3, currentTable: null });
  });

  it('parallel: only "finished item" ends a table', () => {
    const progress = new DumpProgress(TABLES, { parallel: true, compressed: true, dataless: false });
    const lines = fixture('pg_dump15-verbose-directory-j2.txt');
    const upTo = (needle: string) => lines.slice(0, lines.findIndex((l) => l.includes(needle)) + 1);
    for (const line of upTo('dumping contents of table "public.items"')) progress.line(line);
    expect(progress.snapshot(1000).tablesDone).toBe(1); // Weird Name finished before items started
    expect(progress.percent()).toBe(30);
    for (const line of lines) progress.line(line);
    expect(progress.snapshot(2000).tablesDone).toBe(3);
    expect(progress.percent()).toBe(100);
  });

  it('gives partial credit for output written, never past 95% of the tables in flight', () => {
    const progress = new DumpProgress([{ schema: 'public', name: 'big', bytes: 1_000_000 }], { parallel: false, compressed: false, dataless: false });
    progress.line('pg_dump: dumping contents of table "public.big"');
    progress.setBytesWritten(400_000); // default uncompressed ratio 0.8 → 500,000 table bytes
    expect(progress.percent()).toBe(50);
    const at50 = progress.snapshot(10_000);
    expect(at50.etaMs).toBe(10_000);
    progress.setBytesWritten(5_000_000);
    expect(progress.percent()).toBe(95);
  });

  it('has no percentage for a schema-only dump until it ends', () => {
    const progress = new DumpProgress(TABLES, { parallel: false, compressed: false, dataless: true });
    for (const line of fixture('pg_dump15-verbose-plain.txt')) progress.line(line);
    expect(progress.snapshot(3000)).toMatchObject({ percent: null, etaMs: null });
  });
});

describe('LineSplitter, outputBytes, startTicker', () => {
  it('joins lines split across chunks', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l));
    splitter.push('pg_dump: dumping contents of ta');
    splitter.push('ble "public.a"\r\npg_dump: err');
    splitter.end();
    expect(lines).toEqual(['pg_dump: dumping contents of table "public.a"', 'pg_dump: err']);
  });

  it('measures a file, a directory’s files, and a missing path as 0', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-progress-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.dat'), Buffer.alloc(1000));
      fs.writeFileSync(path.join(dir, 'b.dat'), Buffer.alloc(24));
      expect(await outputBytes(path.join(dir, 'a.dat'))).toBe(1000);
      expect(await outputBytes(dir)).toBe(1024);
      expect(await outputBytes(path.join(dir, 'nope'))).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ticks at least twice a second and never overlaps a slow tick', async () => {
    let calls = 0;
    let overlapping = 0;
    let active = 0;
    const ticker = startTicker(async () => {
      calls += 1;
      active += 1;
      if (active > 1) overlapping += 1;
      await new Promise((r) => setTimeout(r, 120));
      active -= 1;
    }, 100);
    await new Promise((r) => setTimeout(r, 1000));
    await ticker.stop();
    expect(calls).toBeGreaterThanOrEqual(4);
    expect(overlapping).toBe(0);
  });
});
