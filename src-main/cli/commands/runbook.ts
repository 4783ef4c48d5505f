// ops-console runbook import FILE [--save] [--json] (see the CLI contract). Reads a Markdown
// runbook and shows the procedures and steps the app makes of it; executes nothing. With
// --save the parsed runbook is kept in the app's store (listed on the runbook screen).
import fs from 'node:fs';
import path from 'node:path';
import { OpsError } from '../../contract/errors';
import type { RunbookImportResult } from '../../contract/runbook';
import { boolFlag, expectPositionals, parseArgs, UsageError } from '../args';
import type { CliContext } from '../context';
import { printJson, table } from '../io';
import { plural } from '../../core/platform/text/plural';

const USAGE = {
  import: 'ops-console runbook import FILE|- [--save] [--json]',
};

/** The contract's limit on a runbook (importRunbook takes at most 5,000,000 characters). */
export const MAX_RUNBOOK_BYTES = 5_000_000;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += bytes.length;
    if (total > MAX_RUNBOOK_BYTES)
      throw new OpsError(
        'INVALID_INPUT',
        `The runbook on standard input is larger than ${MAX_RUNBOOK_BYTES} bytes; a runbook may be at most ${MAX_RUNBOOK_BYTES} bytes.`,
      );
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

function readFileBytes(file: string): Buffer {
  const full = path.resolve(file);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(full);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new OpsError('NOT_FOUND', `No such file: ${full}`);
    throw new OpsError('INVALID_INPUT', `Cannot read ${full}: ${(err as Error).message}`);
  }
  if (stat.isDirectory()) throw new OpsError('INVALID_INPUT', `${full} is a directory; give the Markdown file of the runbook.`);
  if (!stat.isFile()) throw new OpsError('INVALID_INPUT', `${full} is not a regular file.`);
  if (stat.size > MAX_RUNBOOK_BYTES) {
    throw new OpsError('INVALID_INPUT', `${full} is ${stat.size} bytes; a runbook may be at most ${MAX_RUNBOOK_BYTES} bytes.`);
  }
  try {
    return fs.readFileSync(full);
  } catch (err) {
    throw new OpsError('INVALID_INPUT', `Cannot read ${full}: ${(err as Error).message}`);
  }
}

/**
 * Bytes → text. Only UTF-8 is accepted: guessing another encoding would silently turn
 * SQL into something else. (UTF-8 that was once mis-decoded and saved again is still
 * valid UTF-8; the importer repairs that.)
 */
export function decodeRunbook(bytes: Buffer, label: string): string {
  if (bytes.includes(0)) throw new OpsError('INVALID_INPUT', `${label} contains NUL bytes: it looks like a binary file, not a Markdown runbook.`);
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new OpsError('INVALID_INPUT', `${label} is not UTF-8 text; save it as UTF-8 and import it again.`);
  }
}

export async function readRunbook(file: string): Promise<{ markdown: string; source: string }> {
  if (file === '-') return { markdown: decodeRunbook(await readStdin(), 'Standard input'), source: 'standard input' };
  return { markdown: decodeRunbook(readFileBytes(file), path.resolve(file)), source: file };
}

function summary(result: RunbookImportResult): string {
  const lines = [
    `Imported "${result.title}" from ${result.source ?? 'the document'}: ${result.procedures} procedures, ${result.steps} steps ` +
      `(${result.sqlSteps} SQL, ${plural(result.commandSteps, 'command')}, ${result.manualSteps} manual, ${result.referenceSteps} reference). Nothing was executed.`,
  ];
  if (result.repairedCharacters > 0) lines.push(`Repaired ${result.repairedCharacters} mis-decoded characters (UTF-8 that had been read as Latin-1).`);
  if (result.parameters.length > 0) lines.push(`Parameters asked before running: ${result.parameters.join(', ')}`);
  const rows = result.outline.map((p) => ({
    procedure: p.path.join(' > ') || p.title,
    steps: p.steps.length,
    sql: p.steps.filter((s) => s.type === 'sql').length,
    commands: p.steps.filter((s) => s.type === 'command').length,
    manual: p.steps.filter((s) => s.type === 'manual').length,
  }));
  if (rows.length > 0) lines.push('', table(rows, ['procedure', 'steps', 'sql', 'commands', 'manual']));
  return lines.join('\n');
}

async function importCmd(ctx: CliContext, argv: string[]): Promise<number> {
  const parsed = parseArgs(argv, { save: { type: 'boolean' } });
  const [file] = expectPositionals(parsed, ['FILE'], USAGE.import);
  const { markdown, source } = await readRunbook(file!);
  const result = await ctx.call('importRunbook', { markdown, source, save: boolFlag(parsed, 'save') });
  if (ctx.io.json) printJson(ctx.io, result);
  else {
    ctx.io.out(summary(result));
    if (result.savedId !== null) ctx.io.out(`Saved as runbook ${result.savedId}: the app's runbook screen lists it.`);
  }
  for (const warning of result.warnings) ctx.io.err(`warning: ${warning}`);
  return 0;
}

export async function runbookCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'import') return importCmd(ctx, rest);
  const what = sub === undefined ? 'missing runbook command' : `unknown runbook command "${sub}"`;
  throw new UsageError(`${what}\nusage:\n  ${Object.values(USAGE).join('\n  ')}`);
}
