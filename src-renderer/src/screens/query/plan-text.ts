// The plan as EXPLAIN's plain-text format writes it, rebuilt from the server's JSON (the one
// EXPLAIN that ran: running it again as text would re-execute an ANALYZE). Node names,
// "->" indentation, (cost=… rows=… width=…) and (actual time=… rows=… loops=…), the
// node's properties one per line, Buffers and Sort/Hash summaries on one line as psql
// shows them, and Planning/Execution Time at the end: what a DBA pastes into a ticket.

type Raw = Record<string, unknown>;

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Keys the header line or a summary line already says, or that text format never prints. */
const CONSUMED = new Set([
  'Node Type',
  'Plans',
  'Parent Relationship',
  'Parallel Aware',
  'Async Capable',
  'Join Type',
  'Strategy',
  'Partial Mode',
  'Command',
  'Operation',
  'Relation Name',
  'Schema',
  'Alias',
  'Index Name',
  'Scan Direction',
  'CTE Name',
  'Function Name',
  'Subplan Name',
  'Custom Plan Provider',
  'Startup Cost',
  'Total Cost',
  'Plan Rows',
  'Plan Width',
  'Actual Startup Time',
  'Actual Total Time',
  'Actual Rows',
  'Actual Loops',
  'Inner Unique',
  'Disabled',
  'Sort Method',
  'Sort Space Used',
  'Sort Space Type',
  'Hash Buckets',
  'Original Hash Buckets',
  'Hash Batches',
  'Original Hash Batches',
  'Peak Memory Usage',
]);

const BUFFER_KEYS = [
  ['shared', ['Hit', 'Read', 'Dirtied', 'Written']],
  ['local', ['Hit', 'Read', 'Dirtied', 'Written']],
  ['temp', ['Read', 'Written']],
] as const;

/** Counters text format leaves out when zero. */
const HIDDEN_WHEN_ZERO = /^Rows Removed by |^Heap Fetches$|^Exact Heap Blocks$|^Lossy Heap Blocks$|I\/O (Read|Write) Time$/;

function isBufferKey(key: string): boolean {
  return /^(Shared|Local|Temp) (Hit|Read|Dirtied|Written) Blocks$/.test(key);
}

/** "Hash Left Join", "Parallel Seq Scan", "Partial HashAggregate", "Insert": the node's name as text format gives it. */
export function nodeName(node: Raw): string {
  let name = str(node['Node Type']) ?? 'Unknown';
  const strategy = str(node.Strategy);
  if (name === 'Aggregate' && strategy) name = { Sorted: 'GroupAggregate', Hashed: 'HashAggregate', Mixed: 'MixedAggregate' }[strategy] ?? name;
  if (name === 'SetOp' && strategy === 'Hashed') name = 'HashSetOp';
  if (name === 'ModifyTable') name = str(node.Operation) ?? name;
  const join = str(node['Join Type']);
  if (join && join !== 'Inner') name = `${name.replace(/ Join$/, '')} ${join} Join`;
  const command = str(node.Command);
  if (command) name = `${name} ${command}`;
  const partial = str(node['Partial Mode']);
  if (partial && partial !== 'Simple') name = `${partial} ${name}`;
  if (node['Parallel Aware'] === true) name = `Parallel ${name}`;
  if (node['Async Capable'] === true) name = `Async ${name}`;
  if (node['Scan Direction'] === 'Backward') name = `${name} Backward`;
  return name;
}

/** " using x_pkey on items i", " on orders", " on \"*VALUES*\"": what the node reads. */
function target(node: Raw): string {
  const index = str(node['Index Name']);
  const relation = str(node['Relation Name']) ?? str(node['CTE Name']) ?? str(node['Function Name']);
  const alias = str(node.Alias);
  let text = '';
  if (index && relation) text += ` using ${index}`;
  else if (index) text += ` on ${index}`;
  if (relation) {
    const schema = str(node.Schema);
    text += ` on ${schema ? `${schema}.` : ''}${relation}${alias && alias !== relation ? ` ${alias}` : ''}`;
  } else if (alias) text += ` on ${alias}`;
  return text;
}

function fixed(value: unknown, digits: number): string {
  return (num(value) ?? 0).toFixed(digits);
}

