// `npm run bench`: builds, then runs each benchmark in bench/ and prints its figures.
// `npm run bench -- NAME [NAME…]` runs only those. Results are recorded by hand in bench/RESULTS.md with the date and machine.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const only = process.argv.slice(2);
const benches = [
  ['audit', 'bench/audit.ts'],
  ['cold-start', 'bench/cold-start.ts'],
  ['query', 'bench/query.ts'],
  ['query-ui', 'bench/query-ui.ts'],
  // The grid's code imports the renderer's path aliases (@contract): the test tsconfig maps them.
  ['grid', 'bench/grid.ts', ['--tsconfig', 'tsconfig.test.json']],
  ['backup', 'bench/backup.ts'],
  ['restore', 'bench/restore.ts'],
  ['activity', 'bench/activity.ts'],
  ['monitoring', 'bench/monitoring.ts'],
  ['runbook-import', 'bench/runbook-import.ts'],
  ['storage', 'bench/storage.ts'],
  ['offsite', 'bench/offsite.ts'],
  ['storage-direct', 'bench/storage-direct.ts'],
  ['tunnel', 'bench/tunnel.ts'],
  ['fleet', 'bench/fleet.ts'],
  ['team-sync', 'bench/team-sync.ts'],
];
const unknown = only.filter((name) => !benches.some(([known]) => known === name));
if (unknown.length > 0) {
  console.error(`Unknown benchmark: ${unknown.join(', ')}. Known: ${benches.map(([name]) => name).join(', ')}`);
  process.exit(2);
}
const chosen = benches.filter(([name]) => only.length === 0 || only.includes(name));

const build = spawnSync(path.join(root, 'node_modules', '.bin', 'electron-vite'), ['build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(1);

let failed = false;
for (const [name, file, tsxArgs = []] of chosen) {
  console.log(`\n=== bench: ${name} ===`);
  const r = spawnSync(tsx, [...tsxArgs, file], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
