// Running pg_restore or psql against a target: spawned without a shell in its own process
// group, the password in a temporary 0600 pgpass file, English messages (LC_MESSAGES=C)
// for the parser. Progress is pg_restore's verbose items against the TOC total, or for
// psql the bytes of the script fed to its stdin. Shared by restores and drills.
// psql runs a script in restricted mode: `\restrict <random key>` is the first line it
// reads, so it refuses every meta-command of the script whatever the inspect step found
// (meta-commands.ts); pg_dump's own `\restrict`/`\unrestrict` pair is left out of the feed,
// and any other `\unrestrict` stops it (script-feed.ts).
import crypto from 'node:crypto';
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { parseToc } from '../platform/tools/archive';
import type { ClientTool } from '../../contract/backup';
import { OpsError } from '../../contract/errors';
import { quoteIdent } from '../platform/postgres/sql-text';
import type { BackupContents } from '../../contract/restore';
import { ToolRun } from '../platform/tools/run-record';
import type { CoreDeps } from '../platform/kernel/deps';
import { clientToolEnv } from '../platform/tools/tool-process';
import { EventGate } from '../platform/jobs/event-gate';
import { killTree, stopTreeOnAbort } from '../platform/jobs/process-tree';
import { LineSplitter, startTicker } from '../platform/tools/progress';
import { log } from '../platform/kernel/log';
import { ownRestrictPair, requireRestrictingPsql, restrictPrelude } from './meta-commands';
import type { RestoreConnection } from './plan';
import { feedScript } from './script-feed';

export interface RestoreProcessProgress {
  done: number;
  total: number;
  unit: 'items' | 'bytes';
  current: string | null;
}

export interface RestoreProcessHooks {
  signal: AbortSignal;
  onProgress(p: RestoreProcessProgress): void;
  /** The tool's process id once it runs (tests kill it; cancel needs nothing from this). */
  onSpawn?(pid: number): void;
}

/** One stderr line of pg_restore --verbose or psql. */
export type RestoreLine = { kind: 'item'; label: string } | { kind: 'info' } | { kind: 'problem' };

const ITEM = /^pg_restore: (?:creating|processing data for table|executing|processing item \d+) (.+?)\s*$/;
const PROBLEM = /^(?:pg_restore|psql)(?::\S*)*: (?:error|warning|fatal|detail|hint):|(?:^|:\s*)(?:ERROR|FATAL|PANIC|DETAIL|HINT):|^Command was:/i;
const INFO = /^pg_restore: /;
const TAIL_LINES = 20;
/** psql's words when restricted mode stopped a meta-command (or a wrong \unrestrict key). */
const REFUSED_META = /backslash commands are restricted|\\unrestrict: wrong key/;

/** Classifies one line (LC_MESSAGES=C wording). Each TOC item pg_restore works on prints one item line, whatever the --jobs. */
export function parseRestoreLine(line: string): RestoreLine {
  if (PROBLEM.test(line)) return { kind: 'problem' };
  const item = ITEM.exec(line);
  if (item?.[1]) return { kind: 'item', label: item[1].replace(/^"(.*)"$/, '$1') };
  if (INFO.test(line)) return { kind: 'info' };
  // psql's notices and anything unexpected: worth showing when it fails.
  return /^psql:.*NOTICE:/.test(line) ? { kind: 'info' } : { kind: 'problem' };
}

// Entries pg_restore handles without announcing them, or skips with the options we pass.
const SILENT_TYPES = new Set(['ENCODING', 'STDSTRINGS', 'SEARCHPATH', 'DATABASE', 'DATABASE PROPERTIES']);

/** TOC items that will print an item line: the denominator of the progress. */
export function expectedItems(contents: Pick<BackupContents, 'objects' | 'tocEntries'>, args: string[]): number {
  const skipAcl = args.includes('--no-privileges') || args.includes('-x');
  let total = 0;
  for (const [type, n] of Object.entries(contents.objects)) {
    if (SILENT_TYPES.has(type)) continue;
    if (skipAcl && (type === 'ACL' || type === 'DEFAULT ACL')) continue;
    total += n;
  }
  return Math.max(1, total || (contents.tocEntries ?? 1));
}

