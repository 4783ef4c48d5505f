// pg_dump --schema-only for one relation: the DDL a DBA sees IS pg_dump's (indexes,
// constraints, triggers, policies, grants, comments, owned sequences), not a rewrite of it.
// It runs as backups run it: the version picked against the server's, the password in a
// private pgpass file (never argv, never PGPASSWORD), libpq settings and an SSH tunnel's
// address from the profile, spawned without a shell in its own process group.
import { spawn } from 'node:child_process';
import { OpsError } from '../../contract/errors';
import type { Profile } from '../../contract/models';
import type { CoreDeps } from '../platform/kernel/deps';
import { stopTree } from '../platform/jobs/process-tree';
import { localEndpoint } from '../platform/postgres/connect';
import { resolvePassword } from '../platform/secrets/password';
import { discoverClientTools, pickTool, shortVersion } from '../platform/tools/client-tools';
import { dbnameArgument, libpqEnv, shellQuote } from '../platform/tools/libpq-args';
import { clientToolEnv, writePassFile } from '../platform/tools/tool-process';

export const DUMP_TIMEOUT_MS = 60_000;
/**
 * pg_dump takes ACCESS SHARE on the table: behind a pending ALTER or a VACUUM FULL it would
 * wait, and everything after it queue too. Looking at a table must not join that queue.
 */
export const LOCK_WAIT_MS = 5_000;
/** One relation's DDL is kilobytes; a runaway output (a pattern matching more) is cut off. */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/**
 * pg_dump's -t pattern naming exactly one relation: inside double quotes a doubled quote is
 * a quote and every pattern character (. * ? $ and regular-expression ones) is literal.
 */
export function exactTablePattern(schema: string, name: string): string {
  return `"${schema.replace(/"/g, '""')}"."${name.replace(/"/g, '""')}"`;
}

export interface DumpedDdl {
  ddl: string;
  command: string;
  toolVersion: string;
}

function runCaptured(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { shell: false, detached: process.platform !== 'win32', stdio: ['ignore', 'pipe', 'pipe'], env, windowsHide: true });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      stopTree(child);
    }, DUMP_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > MAX_OUTPUT_BYTES) stopTree(child);
      else out.push(chunk);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 64 * 1024) stderr += chunk;
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new OpsError('BACKUP_FAILED', `Could not start ${file}: ${err.message}`, { tool: 'pg_dump' }));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr, timedOut });
    });
  });
}

export async function dumpRelationDdl(
  deps: Pick<CoreDeps, 'secrets' | 'tunnels' | 'store' | 'home'>,
  profile: Profile,
  password: string | undefined,
  target: { schema: string; name: string; serverVersion: string; serverMajor: number },
): Promise<DumpedDdl> {
  const tool = pickTool(
    await discoverClientTools(deps),
    'pg_dump',
    target.serverMajor,
    `The server ${profile.name} runs PostgreSQL ${target.serverVersion}`,
    target.serverVersion,
  );
  const endpoint = await localEndpoint(deps, profile);
  // Through an SSH tunnel pg_dump connects to the tunnel's end (PGHOSTADDR) but names the real host, as backups do.
  const host = profile.ssh ? profile.host : endpoint.host;
  const args = [
    '--schema-only',
    '--strict-names',
    `--lock-wait-timeout=${LOCK_WAIT_MS}`,
    '-t',
    exactTablePattern(target.schema, target.name),
    '-h',
    host,
    '-p',
    String(endpoint.port),
    '-U',
    profile.user,
    '-d',
    dbnameArgument(profile.database),
  ];
  const resolved = resolvePassword(profile, { explicit: password, secrets: deps.secrets }).password ?? null;
  const passFile = await writePassFile(resolved, deps.home);
  try {
    const env = clientToolEnv('ops-console schema', libpqEnv(profile, profile.ssh ? endpoint.host : undefined), passFile.file);
    const run = await runCaptured(tool.path, args, env);
    const command = shellQuote([tool.path, ...args]);
    if (run.code !== 0 || run.timedOut) {
      const stderr = run.stderr.trim().split('\n').slice(-10).join('\n');
      // pg_dump reports its lock wait running out as a statement timeout on its LOCK TABLE.
      const why = run.timedOut
        ? `did not finish within ${DUMP_TIMEOUT_MS / 1000} s`
        : /could not obtain lock|LOCK TABLE .* IN ACCESS SHARE MODE/i.test(stderr)
          ? `could not lock it within ${LOCK_WAIT_MS / 1000} s (another session holds or waits for a conflicting lock: see Activity → Locks)`
          : `failed (exit ${run.code ?? 'signal'})`;
      throw new OpsError('BACKUP_FAILED', `pg_dump ${why} while reading the DDL of ${target.schema}.${target.name}: ${stderr || 'no message'}`, {
        tool: 'pg_dump',
        stderr,
        exit: run.code,
      });
    }
    return { ddl: run.stdout, command, toolVersion: shortVersion(tool.version) };
  } finally {
    await passFile.remove();
  }
}
