// Tool discovery remembers each binary's `--version` answer by its identity (platform/tools/
// tool-versions.ts): a second discovery, even from another process's core over the same home,
// runs no tool; a binary replaced in place is asked again. Real scripts standing in for
// pg_dump count how often they are run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src-main/core/app';
import { MemorySecretStore } from '../../src-main/core/platform/secrets/memory-secret-store';
import { clearClientToolsCache, discoverClientTools, setClientToolPaths } from '../../src-main/core/platform/tools/client-tools';
import { newTestCore } from '../helpers/core';

let core: Core;
let home: string;
let tools: string;
const runs = () => (fs.existsSync(path.join(tools, 'runs')) ? fs.readFileSync(path.join(tools, 'runs'), 'utf8').split('\n').filter(Boolean).length : 0);

/** A pg_dump that answers `version` and records each run. */
function fakePgDump(version: string): void {
  const file = path.join(tools, 'pg_dump');
  fs.writeFileSync(file, `#!/bin/sh\necho run >> '${path.join(tools, 'runs')}'\necho 'pg_dump (PostgreSQL) ${version}'\n`, { mode: 0o755 });
}

const found = async (c: Core) => {
  clearClientToolsCache();
  return (await discoverClientTools(c.deps)).tools.find((t) => t.path === fs.realpathSync(path.join(tools, 'pg_dump')));
};

beforeAll(async () => {
  ({ core, home } = newTestCore('ops-tool-versions-'));
  tools = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-tool-versions-bin-'));
  fakePgDump('15.99');
  await setClientToolPaths(core.deps, [tools]);
});

afterAll(async () => {
  await core?.close();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(tools, { recursive: true, force: true });
});

describe.skipIf(process.platform === 'win32')('client tool versions', () => {
  it('asks a binary once, then answers from memory, also in a new core over the same home', async () => {
    expect(await found(core)).toMatchObject({ name: 'pg_dump', major: 15, version: 'pg_dump (PostgreSQL) 15.99', source: 'settings' });
    const first = runs();
    expect(first).toBeGreaterThanOrEqual(1);
    expect(await found(core)).toMatchObject({ version: 'pg_dump (PostgreSQL) 15.99' });
    expect(runs()).toBe(first);

    await core.close();
    core = createCore({ home, mode: 'browser', secrets: () => new MemorySecretStore(), actor: 'tester', strictErrors: true });
    expect(await found(core)).toMatchObject({ version: 'pg_dump (PostgreSQL) 15.99', source: 'settings' });
    expect(runs()).toBe(first);
  });

  it('asks again once the binary was replaced', async () => {
    const before = runs();
    fakePgDump('16.4');
    expect(await found(core)).toMatchObject({ major: 16, version: 'pg_dump (PostgreSQL) 16.4' });
    expect(runs()).toBe(before + 1);
  });
});
