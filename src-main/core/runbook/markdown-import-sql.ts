// What the PostgreSQL parser says about a runbook's code: which placeholder-looking tokens
// are placeholders, whether an unlabelled block is SQL, whether a step parses at all.
// A regex cannot tell `WHERE a <> b` or `x < 5` or `arr[1:n]` from `<pid>` or `:n`; the
// parser can: a candidate is a placeholder when the statement fails to parse with it as
// written and parses (or gets further) once it is filled. Parsing only: nothing is run.
// Needs the parser loaded (loadParser() in core/query/classify.ts); every call is synchronous.
import { hasSqlDetails, parseSync } from 'libpg-query';
import { scanSql, type Candidate } from '../../contract/placeholder-scan';
import type { PlaceholderFill, SqlPlaceholder } from '../../contract/placeholders';

export interface SqlAnalysis {
  placeholders: SqlPlaceholder[];
  /** Statements the parser found once the placeholders are filled (meta-commands excluded); null when not every statement was parsed. */
  statements: number | null;
  /** The first syntax error left once the placeholders are filled (in the statements parsed), or null. */
  error: string | null;
}

type Choice = PlaceholderFill | 'raw';

/** What stands in for a value while parsing: any literal, or a plain name. */
const STAND_IN: Record<PlaceholderFill, string> = { literal: "'x'", string: "'x'", identifier: 'ops_placeholder' };

/** Syntaxes that are never valid SQL as written, so their shape alone is enough when the parser cannot tell. */
const UNAMBIGUOUS = new Set(['bracket', 'mustache', 'psql-literal', 'psql-identifier', 'quoted']);

/** Syntaxes no statement can parse with, whatever stands around them (a bracket can be a subscript). */
const NEVER_SQL = new Set(['mustache', 'psql-literal', 'psql-identifier']);

/** Candidates in one statement the parser decides one by one; past this, their shape does. */
const MAX_DECIDED = 40;

interface Parsed {
  /** Offset in the parsed text where parsing failed; Infinity when it parsed. */
  failsAt: number;
  message: string | null;
  statements: number;
}

