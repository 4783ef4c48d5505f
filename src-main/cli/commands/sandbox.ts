// ops-console sandbox start|stop|status|reset [--json]
import type { SandboxStatus } from '../../contract/models';
import { expectPositionals, parseArgs, UsageError } from '../args';
import type { CliContext } from '../context';
import { printJson } from '../io';

const USAGE = 'ops-console sandbox start|stop|status|reset [--json]';
const ACTIONS = { start: 'startSandbox', stop: 'stopSandbox', status: 'getSandboxStatus', reset: 'resetSandbox' } as const;

function contractView(s: SandboxStatus) {
  return { ok: s.ok, running: s.running, port: s.port, dataDir: s.dataDir, profile: s.profile, url: s.url, serverVersion: s.serverVersion };
}

export async function sandboxCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, {});
  const [action] = expectPositionals(parsed, ['ACTION'], USAGE);
  if (!action || !(action in ACTIONS)) throw new UsageError(`unknown sandbox action "${action}"\nusage: ${USAGE}`);
  const status = await ctx.call(ACTIONS[action as keyof typeof ACTIONS], {});
  if (ctx.io.json) {
    printJson(ctx.io, contractView(status));
  } else if (status.running) {
    ctx.io.out(`Sandbox running on 127.0.0.1:${status.port} (PostgreSQL ${status.serverVersion ?? '?'})`);
    ctx.io.out(`  profile: ${status.profile}\n  url:     ${status.url}\n  data:    ${status.dataDir}`);
  } else {
    ctx.io.out(`Sandbox stopped (data: ${status.dataDir})`);
  }
  return 0;
}
