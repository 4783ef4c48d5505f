// Issue 20: the packaged app's command line (resources/cli/ops-console), run from a stand-in
// of the installed layout — <app>/ops-console-desktop and <app>/resources/{app.asar,cli} —
// and through a /usr/bin-style symlink, as the .deb installs it. The stand-in "Electron"
// is Node, and refuses to run unless ELECTRON_RUN_AS_NODE=1 is set, as the real one would
// open the desktop window instead; app.asar is a link to the built source tree.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-launcher-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(process.platform === 'win32')('packaged ops-console launcher', () => {
  it('runs the bundled CLI through the app’s runtime, from a symlink on PATH', () => {
    if (!fs.existsSync(path.join(root, 'out', 'main', 'cli.js'))) throw new Error('The app is not built: run `npm run build` first.');
    const app = path.join(tmp, 'opt', 'Ops Console');
    fs.mkdirSync(path.join(app, 'resources', 'cli'), { recursive: true });
    fs.writeFileSync(
      path.join(app, 'ops-console-desktop'),
      `#!/bin/sh\n[ "$ELECTRON_RUN_AS_NODE" = 1 ] || { echo "would open the desktop window" >&2; exit 97; }\nexec "${process.execPath}" "$@"\n`,
      { mode: 0o755 },
    );
    fs.symlinkSync(root, path.join(app, 'resources', 'app.asar'));
    fs.copyFileSync(path.join(root, 'resources', 'cli', 'ops-console'), path.join(app, 'resources', 'cli', 'ops-console'));
    fs.chmodSync(path.join(app, 'resources', 'cli', 'ops-console'), 0o755);
    fs.mkdirSync(path.join(tmp, 'usr', 'bin'), { recursive: true });
    const onPath = path.join(tmp, 'usr', 'bin', 'ops-console');
    fs.symlinkSync(path.join(app, 'resources', 'cli', 'ops-console'), onPath);

    const home = path.join(tmp, 'home');
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'ELECTRON_RUN_AS_NODE' && !k.startsWith('PG')));
    const r = spawnSync(onPath, ['--home', home, '--json', 'profile', 'list'], { encoding: 'utf8', env, timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ profiles: [] });
    expect(fs.existsSync(path.join(home, 'ops-console.sqlite'))).toBe(true);
  });
});
