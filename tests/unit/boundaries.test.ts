// The process boundaries are lint rules; this proves the rules bite. Each case lints a
// snippet as if it lived at the given path, with the project's real eslint config.
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function restrictedImportErrors(file: string, code: string, ruleId = 'no-restricted-imports'): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === ruleId).map((m) => m.message);
}

/** The renderer's layers are import-x zones on resolved paths: the imported file must exist. */
function layerErrors(file: string, from: string): Promise<string[]> {
  return restrictedImportErrors(file, `import * as m from '${from}';\nvoid m;\n`, 'import-x/no-restricted-paths');
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
    // The renderer's aliases (tsconfig.web.json) reach the contract, and nothing past it.
    expect(
      await restrictedImportErrors('src-renderer/src/screens/x.tsx', "import { operations } from '@contract/operations';\nvoid operations;\n"),
    ).toHaveLength(0);
    for (const mod of ['@contract/../core/app', '@renderer/../../src-main/core/app']) {
      const errors = await restrictedImportErrors('src-renderer/src/screens/x.tsx', `import * as m from '${mod}';\nvoid m;\n`);
      expect(errors.length, mod).toBeGreaterThan(0);
    }
  });

  it('keeps the contract pure and the core free of its transports', async () => {
    expect(await restrictedImportErrors('src-main/contract/x.ts', "import fs from 'node:fs';\nvoid fs;\n")).toHaveLength(1);
    expect(await restrictedImportErrors('src-main/core/x.ts', "import { startWebHost } from '../web/server';\nvoid startWebHost;\n")).toHaveLength(1);
    expect(await restrictedImportErrors('src-preload/x.ts', "import fs from 'node:fs';\nvoid fs;\n")).toHaveLength(1);
  });

  it('keeps each renderer screen out of the others, and shared/ below the screens', async () => {
    const screen = 'src-renderer/src/screens/activity/x.tsx';
    expect(await layerErrors(screen, '../backups/backup-wizard-model')).toHaveLength(1);
    expect(await layerErrors(screen, '../../screens/profiles/form-model')).toHaveLength(1);
    expect(await layerErrors(screen, '../../app/Shell')).toHaveLength(1);
    expect(await layerErrors(screen, './activity-model')).toHaveLength(0);
    expect(await layerErrors(screen, '../../shared/format/numbers')).toHaveLength(0);
    // The zones hold on resolved paths, so through the @renderer alias too.
    expect(await layerErrors(screen, '@renderer/screens/backups/backup-wizard-model')).toHaveLength(1);
    expect(await layerErrors(screen, '@renderer/shared/format/numbers')).toHaveLength(0);
    expect(await layerErrors('src-renderer/src/shared/x.ts', '../screens/backups/backup-wizard-model')).toHaveLength(1);
    expect(await layerErrors('src-renderer/src/shared/format/x.ts', '../../app/Shell')).toHaveLength(1);
    expect(await layerErrors('src-renderer/src/shared/x.ts', './format/numbers')).toHaveLength(0);
    // The frame shows the screens.
    expect(await layerErrors('src-renderer/src/app/x.tsx', '../screens/backups/BackupsScreen')).toHaveLength(0);
  });
});
