// The process boundaries are lint rules; this proves the rules bite. Each case lints a
// snippet as if it lived at the given path, with the project's real eslint config.
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function restrictedImportErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('process boundaries (lint)', () => {
  it('keeps electron inside the desktop shell and preload', async () => {
    expect(await restrictedImportErrors('src-main/core/profiles/x.ts', "import { app } from 'electron';\nvoid app;\n")).toHaveLength(1);
    expect(await restrictedImportErrors('src-main/cli/x.ts', "import { app } from 'electron';\nvoid app;\n")).toHaveLength(1);
    expect(await restrictedImportErrors('src-main/desktop/x.ts', "import { app } from 'electron';\nvoid app;\n")).toHaveLength(0);
    expect(await restrictedImportErrors('src-preload/x.ts', "import { ipcRenderer } from 'electron';\nvoid ipcRenderer;\n")).toHaveLength(0);
  });

  it('keeps Node modules and the core out of the renderer', async () => {
    for (const mod of ['node:fs', 'fs', 'child_process', 'pg', 'better-sqlite3', 'electron', '../../../src-main/core/app']) {
      const errors = await restrictedImportErrors('src-renderer/src/screens/x.tsx', `import * as m from '${mod}';\nvoid m;\n`);
      expect(errors, mod).toHaveLength(1);
    }
    expect(
      await restrictedImportErrors('src-renderer/src/screens/x.tsx', "import { operations } from '../../../src-main/contract/operations';\nvoid operations;\n"),
    ).toHaveLength(0);
  });

  it('keeps the contract pure and the core free of its transports', async () => {
    expect(await restrictedImportErrors('src-main/contract/x.ts', "import fs from 'node:fs';\nvoid fs;\n")).toHaveLength(1);
    expect(await restrictedImportErrors('src-main/core/x.ts', "import { startWebHost } from '../web/server';\nvoid startWebHost;\n")).toHaveLength(1);
    expect(await restrictedImportErrors('src-preload/x.ts', "import fs from 'node:fs';\nvoid fs;\n")).toHaveLength(1);
  });
});
