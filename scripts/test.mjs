// `npm test`: build, typecheck, lint, format check, then vitest, every project (unit;
// integration against a real PostgreSQL; e2e in Chromium). `npm run test:quick` is the
// developer's fast path (scripts/test-quick.mjs). Every stage runs even when an earlier one
// fails, and the run ends with one summary line "N passed, N failed".
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const resultsDir = path.join(root, 'test-results');
fs.mkdirSync(resultsDir, { recursive: true });
const vitestJson = path.join(resultsDir, 'vitest.json');
fs.rmSync(vitestJson, { force: true });

const stages = [
  ['build', bin('electron-vite'), ['build']],
  // tsc -b: every project of the solution tsconfig.json (node, web, test), each with its own libs.
  ['typecheck', bin('tsc'), ['-b']],
  ['lint', bin('eslint'), ['--max-warnings', '0', '.']],
  ['format', bin('prettier'), ['--check', '.']],
  ['vitest', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]],
];

const outcomes = [];
for (const [name, cmd, args] of stages) {
  const started = Date.now();
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(cmd, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...(process.env.CI ? { NO_COLOR: '1', FORCE_COLOR: '0' } : { FORCE_COLOR: '1' }) },
  });
  outcomes.push({ name, ok: r.status === 0, seconds: ((Date.now() - started) / 1000).toFixed(1) });
}

let passed = 0;
let failed = 0;
let skipped = 0;
if (fs.existsSync(vitestJson)) {
  const report = JSON.parse(fs.readFileSync(vitestJson, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0);
  skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
// A failing build, typecheck, lint or format stage counts as a failed check of its own.
for (const o of outcomes) {
  if (o.name !== 'vitest') {
    if (o.ok) passed += 1;
    else failed += 1;
  }
}
const vitestStage = outcomes.find((o) => o.name === 'vitest');
if (vitestStage && !vitestStage.ok && failed === 0) failed = 1;

console.log('\n=== summary ===');
for (const o of outcomes) console.log(`${o.ok ? 'ok  ' : 'FAIL'} ${o.name.padEnd(10)} ${o.seconds}s`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(outcomes.every((o) => o.ok) ? 0 : 1);