/** Rows as the server printed them: whole numbers plainly, PostgreSQL 18's per-loop averages with two decimals. */
function rows(value: unknown): string {
  const n = num(value) ?? 0;
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

function figures(node: Raw): string {
  let text = `  (cost=${fixed(node['Startup Cost'], 2)}..${fixed(node['Total Cost'], 2)} rows=${rows(node['Plan Rows'])} width=${fixed(node['Plan Width'], 0)})`;
  const loops = num(node['Actual Loops']);
  if (loops === 0) text += ' (never executed)';
  else if (loops !== null) {
    const time = num(node['Actual Total Time']) !== null ? `time=${fixed(node['Actual Startup Time'], 3)}..${fixed(node['Actual Total Time'], 3)} ` : '';
    text += ` (actual ${time}rows=${rows(node['Actual Rows'])} loops=${loops})`;
  }
  return text;
}

function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.map(valueText).join(', ');
  if (isRecord(value))
    return Object.entries(value)
      .map(([k, v]) => `${k}: ${valueText(v)}`)
      .join('  ');
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return String(value);
}

function propertyLines(node: Raw): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (CONSUMED.has(key) || isBufferKey(key) || value === null || value === undefined) continue;
    if (value === 0 && HIDDEN_WHEN_ZERO.test(key)) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (key === 'Workers' && Array.isArray(value)) {
      for (const worker of value.filter(isRecord)) {
        const { ['Worker Number']: number, ...rest } = worker;
        lines.push(`Worker ${valueText(number)}:  ${valueText(rest)}`);
      }
      continue;
    }
    lines.push(`${key}: ${valueText(value)}`);
  }
  const method = str(node['Sort Method']);
  if (method) {
    const space = num(node['Sort Space Used']);
    const kind = str(node['Sort Space Type']);
    lines.push(`Sort Method: ${method}${space !== null ? `  ${kind ?? 'Memory'}: ${space}kB` : ''}`);
  }
  const buckets = num(node['Hash Buckets']);
  if (buckets !== null) {
    const origBuckets = num(node['Original Hash Buckets']);
    const batches = num(node['Hash Batches']);
    const origBatches = num(node['Original Hash Batches']);
    const grew = (origBuckets !== null && origBuckets !== buckets) || (origBatches !== null && origBatches !== batches);
    lines.push(
      grew
        ? `Buckets: ${buckets} (originally ${origBuckets ?? buckets})  Batches: ${batches ?? 1} (originally ${origBatches ?? batches ?? 1})  Memory Usage: ${num(node['Peak Memory Usage']) ?? 0}kB`
        : `Buckets: ${buckets}  Batches: ${batches ?? 1}  Memory Usage: ${num(node['Peak Memory Usage']) ?? 0}kB`,
    );
  }
  const buffers: string[] = [];
  for (const [scope, kinds] of BUFFER_KEYS) {
    const parts = kinds
      .map((kind) => [kind.toLowerCase(), num(node[`${scope[0]!.toUpperCase()}${scope.slice(1)} ${kind} Blocks`]) ?? 0] as const)
      .filter(([, n]) => n > 0);
    if (parts.length > 0) buffers.push(`${scope} ${parts.map(([k, n]) => `${k}=${n}`).join(' ')}`);
  }
  if (buffers.length > 0) lines.push(`Buffers: ${buffers.join(', ')}`);
  return lines;
}

function writeNode(node: Raw, out: string[], indent: string, child: boolean): void {
  // A child's properties and children sit under its "->", six columns in (as psql does).
  const subplan = str(node['Subplan Name']);
  let own = indent;
  if (subplan) {
    out.push(`${indent}${subplan}`);
    own = `${indent}  `;
  }
  out.push(`${own}${child ? '->  ' : ''}${nodeName(node)}${target(node)}${figures(node)}`);
  const inner = child ? `${own}      ` : `${own}  `;
  for (const line of propertyLines(node)) out.push(`${inner}${line}`);
  for (const sub of Array.isArray(node.Plans) ? node.Plans.filter(isRecord) : []) writeNode(sub, out, inner, true);
}

function ms(value: unknown): string {
  return `${fixed(value, 3)} ms`;
}

/** EXPLAIN's text output for the server's FORMAT JSON output (the array of one statement). */
export function planText(json: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return json;
  }
  const top = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!isRecord(top) || !isRecord(top.Plan)) return json;
  const out: string[] = [];
  writeNode(top.Plan, out, '', false);
  for (const trigger of Array.isArray(top.Triggers) ? top.Triggers.filter(isRecord) : []) {
    out.push(`Trigger ${valueText(trigger['Trigger Name'])}: time=${fixed(trigger.Time, 3)} calls=${valueText(trigger.Calls)}`);
  }
  if (num(top['Planning Time']) !== null) out.push(`Planning Time: ${ms(top['Planning Time'])}`);
  if (num(top['Execution Time']) !== null) out.push(`Execution Time: ${ms(top['Execution Time'])}`);
  return out.join('\n');
}
