// ops-console serve [--port N] [--no-open]: browser mode on loopback until interrupted.
// The host listens on a random 127.x.y.z of its own, so its session cookie reaches no other
// local listener (src-main/web/bind.ts). The login URL with its token goes to our stdout
// only; the browser is opened through a one-time 0600 launch file, so no other process's
// argv ever holds a credential (src-main/web/launch.ts).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Core } from '../../core/app';
import { openInBrowser } from '../../web/opener';
import { startWebHost } from '../../web/server';
import { boolFlag, expectPositionals, intFlag, parseArgs } from '../args';
import type { CliContext } from '../context';
import { printJson } from '../io';

const USAGE = 'ops-console serve [--port N] [--no-open]';

/** The built renderer: beside the bundled CLI (out/main → out/renderer), or the repo's out/. */
export function rendererDir(): string {
  const candidates = [process.env.OPS_CONSOLE_RENDERER_DIR, path.join(__dirname, '../renderer'), path.join(__dirname, '../../../out/renderer')].filter(
    (c): c is string => Boolean(c),
  );
  return candidates.find((c) => fs.existsSync(path.join(c, 'index.html'))) ?? candidates[candidates.length - 1]!;
}

export async function serveCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { port: { type: 'string' }, 'no-open': { type: 'boolean' } });
  expectPositionals(parsed, [], USAGE);
  const port = intFlag(parsed, 'port', { min: 0, max: 65535 }) ?? 0;
  // Cold start (issue #21): listen first and open the core while the browser parses the page
  // (src-main/web/core-opener.ts); a core that fails to open still fails the command.
  let loaded = Promise.resolve();
  const host = await startWebHost({
    core: () => openCore(ctx.home, loaded),
    staticDir: rendererDir(),
    port,
    address: 'private',
    launchDir: path.join(ctx.home, 'run'),
  });
  loaded = loadCoreModules();
  // A failed load fails the opening of the core, with its message (openCore awaits it).
  loaded.catch(() => undefined);
  if (ctx.io.json) printJson(ctx.io, { ok: true, url: host.loginUrl, address: host.address, port: host.port, home: ctx.home });
  else {
    ctx.io.out(`Ops Console (browser mode) is running at ${host.loginUrl}`);
    ctx.io.out(`Listening on ${host.address} only. App home: ${ctx.home}. Press Ctrl+C to stop.`);
  }
  if (host.sharedAddress) {
    ctx.io.err('warning: this system offers no loopback address but 127.0.0.1, so any other local web server this browser visits receives the session cookie.');
  }
  if (!boolFlag(parsed, 'no-open')) openInBrowser(host.createLaunchFile());
  let core: Core;
  try {
    core = await host.coreReady;
  } catch (err) {
    await host.close();
    throw err;
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await host.close();
  await core.close();
  return 0;
}

async function openCore(home: string, loaded: Promise<void>): Promise<Core> {
  await loaded;
  const [{ createCore }, { MemorySecretStore }] = await Promise.all([import('../../core/app'), import('../../core/platform/secrets/memory-secret-store')]);
  return createCore({ home, mode: 'browser', secrets: () => new MemorySecretStore() });
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Loads the core's modules from the moment the host listens, one large dependency at a time
 * with a turn of the event loop between them, so a request for the page waits for one step
 * (tens of ms), never for the whole load. Loading is all it does: opening the store and the
 * rest of createCore wait for the host's opener. The packages go through require, as the
 * bundled core loads them (an import() would load their ESM builds: other module instances).
 * Only the packages the core requires when it opens and that stay outside its bundle belong
 * here: zod, pg and markdown-it are bundled into out/main (requiring them here would load a
 * second, unused copy: ~0.1 s each of a thread the page waits on), ssh2 and the AWS SDK load
 * on first use. A dependency missing from this list only loses the interleaving.
 */
async function loadCoreModules(): Promise<void> {
  const load = createRequire(__filename);
  for (const name of ['better-sqlite3', 'libpg-query']) {
    await nextTurn();
    load(name);
  }
  await nextTurn();
  await import('../../core/app');
}
