// The core's layers are lint rules (eslint.config.mjs); this proves each rule bites, with the
// project's real config, and that src-main's import graph — type imports included, which
// import-x/no-cycle does not follow — has no cycle.
import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function ruleErrors(file: string, code: string, ruleId: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === ruleId).map((m) => m.message);
}

/** Zones are on resolved paths: the imported file must exist. */
function zoneErrors(file: string, from: string): Promise<string[]> {
  return ruleErrors(file, `import * as m from '${from}';\nvoid m;\n`, 'import-x/no-restricted-paths');
}

describe('core layers (lint)', () => {
  it('keeps the platform free of every domain and of the composition root', async () => {
    expect(await zoneErrors('src-main/core/platform/kernel/x.ts', '../../backup')).not.toEqual([]);
    expect(await zoneErrors('src-main/core/platform/postgres/x.ts', '../../profiles/test-connection')).not.toEqual([]);
    expect(await zoneErrors('src-main/core/platform/audit/x.ts', '../../app')).not.toEqual([]);
    expect(await zoneErrors('src-main/core/platform/postgres/x.ts', '../ssh/tunnel-manager')).toEqual([]);
  });

  it('lets a domain reach another only through its index', async () => {
    expect(await zoneErrors('src-main/core/restore/x.ts', '../backup/catalog')).not.toEqual([]);
    expect(await zoneErrors('src-main/core/monitoring/x.ts', '../runbook/thresholds')).not.toEqual([]);
    expect(await zoneErrors('src-main/core/restore/x.ts', '../backup')).toEqual([]);
    expect(await zoneErrors('src-main/core/restore/x.ts', '../backup/index')).toEqual([]);
    expect(await zoneErrors('src-main/core/restore/x.ts', './plan')).toEqual([]);
    expect(await zoneErrors('src-main/core/restore/x.ts', '../platform/tools/client-tools')).toEqual([]);
    expect(await zoneErrors('src-main/core/query/x.ts', '../app')).not.toEqual([]);
  });

  it('holds the transports and the composition root to the same indexes', async () => {
    expect(await zoneErrors('src-main/cli/commands/x.ts', '../../core/query/service')).not.toEqual([]);
    expect(await zoneErrors('src-main/web/x.ts', '../core/backup/catalog')).not.toEqual([]);
    expect(await zoneErrors('src-main/core/app.ts', './restore/handlers')).not.toEqual([]);
    expect(await zoneErrors('src-main/cli/commands/x.ts', '../../core/query')).toEqual([]);
    expect(await zoneErrors('src-main/cli/x.ts', '../core/app')).toEqual([]);
  });

  it('refuses an import cycle', async () => {
    // Linted as if it were platform/kernel/log.ts importing dispatch.ts, which imports log.ts.
    const code = "import { createDispatcher } from './dispatch';\nexport const log = { createDispatcher };\n";
    expect(await ruleErrors('src-main/core/platform/kernel/log.ts', code, 'import-x/no-cycle')).not.toEqual([]);
  });
});

/** Relative imports of one file, resolved to files under src-main (type-only ones too). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:from\s*|import\s*\(\s*)['"](\.[^'"]+)['"]/g)) {
    const base = path.resolve(path.dirname(file), m[1]!);
    const hit = ['', '.ts', '.tsx', '/index.ts'].map((ext) => base + ext).find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
    if (hit) found.push(hit);
  }
  return found;
}

describe('src-main import graph', () => {
  it('has no cycle, type imports included', () => {
    const files = fs
      .readdirSync(path.join(root, 'src-main'), { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.tsx?$/.test(f))
      .map((f) => path.join(root, 'src-main', f));
    expect(files.length).toBeGreaterThan(100);
    const graph = new Map(files.map((f) => [f, importsOf(f)]));
    // Depth-first search; a file met again while still on the path closes a cycle.
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, trail: string[]): void => {
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'open') cycles.push([...trail.slice(trail.indexOf(next)), next].map((f) => path.relative(root, f)).join(' → '));
        else if (!state.has(next)) visit(next, [...trail, next]);
      }
      state.set(file, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f, [f]);
    expect(cycles).toEqual([]);
  });
});
