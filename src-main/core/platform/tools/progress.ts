// Progress of a running pg_dump, from what it prints with --verbose (LC_MESSAGES=C, so the
// wording is fixed) and from how much it has written. pg_dump announces a table when it
// STARTS copying it ("dumping contents of table"); in a sequential dump the previous table
// is then done, in a parallel one each worker says "finished item N TABLE DATA name".
import fs from 'node:fs';
import path from 'node:path';

export interface ProgressTable {
  schema: string;
  name: string;
  bytes: number;
}

/** One stderr line, classified. */
export type VerboseLine =
  | { kind: 'table-start'; table: string }
  | { kind: 'table-done'; name: string }
  /** Any other "pg_dump: …" chatter of --verbose (reading schemas, saving encoding…). */
  | { kind: 'info' }
  /** Errors, warnings, details, hints and anything unknown: kept for the failure message. */
  | { kind: 'other' };

const TABLE_START = /^pg_dump(?:all)?: (?:dumping contents of table|processing data for table) "(.+)"\s*$/;
const TABLE_DONE = /^pg_dump(?:all)?: finished item \d+ TABLE DATA (.+?)\s*$/;
const PROBLEM = /^pg_dump(?:all)?: (?:error|warning|detail|hint|fatal):/i;
const INFO = /^pg_dump(?:all)?: /;

export function parseVerboseLine(line: string): VerboseLine {
  const start = TABLE_START.exec(line);
  if (start?.[1] !== undefined) return { kind: 'table-start', table: start[1] };
  const done = TABLE_DONE.exec(line);
  if (done?.[1] !== undefined) return { kind: 'table-done', name: done[1] };
  if (PROBLEM.test(line)) return { kind: 'other' };
  if (INFO.test(line)) return { kind: 'info' };
  return { kind: 'other' };
}

export interface ProgressSnapshot {
  percent: number | null;
  etaMs: number | null;
  currentTable: string | null;
  tablesDone: number;
  tablesTotal: number;
}

/** pg_dump prints "schema.table" unquoted; we key tables the same way. */
function keyOf(t: ProgressTable): string {
  return `${t.schema}.${t.name}`;
}

/** Output bytes per on-disk table byte assumed until finished tables tell us better. */
function defaultRatio(compressed: boolean): number {
  return compressed ? 0.25 : 0.8;
}

/** A table is never shown as more than this done until pg_dump has moved past it. */
const IN_FLIGHT_CAP = 0.95;
/** Finished tables must add up to this much before their output ratio is trusted. */
const RATIO_MIN_BYTES = 1024 * 1024;

/**
 * The percentage is weighted by the tables' on-disk sizes collected before the start.
 * Within the tables being copied, the output written so far (converted back to table
 * bytes with the ratio seen on finished tables) gives partial credit, bounded so that a
 * table never counts as done before pg_dump says so.
 */
export class DumpProgress {
  private readonly sizes = new Map<string, number>();
  private readonly byName = new Map<string, string[]>();
  private readonly totalBytes: number;
  private readonly started = new Set<string>();
  private readonly done = new Set<string>();
  private current: string | null = null;
  private doneBytes = 0;
  private writtenAtLastDone = 0;
  private bytesWritten = 0;

  constructor(
    tables: ProgressTable[],
    private readonly options: { parallel: boolean; compressed: boolean; dataless: boolean },
  ) {
    for (const t of tables) {
      const key = keyOf(t);
      this.sizes.set(key, Math.max(0, t.bytes));
      this.byName.set(t.name, [...(this.byName.get(t.name) ?? []), key]);
    }
    this.totalBytes = [...this.sizes.values()].reduce((a, b) => a + b, 0);
  }

  /** Feeds one stderr line; true when the table picture changed. */
  line(text: string): boolean {
    const parsed = parseVerboseLine(text);
    if (parsed.kind === 'table-start') return this.startTable(parsed.table);
    if (parsed.kind === 'table-done') return this.finishByName(parsed.name);
    return false;
  }

  setBytesWritten(bytes: number): void {
    this.bytesWritten = Math.max(this.bytesWritten, bytes);
  }

