// `ops-console` entry point. Exit codes follow the CLI contract: 0 success, 1 failure,
// 2 usage error (health and checklist run use the monitoring-plugin codes).
import { OpsError } from '../contract/errors';
import { resolveHome } from '../core/platform/kernel/home';
import { privateUmask } from '../core/platform/fs/private-fs';
import { UsageError } from './args';
import { installCodeCache, setV8Flags } from './code-cache';
import type { CliContext } from './context';
import { EXIT, processIo, reportFailure } from './io';

const HELP = `ops-console — PostgreSQL operations console (CLI)

usage: ops-console [--home DIR] [--json] COMMAND …

commands:
  serve [--port N] [--no-open]              browser mode on 127.0.0.1
  sandbox start|stop|status|reset           local demo PostgreSQL with Timothie & Co data
  profile add|list|show|remove|test         connection profiles
  audit list|verify [--team]|export         the tamper-evident audit trail (--team: every workstation's chain in the team store)
  team connect URL [--yes] | status | sync  the optional team store in PostgreSQL: shared audit trail, profiles without secrets, runbooks, signed-off runs
  checklist list | run NAME (--profile P | --tag T… | --profiles A,B,C) [--concurrency N]
                                            runbook checklists (run exits 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; many profiles: the worst)
  query PROFILE SQL|- [--format table|csv|json] [--max-rows N] [--yes] [--confirm NAME] [--override]
                                            run SQL, streaming rows to stdout
  runbook import FILE|-                     Markdown runbook → procedures and steps (executes nothing)
  toolkit status|install PROFILE [--yes]    the runbook's server functions (ops_toolkit schema)
  sessions list PROFILE                     pg_stat_activity: who is connected, waiting, blocking
  sessions cancel|terminate PROFILE PID [--yes] [--confirm NAME]
                                            end one backend's query or session, verified afterwards
  sessions cleanup PROFILE (--idle-in-transaction MIN | --idle MIN) [--exclude-user U]… [--exclude-app A]… [--dry-run] [--yes] [--confirm NAME]
                                            terminate idle sessions after a preview, re-checked at execution
  backup PROFILE [--kind full|schema|data|roles] [--format custom|plain|directory] [--out DIR] [--jobs N] [--supabase]
                                            pg_dump checked, verified and catalogued (manifest beside the file)
  backups list [--profile NAME] | verify ID the backup catalog; re-check checksum and archive
  backups copy ID --to DESTINATION          copy a verified backup offsite (S3), read back and checked
  storage-backup PROFILE [--bucket B]… [--out DIR | --offsite DEST]
                                            Supabase Storage snapshot: content-addressed, incremental, verified (secret: OPS_CONSOLE_STORAGE_SECRET_ACCESS_KEY)
  storage-snapshots list [--profile NAME] | show ID | verify ID | delete ID --yes
                                            the storage snapshot catalog; ID is a catalog id or the folder's path
  storage-check PROFILE [--bucket B]…       storage.objects vs the buckets: missing objects, rows, size mismatches (exit 1 on differences)
  storage-restore SNAPSHOT --to PROFILE [--bucket B] [--yes] [--confirm NAME]
                                            upload a storage snapshot into a profile's buckets (preview first), read back and checked
  offsite add|list|test|remove|retention    offsite S3 destinations (secret: OPS_CONSOLE_OFFSITE_SECRET_ACCESS_KEY)
  restore BACKUP (--to PROFILE | --new-database NAME --profile PROFILE | --sandbox) [--jobs N] [--clean] [--no-pre-backup] [--yes] [--confirm NAME]
                                            pg_restore/psql after version and conflict checks, then validation
  drill [BACKUP] [--profile PROFILE] [--jobs N]
                                            timed restore into a local scratch PostgreSQL, validated, vs RTO/RPO
  health (PROFILE | --tag T… | --profiles A,B,C) [--concurrency N] [--timeout SECONDS]
                                            the Performance overview's checks vs thresholds (exits 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; many profiles: the worst)
  forecast PROFILE                          the capacity forecast from the local history: when size, connections, XID age and sequences reach
                                            their thresholds, or how many more days of snapshots are needed (exits as health)
  server-log PROFILE [--level L] [--search TEXT] [--lines N] [--file NAME] [--follow]
                                            the server's log, newest last (or why it cannot be read, and the fix)
  schema PROFILE [--schema S] [--system] [--filter TEXT] | --object SCHEMA.NAME [--ddl]
                                            the schema browser: schemas, a schema's objects, one object's parts or its DDL (pg_dump's for relations)

  --home DIR   app home (default: OPS_CONSOLE_HOME or the platform app-data folder)
  --json       one JSON document on stdout
`;

type Command = (ctx: CliContext, argv: string[]) => Promise<number>;

