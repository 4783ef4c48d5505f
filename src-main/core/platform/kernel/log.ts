// Diagnostic log to stderr. Never give it a password: callers pass redacted text, and
// values that may hold secrets (configs, env) are never logged whole.
type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function threshold(): number {
  const wanted = (process.env.OPS_CONSOLE_LOG ?? 'warn') as Level;
  return order[wanted] ?? order.warn;
}

function write(level: Level, message: string, extra?: unknown): void {
  if (order[level] < threshold()) return;
  const suffix = extra instanceof Error ? ` ${extra.stack ?? extra.message}` : extra === undefined ? '' : ` ${JSON.stringify(extra)}`;
  process.stderr.write(`[ops-console ${level}] ${message}${suffix}\n`);
}

export const log = {
  debug: (m: string, e?: unknown) => write('debug', m, e),
  info: (m: string, e?: unknown) => write('info', m, e),
  warn: (m: string, e?: unknown) => write('warn', m, e),
  error: (m: string, e?: unknown) => write('error', m, e),
};
