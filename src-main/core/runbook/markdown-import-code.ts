// A runbook's code block → one step. The info string says what it is (```sql, ```bash);
// when it says nothing, the PostgreSQL parser does: an unlabelled block that parses is SQL.
// A psql transcript (`db=# begin;` then `BEGIN`) is not runnable as pasted: its prompts and
// output are taken out, leaving the statements typed at the prompts. Every such reading is
// said in the warnings and on the step, since the runbook did not say it. Executes nothing.
import type { ImportedStep } from '../../contract/runbook';
import { commandPlaceholders } from '../../contract/placeholders';
import { analyzeSql, isSql, type SqlAnalysis } from './markdown-import-sql';
import { trimBlankEdges } from './markdown-import-text';
import { plural, pluralNoun } from '../platform/text/plural';

const SQL_LANGUAGES = new Set(['sql', 'pgsql', 'postgresql', 'postgres', 'plpgsql', 'psql']);
const COMMAND_LANGUAGES = new Set(['bash', 'sh', 'shell', 'zsh', 'console', 'shell-session', 'shellsession']);
/** Blocks in which a psql session may have been pasted: SQL ones, terminal ones, unlabelled. */
const TRANSCRIPT_LANGUAGES = new Set([...SQL_LANGUAGES, 'console', 'shell-session', 'shellsession', '']);

/**
 * psql's prompts: database name, then %R ('=' first line, '-' continued, a quote or '('
 * inside one, '^'/'!' single-line or disconnected), then %x ('*' in a transaction, '!'
 * failed, '?'), then %# ('#' superuser, '>' other).
 */
const PROMPT = /^([A-Za-z0-9_][\w$.-]*)([=\-'"($^!])([*!?]?)([#>])(?: (.*))?$/;

export interface CodeBlock {
  /** The info string's first word, lower-cased ('' for none, and for indented code). */
  language: string;
  /** The block's content without its fence and indentation. */
  content: string;
  /** 1-based line of the opening fence (or first line). */
  line: number;
  title: string;
  /** The fence marker, for the warning about a fence never closed; null when it was closed. */
  unclosedMarker: string | null;
  /** The block ran to the end of the document (else to the end of its list item or quote). */
  toEnd: boolean;
}

interface Transcript {
  statements: string;
  prompts: number;
  output: number;
  meta: string[];
}

/** The statements typed at psql prompts, or null when no line starts with a first-line prompt. */
export function readTranscript(text: string): Transcript | null {
  const inputs: string[] = [];
  const meta: string[] = [];
  let prompts = 0;
  let output = 0;
  let primary = false;
  for (const line of text.split('\n')) {
    const m = PROMPT.exec(line.trimEnd());
    if (!m) {
      if (line.trim() !== '') output++;
      continue;
    }
    prompts++;
    if (m[2] === '=') primary = true;
    const input = m[5] ?? '';
    // psql's own commands (\x, \dt) are not SQL: they leave the statements.
    if (input.trimStart().startsWith('\\')) meta.push(input.trim());
    else inputs.push(input);
  }
  if (!primary) return null;
  return { statements: trimBlankEdges(inputs).join('\n'), prompts, output, meta };
}

function sqlStep(title: string, text: string, line: number, analysis: SqlAnalysis, note?: string): ImportedStep {
  const parameters: string[] = [];
  for (const p of analysis.placeholders) if (!parameters.includes(p.name)) parameters.push(p.name);
  // Copies: an analysis is shared by every step with the same text (see SqlCache).
  const step: ImportedStep = { title, type: 'sql', text, parameters, placeholders: analysis.placeholders.map((p) => ({ ...p })), line };
  if (note) step.note = note;
  return step;
}

function reference(block: CodeBlock, text: string, note?: string): ImportedStep {
  const step: ImportedStep = { title: block.title, type: 'reference', text, parameters: [], line: block.line };
  if (note) step.note = note;
  return step;
}

function where(block: CodeBlock): string {
  const label = block.language ? `${block.language} block` : 'unlabelled code block';
  return `The ${label} at line ${block.line} ("${block.title}")`;
}

function fromTranscript(block: CodeBlock, text: string, transcript: Transcript, warnings: string[], analysis: SqlAnalysis): ImportedStep {
  const dropped = transcript.meta.length > 0 ? ` and the psql ${pluralNoun(transcript.meta.length, 'command')} ${transcript.meta.join(', ')}` : '';
  if (isSql(analysis)) {
    warnings.push(
      `${where(block)} is a psql transcript: its ${transcript.prompts} prompts, ${transcript.output} output lines${dropped} were removed, ` +
        `leaving ${plural(analysis.statements ?? 0, 'statement')} as an SQL step; check them before running.`,
    );
    return sqlStep(block.title, transcript.statements, block.line, analysis, 'From a psql transcript: prompts and output removed.');
  }
  const why =
    analysis.error === null ? 'has no SQL statement, only psql commands and output' : `has statements that do not parse as PostgreSQL (${analysis.error})`;
  warnings.push(`${where(block)} is a psql transcript that ${why}: kept as reference text.`);
  return reference(block, text, 'A psql transcript, kept as written.');
}

/**
 * Analyses already made in this import, by text and kind: runbooks repeat statements
 * (`SELECT * FROM check_system_health();` under three headings), and the parser is the
 * costly part of an import.
 */
export type SqlCache = Map<string, SqlAnalysis>;

/** The step a code block becomes; what was read in an unusual way is added to `warnings`. */
export function codeStep(block: CodeBlock, warnings: string[], cache: SqlCache = new Map()): ImportedStep {
  const analyze = (sql: string, whole: boolean): SqlAnalysis => {
    const key = `${whole ? 'w' : 'l'}${sql}`;
    let analysis = cache.get(key);
    if (!analysis) cache.set(key, (analysis = analyzeSql(sql, whole)));
    return analysis;
  };
  const text = trimBlankEdges(block.content.replace(/\n$/, '').split('\n')).join('\n');
  if (block.unclosedMarker !== null) {
    const until = block.toEnd ? 'the end of the document' : 'the end of its list item';
    warnings.push(`The ${block.unclosedMarker}${block.language} block opened at line ${block.line} is never closed; it was read to ${until}.`);
  }
  const transcript = TRANSCRIPT_LANGUAGES.has(block.language) ? readTranscript(text) : null;
  if (transcript) return fromTranscript(block, text, transcript, warnings, analyze(transcript.statements, true));
  if (SQL_LANGUAGES.has(block.language)) {
    const analysis = analyze(text, false);
    // Only statements holding a placeholder-like token are parsed here; when one of those
    // does not parse even filled, its `<x>` and `:x` could not be confirmed as placeholders.
    if (analysis.error !== null)
      warnings.push(
        `${where(block)} does not parse as PostgreSQL even with its placeholders filled (${analysis.error}): only its [X], {{x}}, :'x' and :"x" placeholders were recognised.`,
      );
    return sqlStep(block.title, text, block.line, analysis);
  }
  if (COMMAND_LANGUAGES.has(block.language)) {
    return { title: block.title, type: 'command', text, parameters: commandPlaceholders(text), line: block.line };
  }
  if (block.language === '') {
    const analysis = analyze(text, true);
    if (isSql(analysis)) {
      warnings.push(`${where(block)} parses as PostgreSQL: it was imported as an SQL step.`);
      return sqlStep(block.title, text, block.line, analysis, 'Unlabelled in the runbook; it parses as PostgreSQL.');
    }
  }
  return reference(block, text);
}
