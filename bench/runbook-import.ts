// Runbook import of a 2 MB Markdown file (issue #16, target < 1 s): the generated runbook of
// tests/helpers/big-runbook.ts (every style, a placeholder in most SQL steps, no statement
// twice) and the built-in runbook's fixture repeated to the same size. Baseline in the same
// run: markdown-it parsing the same text alone, which is the floor for any import on it.
// Parsing only, nothing executed. `npx tsx bench/runbook-import.ts [--rounds 7] [--mb 2]`.
// The last stdout line is one JSON object with the figures.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import MarkdownIt from 'markdown-it';
import { loadParser } from '../src-main/core/platform/guard/statements/classify';
import { importMarkdownRunbookSync } from '../src-main/core/runbook/markdown-import';
import { bigRunbook } from '../tests/helpers/big-runbook';

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const n = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number`);
  return n;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Wall and CPU time (this process, all threads: the GC's included) of `fn`, in ms. */
function timed(fn: () => void): { wallMs: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  fn();
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
}

function measure(label: string, markdown: string, rounds: number) {
  const plain = new MarkdownIt({ html: true });
  let summary = importMarkdownRunbookSync(markdown, `${label}.md`); // warm-up: JIT and the parser's first calls
  const runs: Array<{ wallMs: number; cpuMs: number }> = [];
  const baseline: number[] = [];
  for (let i = 0; i < rounds; i++) {
    runs.push(timed(() => (summary = importMarkdownRunbookSync(markdown, `${label}.md`))));
    baseline.push(timed(() => plain.parse(markdown, {})).wallMs);
  }
  const wall = runs.map((r) => r.wallMs);
  const importMs = median(wall);
  return {
    bytes: Buffer.byteLength(markdown, 'utf8'),
    procedures: summary.procedures,
    steps: summary.steps,
    sqlSteps: summary.sqlSteps,
    parameters: summary.parameters.length,
    warnings: summary.warnings.length,
    importMs: round1(importMs),
    importMaxMs: round1(Math.max(...wall)),
    importCpuMs: round1(median(runs.map((r) => r.cpuMs))),
    markdownItAloneMs: round1(median(baseline)),
    importVsMarkdownItRatio: round1(importMs / median(baseline)),
    perRoundMs: wall.map(round1),
  };
}

async function main(): Promise<void> {
  const rounds = argValue('--rounds', 7);
  const bytes = argValue('--mb', 2) * 1024 * 1024;
  await loadParser();
  const loadBefore = os.loadavg().map(round1);
  const generated = measure('generated', bigRunbook(bytes).markdown, rounds);
  console.log(
    `generated ${generated.bytes} bytes: import median ${generated.importMs} ms (CPU ${generated.importCpuMs} ms), markdown-it alone ${generated.markdownItAloneMs} ms`,
  );
  const builtin = fs.readFileSync(path.join(__dirname, '..', 'tests', 'fixtures', 'runbook-timothie.md'), 'utf8');
  const repeated = builtin.repeat(Math.ceil(bytes / builtin.length));
  const real = measure('builtin-repeated', repeated, rounds);
  console.log(
    `built-in runbook ×${Math.ceil(bytes / builtin.length)} (${real.bytes} bytes): import median ${real.importMs} ms (CPU ${real.importCpuMs} ms), markdown-it alone ${real.markdownItAloneMs} ms`,
  );
  const result = {
    rounds,
    generated,
    builtinRepeated: real,
    loadAverage: { before: loadBefore, after: os.loadavg().map(round1) },
    target: { importMs: '< 1000 for 2 MB' },
  };
  console.log(JSON.stringify(result));
}

void main();
