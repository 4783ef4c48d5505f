// ops-console serve [--port N] [--no-open]: browser mode on 127.0.0.1 until interrupted.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createCore } from '../../core/app';
import { MemorySecretStore } from '../../core/secrets/memory-secret-store';
import { startWebHost } from '../../web/server';
import { boolFlag, expectPositionals, intFlag, parseArgs } from '../args';
import type { CliContext } from '../context';
import { printJson } from '../io';

const USAGE = 'ops-console serve [--port N] [--no-open]';

/** The built renderer: beside the bundled CLI (out/main → out/renderer), or the repo's out/. */
export function rendererDir(): string {
  const candidates = [
    process.env.OPS_CONSOLE_RENDERER_DIR,
    path.join(__dirname, '../renderer'),
    path.join(__dirname, '../../../out/renderer'),
  ].filter((c): c is string => Boolean(c));
  return candidates.find((c) => fs.existsSync(path.join(c, 'index.html'))) ?? candidates[candidates.length - 1]!;
}

/** Best effort: a missing opener is not an error, the URL is printed anyway. */
function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['explorer.exe', [url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No opener on this machine.
  }
}

export async function serveCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { port: { type: 'string' }, 'no-open': { type: 'boolean' } });
  expectPositionals(parsed, [], USAGE);
  const port = intFlag(parsed, 'port', { min: 0, max: 65535 }) ?? 0;
  const core = createCore({ home: ctx.home, mode: 'browser', secrets: () => new MemorySecretStore() });
  const host = await startWebHost({ core, staticDir: rendererDir(), port });
  if (ctx.io.json) printJson(ctx.io, { ok: true, url: host.loginUrl, port: host.port, home: ctx.home });
  else {
    ctx.io.out(`Ops Console (browser mode) is running at ${host.loginUrl}`);
    ctx.io.out(`Listening on 127.0.0.1 only. App home: ${ctx.home}. Press Ctrl+C to stop.`);
  }
  if (!boolFlag(parsed, 'no-open')) openBrowser(host.loginUrl);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await host.close();
  await core.close();
  return 0;
}