/**
 * The denominator from what pg_restore will really work through: the `-L` list it is given
 * (a Supabase restore, extensions left out, an unprivileged drill) counted entry by entry,
 * else the archive's own table of contents (`pg_restore --list`, read at inspection).
 */
export async function restoreItemTotal(contents: Pick<BackupContents, 'objects' | 'tocEntries'>, args: string[]): Promise<number> {
  const at = args.lastIndexOf('-L');
  const listFile = at >= 0 ? args[at + 1] : undefined;
  if (listFile === undefined) return expectedItems(contents, args);
  const listed = parseToc(await fs.promises.readFile(listFile, 'utf8'));
  return expectedItems(listed, args);
}

/** The server's 42704 on a role, as pg_restore and psql print it (LC_MESSAGES=C; the code when VERBOSITY shows it). */
const MISSING_ROLE = /(?:ERROR|error):\s+(?:42704:\s+)?role "((?:[^"]|"")*)" does not exist/;

/** The hint a restore that failed on missing roles ends with: which, why, and the fix. */
export function missingRoleHint(roles: string[], tool: 'pg_restore' | 'psql'): string {
  const names = roles.map((r) => `"${r}"`).join(', ');
  const create = roles.map((r) => `CREATE ROLE ${quoteIdent(r)} NOLOGIN;`).join(' ');
  const skip =
    tool === 'pg_restore'
      ? 'or restore with --no-owner/--no-privileges (no owner and grant entries) where that is acceptable'
      : 'or take the dump again with --no-owner --no-privileges where that is acceptable';
  return ` The target has no role ${names}, which the dump's grants, policies or owners name: create ${roles.length > 1 ? 'them' : 'it'} first as a superuser (${create}) and restore again, ${skip}; a policy naming a role still needs it.`;
}

/** What the tool said that was not progress chatter, for the failure message. */
export class RestoreStderr {
  private readonly problems: string[] = [];
  private readonly last: string[] = [];

  add(line: string, kind: RestoreLine['kind']): void {
    if (line.trim() === '') return;
    this.last.push(line);
    if (this.last.length > TAIL_LINES) this.last.shift();
    if (kind !== 'problem') return;
    this.problems.push(line);
    if (this.problems.length > TAIL_LINES) this.problems.shift();
  }

  firstProblem(): string | null {
    return this.problems.find((l) => /error|ERROR|FATAL/.test(l)) ?? this.problems[0] ?? null;
  }

  /** The roles the server said do not exist (SQLSTATE 42704 on a role), in order. */
  missingRoles(): string[] {
    const out: string[] = [];
    for (const line of this.problems) {
      const m = MISSING_ROLE.exec(line);
      const role = m?.[1]?.replace(/""/g, '"');
      if (role !== undefined && !out.includes(role)) out.push(role);
    }
    return out;
  }

  text(): string {
    return (this.problems.length > 0 ? this.problems : this.last.slice(-5)).join('\n');
  }
}

/**
 * Runs the tool to completion. Resolves on exit 0; rejects with CANCELLED when the signal
 * aborted it, else BACKUP_FAILED with the first error line and the stderr tail in detail.
 */
