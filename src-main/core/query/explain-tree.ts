// EXPLAIN (FORMAT JSON) output → the contract's PlanNode tree. Pure: no connection, no
// clock, so the arithmetic (loops, self time, shares) is unit-tested on literal fixtures.
import { OpsError } from '../../contract/errors';
import type { PlanNode } from '../../contract/models';
import { plural } from '../platform/text/plural';

type RawNode = Record<string, unknown>;

export interface ConvertedPlan {
  plan: PlanNode;
  planningMs: number | null;
  executionMs: number | null;
  /** The server's JSON, pretty-printed for the Copy button. */
  json: string;
}

/** Keys shown elsewhere on the row (numbers, label) or pure noise for a DBA. */
const CONSUMED_KEYS = new Set([
  'Node Type',
  'Plans',
  'Startup Cost',
  'Total Cost',
  'Plan Rows',
  'Plan Width',
  'Actual Startup Time',
  'Actual Total Time',
  'Actual Rows',
  'Actual Loops',
  'Shared Hit Blocks',
  'Shared Read Blocks',
  'Relation Name',
  'Alias',
  'Index Name',
  'CTE Name',
  'Function Name',
  'Join Type',
  'Subplan Name',
  'Operation',
  'Scan Direction',
  'Parallel Aware',
  'Async Capable',
  'Parent Relationship',
  'Strategy',
  'Partial Mode',
  'Command',
  'Custom Plan Provider',
  'Schema',
]);

/** Counters the text format hides when zero; JSON always prints them, which only adds noise. */
const HIDDEN_WHEN_ZERO = /Blocks$|^Rows Removed by |I\/O (Read|Write) Time$|^WAL |^(Disk Usage|Planned Partitions|Cache Evictions|Cache Overflows)$/;

/** Shown by the text format only when the hash table had to grow. */
const ORIGINAL_OF: Record<string, string> = { 'Original Hash Buckets': 'Hash Buckets', 'Original Hash Batches': 'Hash Batches' };

function isRecord(value: unknown): value is RawNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Float noise (0.1 × 3 = 0.30000000000000004) would show in the UI; µs are plenty. */
function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function formatValue(value: unknown): string {
  if (Array.isArray(value)) {
    return value.every((v) => !isRecord(v)) ? value.map(formatValue).join(', ') : value.map(formatValue).join('; ');
  }
  if (isRecord(value)) {
    const worker = num(value['Worker Number']);
    const rest = Object.entries(value)
      .filter(([key, v]) => key !== 'Worker Number' && !(v === 0 && HIDDEN_WHEN_ZERO.test(key)))
      .map(([key, v]) => `${key}: ${formatValue(v)}`)
      .join(', ');
    return worker === null ? rest : `Worker ${worker}: ${rest}`;
  }
  return String(value);
}

/** What the node works on, in the words of psql's text format ("using x_pkey on items i"). */
export function labelOf(node: RawNode): string {
  const words: string[] = [];
  if (node['Parallel Aware'] === true) words.push('parallel');
  const partial = str(node['Partial Mode']);
  if (partial && partial !== 'Simple') words.push(partial.toLowerCase());
  const strategy = str(node.Strategy);
  if (strategy && strategy !== 'Plain') words.push(strategy.toLowerCase());
  const join = str(node['Join Type']);
  // Inner is the default; psql omits it too.
  if (join && join !== 'Inner') words.push(`${join.toLowerCase()} join`);
  const command = str(node.Command);
  if (command) words.push(command.toLowerCase());
  const operation = str(node.Operation);
  if (operation) words.push(operation);
  if (node['Scan Direction'] === 'Backward') words.push('backward');
  const provider = str(node['Custom Plan Provider']);
  if (provider) words.push(provider);

  const index = str(node['Index Name']);
  const relation = str(node['Relation Name']) ?? str(node['CTE Name']) ?? str(node['Function Name']);
  const alias = str(node.Alias);
  if (index && relation) words.push(`using ${index}`);
  else if (index) words.push(`on ${index}`);
  if (relation) words.push(`on ${relation}${alias && alias !== relation ? ` ${alias}` : ''}`);
  else if (alias) words.push(`on ${alias}`);

  const text = words.join(' ');
  const subplan = str(node['Subplan Name']);
  if (!subplan) return text;
  return text === '' ? subplan : `${subplan} — ${text}`;
}

function detailsOf(node: RawNode): Array<{ key: string; value: string }> {
  const details: Array<{ key: string; value: string }> = [];
  for (const [key, value] of Object.entries(node)) {
    if (CONSUMED_KEYS.has(key) || value === null || value === undefined || value === false) continue;
    if (value === 0 && HIDDEN_WHEN_ZERO.test(key)) continue;
    const current = ORIGINAL_OF[key];
    if (current !== undefined && node[current] === value) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    details.push({ key, value: formatValue(value) });
  }
  return details;
}

interface Draft extends Omit<PlanNode, 'children'> {
  /** Own cost (total minus children), for plain EXPLAIN's shares. */
  selfCost: number;
  children: Draft[];
}