  /** pg_dump exited 0: every table it was going to copy is copied. */
  complete(): void {
    for (const key of this.sizes.keys()) this.markDone(key);
    this.current = null;
  }

  private startTable(table: string): boolean {
    if (this.started.has(table)) return false;
    // Sequential dumps copy one table at a time: the next start ends the previous one.
    if (!this.options.parallel && this.current !== null) this.markDone(this.current);
    this.started.add(table);
    this.current = table;
    return true;
  }

  /** "finished item … TABLE DATA orders" names the table without its schema. */
  private finishByName(name: string): boolean {
    const candidates = [...this.started].filter((key) => !this.done.has(key) && key.endsWith(`.${name}`));
    const known = (this.byName.get(name) ?? []).filter((key) => this.started.has(key) && !this.done.has(key));
    const key = known[0] ?? candidates[0];
    if (key === undefined) return false;
    this.markDone(key);
    if (this.current === key) this.current = this.inFlight()[0] ?? null;
    return true;
  }

  private markDone(key: string): void {
    if (this.done.has(key)) return;
    this.done.add(key);
    this.started.add(key);
    this.doneBytes += this.sizes.get(key) ?? 0;
    this.writtenAtLastDone = this.bytesWritten;
  }

  private inFlight(): string[] {
    return [...this.started].filter((key) => !this.done.has(key));
  }

  private ratio(): number {
    if (this.doneBytes >= RATIO_MIN_BYTES && this.writtenAtLastDone > 0) return this.writtenAtLastDone / this.doneBytes;
    return defaultRatio(this.options.compressed);
  }

  percent(): number | null {
    // A schema-only dump copies no rows: table sizes say nothing about its progress.
    if (this.options.dataless || this.totalBytes === 0) return null;
    const inFlightBytes = this.inFlight().reduce((sum, key) => sum + (this.sizes.get(key) ?? 0), 0);
    const fromOutput = this.bytesWritten / this.ratio();
    const credited = Math.min(Math.max(this.doneBytes, fromOutput), this.doneBytes + inFlightBytes * IN_FLIGHT_CAP);
    return Math.min(100, (100 * credited) / this.totalBytes);
  }

  snapshot(elapsedMs: number): ProgressSnapshot {
    const percent = this.percent();
    let etaMs: number | null = null;
    // Too early or too little done and the estimate would only jump around.
    if (percent !== null && percent >= 1 && percent < 100 && elapsedMs >= 1000) etaMs = Math.round((elapsedMs * (100 - percent)) / percent);
    if (percent === 100) etaMs = 0;
    return {
      percent: percent === null ? null : Math.round(percent * 10) / 10,
      etaMs,
      currentTable: this.current,
      tablesDone: [...this.done].filter((key) => this.sizes.has(key)).length,
      tablesTotal: this.sizes.size,
    };
  }
}

/** Splits a byte stream into lines (a chunk may end mid-line). */
export class LineSplitter {
  private rest = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    const text = this.rest + chunk;
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    for (const line of lines) this.onLine(line.replace(/\r$/, ''));
  }

  end(): void {
    if (this.rest !== '') this.onLine(this.rest);
    this.rest = '';
  }
}

/** Bytes written so far: the file's size, or the total of a directory's files (one level: pg_dump -Fd is flat). */
export async function outputBytes(target: string): Promise<number> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(target);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  let names: string[];
  try {
    names = await fs.promises.readdir(target);
  } catch {
    return 0;
  }
  for (const name of names) {
    try {
      total += (await fs.promises.stat(path.join(target, name))).size;
    } catch {
      // A file pg_dump is just creating or renaming: counted at the next tick.
    }
  }
  return total;
}

/**
 * Calls `tick` every `intervalMs` (default 500: "at least once a second" with room for a
 * busy event loop); a tick still running is never overlapped by the next.
 */
export function startTicker(tick: () => Promise<void>, intervalMs = 500): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = tick()
      .catch(() => undefined)
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      if (running) await running;
    },
  };
}