export async function runRestoreProcess(
  deps: CoreDeps,
  contents: BackupContents,
  connection: RestoreConnection,
  tool: ClientTool,
  args: string[],
  hooks: RestoreProcessHooks,
): Promise<void> {
  if (hooks.signal.aborted) throw new OpsError('CANCELLED', 'The restore was cancelled before it started.');
  const plain = tool.name === 'psql';
  const argv = args.includes('-w') || args.includes('--no-password') ? [...args] : [...args, '--no-password'];
  const unit: RestoreProcessProgress['unit'] = plain ? 'bytes' : 'items';
  const total = plain ? Math.max(1, contents.bytes) : await restoreItemTotal(contents, args);
  let done = 0;
  let current: string | null = null;
  const gate = new EventGate();
  const report = (force: boolean): void => {
    if (!gate.pass(force)) return;
    // Until the tool exits it is not done, however the count came out.
    hooks.onProgress({ done: Math.min(done, total - 1 > 0 ? total - 1 : done), total, unit, current });
  };

  if (plain) requireRestrictingPsql(tool);
  // Found in the file itself at run time: this layer does not trust the inspect step.
  const skip = plain ? ((await ownRestrictPair(contents.path)) ?? []) : [];
  let refusedMeta = false;
  let refusedUnrestrict = false;
  // A private run folder under <home>/tmp (never the system temp folder): its record lets
  // the next start stop an orphaned psql/pg_restore and delete the pass file (tool-runs/).
  const toolRun = await ToolRun.create(deps.home, 'restore', crypto.randomUUID(), null);
  const passFile = { file: await toolRun.writePassFile(connection.password), remove: () => toolRun.remove() };
  const stderr = new RestoreStderr();
  const ticker = startTicker(async () => report(true));
  try {
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      const child = spawn(tool.path, argv, {
        shell: false,
        detached: process.platform !== 'win32',
        stdio: [plain ? 'pipe' : 'ignore', 'ignore', 'pipe'],
        env: clientToolEnv('ops-console restore', connection.env, passFile.file),
        windowsHide: true,
      });
      // A cancel stops the tool's whole process tree (pg_restore's parallel workers too).
      const detach = stopTreeOnAbort(child, hooks.signal);
      const splitter = new LineSplitter((line) => {
        const parsed = parseRestoreLine(line);
        stderr.add(line, parsed.kind);
        if (plain && REFUSED_META.test(line)) refusedMeta = true;
        if (parsed.kind === 'item') {
          done += 1;
          current = parsed.label;
          report(false);
        }
      });
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => splitter.push(chunk));
      if (child.pid !== undefined) toolRun.recordChild(child.pid, tool.path);
      child.once('spawn', () => {
        if (child.pid !== undefined) hooks.onSpawn?.(child.pid);
        if (plain && child.stdin) {
          feedScript({ file: contents.path, prelude: restrictPrelude(), skip }, child.stdin, {
            onBytes: (n) => {
              done += n;
              report(false);
            },
            onRefused: () => {
              refusedUnrestrict = true;
            },
            abortTool: () => killTree(child, 'SIGKILL'),
          });
        }
      });
      child.once('error', (err) => {
        detach();
        reject(new OpsError('BACKUP_FAILED', `Could not start ${tool.path}: ${err.message}`, { tool: tool.path }));
      });
      child.once('close', (code, signal) => {
        detach();
        splitter.end();
        killTree(child, 'SIGKILL');
        resolve({ code, signal });
      });
    });
    if (hooks.signal.aborted) throw new OpsError('CANCELLED', `The restore was cancelled; ${tool.name} was stopped.`);
    const tail = stderr.text();
    // psql's own refusal first: the feed may still have reached an \\unrestrict after psql stopped.
    if (exit.code !== 0 && refusedMeta) {
      throw new OpsError(
        'BACKUP_FAILED',
        'psql refused a meta-command (backslash command) in the script and stopped: meta-commands are locked out while a script runs, so it ran nothing on this machine, and its transaction was rolled back.',
        { stderr: tail, exit: exit.code },
      );
    }
    if (refusedUnrestrict) {
      throw new OpsError(
        'BACKUP_FAILED',
        'The script holds \\unrestrict, whose argument psql evaluates (backquotes run a command) even while meta-commands are locked out: psql was stopped before reading it, and its transaction was rolled back.',
        { stderr: tail },
      );
    }
    if (exit.signal !== null) throw new OpsError('BACKUP_FAILED', `${tool.name} was killed (${exit.signal}) before it finished.`, { stderr: tail });
    if (exit.code !== 0) {
      const first = stderr.firstProblem();
      const missing = stderr.missingRoles();
      const hint = missing.length > 0 ? missingRoleHint(missing, tool.name === 'psql' ? 'psql' : 'pg_restore') : '';
      const said = first ? `: ${first}` : '.';
      const end = hint !== '' && !/[.!?]$/.test(said) ? '.' : '';
      throw new OpsError('BACKUP_FAILED', `${tool.name} failed (exit code ${exit.code})${said}${end}${hint}`, {
        stderr: tail,
        exit: exit.code,
        ...(missing.length > 0 ? { missingRoles: missing } : {}),
      });
    }
    done = total;
    current = null;
    hooks.onProgress({ done: total, total, unit, current: null });
  } finally {
    await ticker.stop();
    await passFile.remove().catch((err: unknown) => log.warn('could not remove the temporary pgpass file', err));
  }
}