// Each command's module loads when it runs (issue #21, cold start): `serve` listens before the
// core's modules (drivers, S3 SDK, parser, every domain) are loaded, and `--help` or a usage
// error loads none of them.
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: () => import('./commands/serve').then((m) => m.serveCommand),
  sandbox: () => import('./commands/sandbox').then((m) => m.sandboxCommand),
  profile: () => import('./commands/profile').then((m) => m.profileCommand),
  audit: () => import('./commands/audit').then((m) => m.auditCommand),
  team: () => import('./commands/team').then((m) => m.teamCommand),
  checklist: () => import('./commands/checklist').then((m) => m.checklistCommand),
  query: () => import('./commands/query').then((m) => m.queryCommand),
  runbook: () => import('./commands/runbook').then((m) => m.runbookCommand),
  toolkit: () => import('./commands/toolkit').then((m) => m.toolkitCommand),
  sessions: () => import('./commands/sessions').then((m) => m.sessionsCommand),
  backup: () => import('./commands/backup').then((m) => m.backupCommand),
  backups: () => import('./commands/backup').then((m) => m.backupsCommand),
  'storage-backup': () => import('./commands/storage').then((m) => m.storageBackupCommand),
  'storage-snapshots': () => import('./commands/storage').then((m) => m.storageSnapshotsCommand),
  'storage-check': () => import('./commands/storage').then((m) => m.storageCheckCommand),
  'storage-restore': () => import('./commands/storage-restore').then((m) => m.storageRestoreCommand),
  offsite: () => import('./commands/offsite').then((m) => m.offsiteCommand),
  restore: () => import('./commands/restore').then((m) => m.restoreCommand),
  drill: () => import('./commands/drill').then((m) => m.drillCommand),
  health: () => import('./commands/health').then((m) => m.healthCommand),
  forecast: () => import('./commands/forecast').then((m) => m.forecastCommand),
  'server-log': () => import('./commands/server-log').then((m) => m.serverLogCommand),
  schema: () => import('./commands/schema').then((m) => m.schemaCommand),
};

/** Commands that open a core of their own: `serve` (browser mode) listens before loading it. */
const OWN_CORE = new Set(['serve']);

/**
 * A one-shot command compiles the SQL parser's WebAssembly (libpg-query, 1.7 MB) with V8's
 * baseline compiler only (issue #21, the CLI's floor). Otherwise V8 also optimises it on a
 * background thread, and process.exit waits for that compile to finish: 0.2-0.5 s added to
 * every `ops-console query` after its output was complete. A command parses a handful of
 * statements, for which baseline code is plenty. Must run before the parser is loaded (the
 * flag is read when a module compiles); `serve`, which lives on, keeps the optimising tier.
 */
function baselineWasmOnly(): void {
  setV8Flags('--liftoff-only');
}

/**
 * Runs `load` with the global Response hidden. pg 8 decides at load time whether it runs in a
 * Cloudflare Worker by constructing a Response, and the first touch of Response loads Node's
 * whole fetch implementation (undici): ~20 ms of every CLI start (issue #21) for an answer that
 * is always "no" here. The modules load in one microtask run (require inside then-callbacks,
 * no I/O in between), so no other code sees Response missing; it is back before `load` settles.
 */
async function withoutWebResponse<T>(load: () => Promise<T>): Promise<T> {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'Response');
  if (!saved?.configurable) return load();
  Object.defineProperty(globalThis, 'Response', { value: undefined, configurable: true, writable: true });
  try {
    return await load();
  } finally {
    Object.defineProperty(globalThis, 'Response', saved);
  }
}

/** Global flags may stand anywhere; pull them out before the command parses the rest. */
function splitGlobals(argv: string[]): { home?: string; json: boolean; help: boolean; rest: string[] } {
  const rest: string[] = [];
  let home: string | undefined;
  let json = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--home') {
      home = argv[++i];
      if (home === undefined) throw new UsageError('--home needs a value');
    } else if (arg.startsWith('--home=')) home = arg.slice('--home='.length);
    else rest.push(arg);
  }
  return { home, json, help, rest };
}

export async function runCli(argv: string[]): Promise<number> {
  // The CLI is its own process: files it or its pg_dump create get no group/other bits.
  privateUmask();
  let json = argv.includes('--json');
  const io = processIo(json);
  let ctx: CliContext | null = null;
  try {
    const globals = splitGlobals(argv);
    json = globals.json;
    const [command, ...rest] = globals.rest;
    if (globals.help || !command) {
      io.out(HELP);
      return command || globals.help ? EXIT.ok : EXIT.usage;
    }
    const load = COMMANDS[command];
    if (!load) throw new UsageError(`unknown command "${command}"\n\n${HELP}`);
    // Only the built bundle (out/main/cli.js and its chunks) is cached; before any chunk loads.
    if (__filename.endsWith('.js')) installCodeCache(__dirname);
    if (!OWN_CORE.has(command)) baselineWasmOnly();
    const home = resolveHome(globals.home);
    const [run, { createCliContext }, app] = await withoutWebResponse(() =>
      Promise.all([load(), import('./context'), OWN_CORE.has(command) ? null : import('../core/app')]),
    );
    ctx = createCliContext(home, io, app?.createCore ?? null);
    return await run(ctx, rest);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`usage error: ${err.message}`);
      if (io.json) io.out(JSON.stringify({ ok: false, error: { code: 'USAGE', message: err.message } }));
      return EXIT.usage;
    }
    if (err instanceof OpsError) return reportFailure(io, err.toApiError());
    const { toApiError } = await import('../core/platform/kernel/dispatch');
    return reportFailure(io, toApiError(err));
  } finally {
    if (ctx) await ctx.close().catch(() => undefined);
  }
}
