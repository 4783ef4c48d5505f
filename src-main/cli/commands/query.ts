// ops-console query PROFILE SQL|- [--format table|csv|json] [--max-rows N]
//   [--yes] [--confirm NAME] [--override]
// Streams rows to stdout as the cursor delivers them (memory stays flat), with the same
// guards and audit as the app: it goes through the core's query service. --format csv of a
// single plain read without --max-rows is the server's own COPY … TO STDOUT output
// (core/query/copy-csv.ts); every other csv gives the same bytes from the rows.
import type { Profile } from '../../contract/models';
import { changesServer } from '../../core/platform/guard/statements/classify';
import { queryServiceFor, type RunInput } from '../../core/query';
import { boolFlag, expectPositionals, intFlag, parseArgs, stringFlag, UsageError } from '../args';
import type { CliContext } from '../context';
import { withPasswordRetry } from '../password-retry';
import { ELEVATE_FLAGS, ELEVATE_USAGE, startCliElevation } from '../elevate';
import { confirm, EXIT } from '../io';
import { formatSink, streamOutput, type OutputFormat } from './query-output';

const USAGE = `ops-console query PROFILE SQL|- [--format table|csv|json] [--max-rows N] [--yes] [--confirm NAME] [--override] ${ELEVATE_USAGE}`;
const FORMATS: readonly OutputFormat[] = ['table', 'csv', 'json'];

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function preview(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ');
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}

/** Ctrl+C cancels the statement at the server (pg_cancel_backend); a second one quits. */
function cancelOnInterrupt(ctx: CliContext, profile: Profile): () => void {
  let asked = false;
  const onInt = () => {
    if (asked) process.exit(EXIT.failure);
    asked = true;
    ctx.io.err('cancelling the statement at the server… (Ctrl+C again to quit now)');
    void ctx
      .call('cancelQuery', { profileId: profile.id })
      .catch((err: unknown) => ctx.io.err(`error: cancel failed: ${err instanceof Error ? err.message : String(err)}`));
  };
  process.on('SIGINT', onInt);
  return () => process.off('SIGINT', onInt);
}

export async function queryCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, {
    format: { type: 'string' },
    'max-rows': { type: 'string' },
    yes: { type: 'boolean' },
    confirm: { type: 'string' },
    override: { type: 'boolean' },
    ...ELEVATE_FLAGS,
  });
  const [name, sqlArg] = expectPositionals(parsed, ['PROFILE', 'SQL'], USAGE);
  const format = (stringFlag(parsed, 'format') ?? (ctx.io.json ? 'json' : 'table')) as OutputFormat;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${format}"`);
  const maxRows = intFlag(parsed, 'max-rows', { min: 1, max: Number.MAX_SAFE_INTEGER }) ?? null;
  const sql = sqlArg === '-' ? await readStdin() : sqlArg!;
  if (sql.trim() === '') throw new UsageError(`no SQL given${sqlArg === '-' ? ' on stdin' : ''}\nusage: ${USAGE}`);

  const core = ctx.core();
  const profile = core.deps.profiles.require(name!);
  const service = queryServiceFor(core.deps);
  // Before the plan, so the plan already sees the profile as the run will (no read-only refusal).
  const endElevation = await startCliElevation(ctx, parsed, profile);
  try {
    return await elevatedRun();
  } finally {
    await endElevation();
  }

  async function elevatedRun(): Promise<number> {
    // The guard judges on the session that will run the script (catalog included), so the
    // password may be asked for here already; the run reuses that session.
    let password: string | undefined;
    const plan = await withPasswordRetry(ctx, profile, (typed) => {
      password = typed;
      return service.plan(profile.id, sql, { ...(typed !== undefined ? { password: typed } : {}), strict: true });
    });
    const production = profile.env === 'production';
    const override = boolFlag(parsed, 'override');
    const confirmFlag = stringFlag(parsed, 'confirm');
    let confirmName: string | undefined = confirmFlag;

    // Blocked statements without --override go straight to the service, which refuses and
    // audits the attempt; asking first would only be noise.
    const changes = plan.statements.filter(changesServer);
    // A read-only profile's refusal needs no question first: the service refuses and audits it.
    if (changes.length > 0 && (plan.blocked.length === 0 || override) && !plan.readOnlyRefusal) {
      const listing = changes.map((s) => `  ${s.index + 1}. ${preview(s.sql)}`).join('\n');
      await confirm(ctx.io, {
        question: `This changes "${profile.name}" (${profile.env}):\n${listing}${override && plan.blocked.length > 0 ? `\nOverriding the block on: ${plan.blocked.map((b) => b.reason).join(', ')}` : ''}\nRun it?`,
        yes: boolFlag(parsed, 'yes'),
        production,
        profileName: profile.name,
        ...(confirmFlag !== undefined ? { confirmFlag } : {}),
      });
      // A production name typed at the prompt confirms just like --confirm.
      if (production) confirmName = profile.name;
    }

    const out = streamOutput(process.stdout, (text) => ctx.io.err(text));
    const sink = formatSink(format, out);
    const input: RunInput = { profileId: profile.id, sql, maxRows, confirmName, override, ...(password !== undefined ? { password } : {}) };
    const stopListening = cancelOnInterrupt(ctx, profile);
    try {
      const result = await withPasswordRetry(ctx, profile, (typed) =>
        service.runAudited(typed !== undefined ? { ...input, password: typed } : input, 'cli', { collect: false, sink }),
      );
      const failed = result.statements.find((s) => s.error);
      if (result.transactionOpen) ctx.io.err('warning: a transaction is still open and is rolled back when this command exits');
      if (!failed?.error) return EXIT.ok;
      const e = failed.error;
      const where = plan.statements.length > 1 ? ` (statement ${failed.index + 1})` : '';
      ctx.io.err(`error: ${e.message}${e.sqlstate ? ` [SQLSTATE ${e.sqlstate}]` : ''}${where}`);
      if (e.detail) ctx.io.err(`detail: ${e.detail}`);
      if (e.hint) ctx.io.err(`hint: ${e.hint}`);
      if (e.position !== undefined) ctx.io.err(`position: ${e.position}`);
      if (ctx.io.json && format !== 'json')
        ctx.io.out(JSON.stringify({ ok: false, error: { code: failed.cancelled ? 'CANCELLED' : 'QUERY_FAILED', message: e.message, sqlstate: e.sqlstate } }));
      return EXIT.failure;
    } finally {
      stopListening();
    }
  }
}