function convertNode(raw: RawNode, counter: { next: number }): Draft {
  const id = counter.next++;
  const loops = num(raw['Actual Loops']);
  const perLoopRows = num(raw['Actual Rows']);
  const perLoopMs = num(raw['Actual Total Time']);
  // The server reports rows and time per loop (averaged); what the node did in total is
  // per loop × loops. Rows are rounded: before PostgreSQL 18 the per-loop figure is
  // itself rounded, so the product is an estimate of the total, not an exact count.
  const actualRows = loops !== null && perLoopRows !== null ? Math.round(perLoopRows * loops) : null;
  const actualTotalMs = loops !== null && perLoopMs !== null ? roundMs(perLoopMs * loops) : null;
  const children = (Array.isArray(raw.Plans) ? raw.Plans : []).filter(isRecord).map((child) => convertNode(child, counter));
  const totalCost = num(raw['Total Cost']) ?? 0;

  // Self = inclusive minus the children's inclusive, clamped at zero. Approximate on purpose:
  // under a Gather, workers' loops add up CPU time of several processes, so children can
  // exceed their parent's wall-clock time; an InitPlan (a CTE's plan, say) hangs under the
  // node it is attached to while its time is counted in the node that first reads it.
  // Both can make the difference negative, hence the clamp.
  let selfMs: number | null = null;
  if (actualTotalMs !== null) {
    const childMs = children.reduce((sum, c) => sum + (c.actualTotalMs ?? 0), 0);
    selfMs = roundMs(Math.max(0, actualTotalMs - childMs));
  }
  // A child's cost is per execution (a nested loop's inner side runs many times), so the
  // cost share is only a rough guide to where a plain EXPLAIN expects the work.
  const selfCost = Math.max(0, totalCost - children.reduce((sum, c) => sum + c.totalCost, 0));

  return {
    id,
    nodeType: str(raw['Node Type']) ?? 'Unknown',
    label: labelOf(raw),
    startupCost: num(raw['Startup Cost']) ?? 0,
    totalCost,
    planRows: num(raw['Plan Rows']) ?? 0,
    actualRows,
    actualLoops: loops,
    actualTotalMs,
    selfMs,
    selfShare: 0,
    sharedHitBlocks: num(raw['Shared Hit Blocks']),
    sharedReadBlocks: num(raw['Shared Read Blocks']),
    details: detailsOf(raw),
    children,
    selfCost,
  };
}

/** Fills selfShare and drops the working field, giving the contract's shape. */
function finish(node: Draft, analyzed: boolean, rootTotal: number): PlanNode {
  const own = analyzed ? (node.selfMs ?? 0) : node.selfCost;
  const share = rootTotal > 0 ? Math.min(1, own / rootTotal) : 0;
  const { selfCost: _selfCost, children, ...rest } = node;
  return { ...rest, selfShare: share, children: children.map((c) => finish(c, analyzed, rootTotal)) };
}

/** The statement-level extras (triggers, JIT, planning buffers), shown on the root. */
function topLevelDetails(top: RawNode): Array<{ key: string; value: string }> {
  const details: Array<{ key: string; value: string }> = [];
  const triggers = Array.isArray(top.Triggers) ? top.Triggers.filter(isRecord) : [];
  for (const trigger of triggers) {
    const name = str(trigger['Trigger Name']) ?? 'trigger';
    const relation = str(trigger.Relation);
    const time = num(trigger.Time);
    const calls = num(trigger.Calls);
    details.push({
      key: `Trigger ${name}${relation ? ` on ${relation}` : ''}`,
      value: [time === null ? null : `${roundMs(time)} ms`, calls === null ? null : plural(calls, 'call')].filter(Boolean).join(', '),
    });
  }
  for (const [key, label] of [
    ['JIT', 'JIT'],
    ['Planning', 'Planning buffers'],
  ] as const) {
    const value = top[key];
    if (!isRecord(value)) continue;
    const text = formatValue(value);
    if (text !== '') details.push({ key: label, value: text });
  }
  return details;
}

/**
 * Converts the value of EXPLAIN (FORMAT JSON)'s single "QUERY PLAN" cell (node-postgres
 * parses json; a string is accepted too). Ids are depth-first, 0 for the root.
 */
export function convertExplainJson(serverJson: unknown): ConvertedPlan {
  const parsed: unknown = typeof serverJson === 'string' ? JSON.parse(serverJson) : serverJson;
  const top = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!isRecord(top) || !isRecord(top.Plan)) {
    throw new OpsError('QUERY_FAILED', 'The server answered EXPLAIN with something that is not a JSON plan.');
  }
  const draft = convertNode(top.Plan, { next: 0 });
  const analyzed = draft.actualTotalMs !== null;
  const rootTotal = analyzed ? (draft.actualTotalMs ?? 0) : draft.totalCost;
  const plan = finish(draft, analyzed, rootTotal);
  plan.details.push(...topLevelDetails(top));
  const planning = num(top['Planning Time']);
  const execution = num(top['Execution Time']);
  return {
    plan,
    planningMs: planning === null ? null : roundMs(planning),
    executionMs: execution === null ? null : roundMs(execution),
    json: JSON.stringify(parsed, null, 2),
  };
}