function parse(sql: string): Parsed {
  // Deciding placeholders means parsing statements known to fail; the error's stack trace
  // is most of a failed parse's cost, and nobody reads it here.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return { failsAt: Infinity, message: null, statements: parseSync(sql).stmts?.length ?? 0 };
  } catch (err) {
    if (hasSqlDetails(err) && err.sqlDetails) {
      // libpg_query reports byte offsets; the texts compared here are JS strings.
      const bytes = err.sqlDetails.cursorPosition;
      const at = Buffer.byteLength(sql, 'utf8') === sql.length ? bytes : Buffer.from(sql, 'utf8').subarray(0, bytes).toString('utf8').length;
      return { failsAt: at, message: err.sqlDetails.message, statements: 0 };
    }
    return { failsAt: 0, message: err instanceof Error ? err.message : String(err), statements: 0 };
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** The fills a candidate may take: psql's quoted forms say which themselves. */
function options(c: Candidate): PlaceholderFill[] {
  if (c.syntax === 'psql-literal' || c.syntax === 'quoted') return ['string'];
  if (c.syntax === 'psql-identifier') return ['identifier'];
  return ['literal', 'identifier'];
}

/** The statement's text with each candidate as chosen; a position mapped back to `stmt`'s own. */
function build(stmt: string, base: number, cands: Candidate[], choices: Choice[]): { text: string; back: (at: number) => number } {
  let text = '';
  let at = 0;
  const shifts: Array<{ from: number; delta: number }> = [];
  cands.forEach((c, i) => {
    const choice = choices[i]!;
    const piece = choice === 'raw' ? c.token : STAND_IN[choice];
    text += stmt.slice(at, c.start - base);
    shifts.push({ from: text.length + piece.length, delta: c.token.length - piece.length });
    text += piece;
    at = c.end - base;
  });
  text += stmt.slice(at);
  const back = (pos: number) => {
    let mapped = pos;
    for (const s of shifts) if (pos >= s.from) mapped += s.delta;
    return mapped;
  };
  return { text, back };
}

/**
 * Left to right, each candidate takes the reading (as written, or filled as a literal or a
 * name) that lets the parser get furthest; the ones after it stand filled meanwhile. When
 * no reading gets further (an unrelated error stops the parser first), only the shapes that
 * are never SQL (`[X]`, `{{x}}`, `:'x'`, `:"x"`) count.
 */
function decide(stmt: string, base: number, cands: Candidate[]): { choices: Choice[]; parsed: Parsed } {
  const choices: Choice[] = cands.map((c) => options(c)[0]!);
  // The usual case, cheaply: everything filled parses, and each shape that could be SQL
  // (`<x>`, `:x`) breaks the statement when put back as written (for one candidate, that
  // is the statement as written). One that does not break it is SQL: `a <b> c`.
  const filled = parse(build(stmt, base, cands, choices).text);
  if (filled.failsAt === Infinity) {
    // Hundreds of `<value>`s in a generated INSERT: one parse each would take seconds.
    if (cands.length > MAX_DECIDED) return { choices, parsed: filled };
    const asSql = cands.map(
      (c, i) =>
        !UNAMBIGUOUS.has(c.syntax) &&
        parse(
          build(
            stmt,
            base,
            cands,
            choices.map((f, k) => (k === i ? 'raw' : f)),
          ).text,
        ).failsAt === Infinity,
    );
    if (!asSql.some(Boolean)) return { choices, parsed: filled };
    const mixed = choices.map((c, i) => (asSql[i] ? 'raw' : c));
    return { choices: mixed, parsed: parse(build(stmt, base, cands, mixed).text) };
  }
  // `{{x}}`, `:'x'` and `:"x"` are never SQL: no need to watch the statement fail with them.
  if (!cands.some((c) => NEVER_SQL.has(c.syntax))) {
    const asWritten = parse(stmt);
    // It parses as written: `a <b> c` is a comparison. Only a quoted '<name>' is still asked for.
    if (asWritten.failsAt === Infinity) return { choices: cands.map((c) => (c.syntax === 'quoted' ? 'string' : 'raw')), parsed: asWritten };
  }
  if (cands.length > MAX_DECIDED) {
    // Too many to try one by one (three parses each), and filling them all does not make
    // the statement parse: only the shapes that are never SQL count.
    const byShape = cands.map((c) => (UNAMBIGUOUS.has(c.syntax) ? options(c)[0]! : 'raw'));
    return { choices: byShape, parsed: parse(build(stmt, base, cands, byShape).text) };
  }
  cands.forEach((c, i) => {
    if (c.syntax === 'quoted') return;
    const score = (choice: Choice) => {
      const trial = choices.slice();
      trial[i] = choice;
      const { text, back } = build(stmt, base, cands, trial);
      const r = parse(text);
      return r.failsAt === Infinity ? Infinity : back(r.failsAt);
    };
    const raw = score('raw');
    let best: Choice = 'raw';
    let bestScore = raw;
    for (const fill of options(c)) {
      const s = score(fill);
      if (s > bestScore) {
        best = fill;
        bestScore = s;
      }
    }
    if (best === 'raw' && UNAMBIGUOUS.has(c.syntax) && raw < c.start - base) best = options(c)[0]!;
    choices[i] = best;
  });
  return { choices, parsed: parse(build(stmt, base, cands, choices).text) };
}

/**
 * One placeholder per token, in order of first appearance, from each occurrence's choice;
 * `fills` only when the occurrences disagree (see SqlPlaceholder).
 */
function collect(cands: Candidate[], choices: Choice[]): SqlPlaceholder[] {
  const byToken = new Map<string, { name: string; choices: Choice[] }>();
  cands.forEach((c, i) => {
    const entry = byToken.get(c.token) ?? { name: c.name, choices: [] };
    entry.choices.push(choices[i]!);
    byToken.set(c.token, entry);
  });
  const out: SqlPlaceholder[] = [];
  for (const [token, { name, choices: all }] of byToken) {
    const filled = all.filter((c): c is PlaceholderFill => c !== 'raw');
    if (filled.length === 0) continue;
    const same = filled.length === all.length && filled.every((f) => f === filled[0]);
    out.push(same ? { name, token, fill: filled[0]! } : { name, token, fill: filled[0]!, fills: all.map((c) => (c === 'raw' ? null : c)) });
  }
  return out;
}

/**
 * Placeholders, statement count and remaining syntax error of one SQL step. With `whole`
 * every statement is parsed (is this block SQL at all?); without, only the statements with
 * a candidate the parser must decide: a block labelled sql is SQL by its author's word, and
 * parsing each of its statements would be most of the import's time on a large runbook.
 */
export function analyzeSql(sql: string, whole: boolean): SqlAnalysis {
  const scan = scanSql(sql);
  // A meta-command's arguments (`\c {{db}}`) are not SQL and a quoted '<name>' is valid SQL
  // either way: their shape decides. The rest is settled statement by statement below.
  const choices: Choice[] = scan.candidates.map((c) => (c.inMeta || c.syntax === 'quoted' ? options(c)[0]! : 'raw'));
  const open = scan.candidates.filter((c) => !c.inMeta && c.syntax !== 'quoted');
  if (open.length === 0 && !whole) return { placeholders: collect(scan.candidates, choices), statements: null, error: null };
  // The common case of a whole check: nothing to decide and no meta-command, one parse for the lot.
  if (open.length === 0 && !sql.includes('\\')) {
    const all = parse(sql);
    if (all.failsAt === Infinity) return { placeholders: collect(scan.candidates, choices), statements: all.statements, error: null };
  }
  let statements = 0;
  let error: string | null = null;
  for (const range of scan.statements) {
    const index: number[] = [];
    scan.candidates.forEach((c, i) => {
      if (!c.inMeta && c.start >= range.start && c.end <= range.end) index.push(i);
    });
    const undecided = index.some((i) => scan.candidates[i]!.syntax !== 'quoted');
    if (!undecided && !whole) continue;
    const stmt = sql.slice(range.start, range.end);
    const cands = index.map((i) => scan.candidates[i]!);
    const decided = undecided ? decide(stmt, range.start, cands) : { choices: cands.map((c) => options(c)[0]!), parsed: parse(stmt) };
    index.forEach((i, k) => {
      choices[i] = decided.choices[k]!;
    });
    statements += decided.parsed.statements;
    if (decided.parsed.message !== null && error === null) error = decided.parsed.message;
  }
  return { placeholders: collect(scan.candidates, choices), statements: whole ? statements : null, error };
}

/** Whether `sql` is PostgreSQL: at least one statement, and it all parses once filled. */
export function isSql(analysis: SqlAnalysis): boolean {
  return analysis.error === null && (analysis.statements ?? 0) > 0;
}
