// `npm run test:quick`: the developer's fast path, under 3 minutes on a 2-core machine (1 min 51 s
// measured: typecheck 31 s with tsc -b's build info warm, up to ~75 s cold; vitest 80 s).
// Typecheck, every unit test (no PostgreSQL), then a smoke subset of the integration
// project against one real PostgreSQL cluster. It needs no build, so no CLI, desktop or
// browser test is in it: `npm test` (what CI runs) stays the full check.
// Stops at the first failing stage: a fast path should answer fast.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

// One file per main path through the core, each against the real server, chosen for what a
// change most often breaks and for speed (about 45 s together). Keep the list short: a file
// added here is paid for on every quick run.
const SMOKE = [
  'tests/integration/profiles-handlers.test.ts', // profile store, secrets, connecting
  'tests/integration/test-connection.test.ts', // connection diagnostics and server detection
  'tests/integration/query-run.test.ts', // console queries through the guard, into the audit trail
  'tests/security/guard-attacks.test.ts', // the statement guard against crafted SQL
  'tests/security/redact-trail.test.ts', // no secret reaches the audit trail
  'tests/integration/checklist.test.ts', // runbook checklists
  'tests/integration/monitoring-overview.test.ts', // the Performance overview queries
  'tests/integration/backup-run.test.ts', // pg_dump, verification, catalog
  'tests/integration/restore-run.test.ts', // pg_restore and validation
];

const stages = [
  ['typecheck', bin('tsc'), ['-b']],
  // The path filters select all of tests/unit in the unit project and only SMOKE in the integration one.
  ['vitest', bin('vitest'), ['run', '--project', 'unit', '--project', 'integration', 'tests/unit/', ...SMOKE]],
];

const outcomes = [];
for (const [name, cmd, args] of stages) {
  const started = Date.now();
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  outcomes.push({ name, ok: r.status === 0, seconds: ((Date.now() - started) / 1000).toFixed(1) });
  if (r.status !== 0) break;
}

console.log('\n=== summary (quick: unit + integration smoke subset; npm test runs everything) ===');
for (const o of outcomes) console.log(`${o.ok ? 'ok  ' : 'FAIL'} ${o.name.padEnd(10)} ${o.seconds}s`);
process.exit(outcomes.length === stages.length && outcomes.every((o) => o.ok) ? 0 : 1);
